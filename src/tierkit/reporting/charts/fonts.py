"""Fonts that draw Chinese labels: tierkit ships its own, so no chart depends on the machine's fonts.

matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese text would come out as
empty boxes with a "Glyph ... missing from font(s)" warning. tierkit therefore ships
**Tierkit Sans CJK**, Regular and Bold (``fontdata/TierkitSansCJK-*.otf``, about 230 KB each):
a subset of Noto Sans CJK SC 2.004 under the SIL Open Font License 1.1 (``fontdata/OFL.txt``)
with every character of tierkit's own text (tier names, axis labels, the words of cluster
names), ASCII and the common CJK punctuation. ``.ci/build_font_subset.py`` builds them, and a
test fails when a Chinese character is added to tierkit without rebuilding them.

:func:`chart_fonts` registers the fonts with matplotlib's font manager (in this process only:
nothing is installed, no global setting changes) and puts them in matplotlib's per-glyph fallback
list for the duration of a ``with`` block. The bundled font comes first for Chinese charts
even when the machine has a CJK font of its own: the charts then look the same on every
machine (a laptop, CI, a container without any fonts), and what the tests check is what users
get. A character outside the subset (a Chinese customer or product name in the data) is
drawn with an installed CJK font when there is one -- WenQuanYi, Noto Sans CJK, Source Han
Sans, or the Windows / macOS fonts; a font installed after matplotlib built its font cache is
found by scanning the system font folders once. Without one, such characters show as boxes,
with one warning per chart naming them; never an error. (matplotlib's test switch
``MPL_IGNORE_SYSTEM_FONTS`` hides added fonts too, the bundled ones included.)
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import sys
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from tierkit.errors import FontWarning

log = logging.getLogger(__name__)

#: The font files that ship inside the package (real files next to this module): regular, bold.
BUNDLED_FONTS = tuple(Path(__file__).resolve().with_name("fontdata") / f"TierkitSansCJK-{style}.otf"
                      for style in ("Regular", "Bold"))
#: The regular one.
BUNDLED_FONT = BUNDLED_FONTS[0]
#: Its family name, as matplotlib's font manager knows it once registered.
BUNDLED_FAMILY = "Tierkit Sans CJK"
#: System CJK families tried in order, for characters outside the bundled font.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
#: File names of CJK fonts to look for when matplotlib's font cache predates them.
_CJK_FILE_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehansans", "msyh", "simhei", "pingfang")
#: Installs a full CJK font, for Chinese characters in the data that the bundled font lacks.
INSTALL_HINT = "apt-get install -y fonts-noto-cjk"
#: matplotlib's warning for a character no font of the list has (one per character and draw); matplotlib
#: gives the character only in this text of its own, so it is read from it (tierkit's warnings are data).
_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font\(s\) (.*?)\.?$")


def bundled_font_family() -> str | None:
    """The family of the fonts shipped with tierkit, registered with matplotlib (once), or ``None``.

    ``None`` only when the regular one is missing or unreadable (a damaged installation):
    logged, and the charts fall back to the system's CJK fonts.

    Examples
    --------
    >>> bundled_font_family()
    'Tierkit Sans CJK'
    """
    # Registered in the running process only (matplotlib's font cache file is not changed);
    # checked every time, since matplotlib may have rebuilt its font manager since.
    known = {entry.fname: entry.name for entry in font_manager.fontManager.ttflist}
    for path in map(str, BUNDLED_FONTS):
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError) as exc:
                _log_once(f"the bundled CJK font {path} cannot be read ({exc}); using the system's CJK fonts")
                continue
            known[path] = next(e.name for e in font_manager.fontManager.ttflist if e.fname == path)
    return known.get(str(BUNDLED_FONT))


@functools.cache
def _log_once(message: str) -> None:
    log.warning(message)


def _known_families() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


@functools.lru_cache(maxsize=1)
def system_cjk_family() -> str | None:
    """The first installed CJK font family of :data:`CJK_FAMILIES`, or ``None``.

    Only for the characters the bundled font does not have (see :func:`chart_fonts`).

    Examples
    --------
    >>> system_cjk_family() in CJK_FAMILIES + (None,)
    True
    """
    known = _known_families()
    for family in CJK_FAMILIES:
        if family in known:
            return family
    # The cache may predate the font's installation: add matching system fonts once.
    for path in font_manager.findSystemFonts():
        name = path.replace("-", "").replace("_", "").lower()
        if any(hint in name for hint in _CJK_FILE_HINTS):
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
    known = _known_families()
    for family in CJK_FAMILIES:
        if family in known:
            log.info("system CJK font for characters outside the bundled one: %s", family)
            return family
    return None


def cjk_font_family() -> str | None:
    """The family Chinese text is drawn with first: the bundled font (or, failing it, a system one).

    Examples
    --------
    >>> cjk_font_family()
    'Tierkit Sans CJK'
    """
    return bundled_font_family() or system_cjk_family()


def chart_families(lang: str = "en") -> list[str]:
    """The font families of :func:`chart_fonts`, in fallback order.

    ``"zh"``: the bundled CJK font, a system CJK font when installed, DejaVu Sans (symbols).
    ``"en"``: DejaVu Sans first, the CJK fonts as fallbacks for Chinese characters in the data
    (customer or cluster names).

    Examples
    --------
    >>> chart_families("zh")[0], chart_families("en")[:2]
    ('Tierkit Sans CJK', ['DejaVu Sans', 'Tierkit Sans CJK'])
    """
    cjk = list(dict.fromkeys(f for f in (bundled_font_family(), system_cjk_family()) if f is not None))
    return [*cjk, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", *cjk]


@contextlib.contextmanager
def chart_fonts(lang: str = "en"):
    """A ``with`` block in which text is drawn with Chinese glyphs, whatever fonts the machine has.

    For ``lang="zh"`` the bundled CJK font comes first; for ``"en"`` DejaVu Sans comes first
    and the CJK fonts are the fallback for Chinese characters in the data. Characters that
    no font has are named in one warning when the block ends (instead of matplotlib's one
    warning per character and draw); other warnings pass through unchanged.

    Examples
    --------
    >>> with chart_fonts("zh"):
    ...     matplotlib.rcParams["font.family"][0]
    'Tierkit Sans CJK'
    """
    # An explicit list of families (not the generic "sans-serif") turns on matplotlib's
    # per-glyph fallback from one family to the next.
    families = chart_families(lang)
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}), \
            _one_missing_glyph_warning():
        yield


@contextlib.contextmanager
def _one_missing_glyph_warning():
    """Collect matplotlib's missing-glyph warnings of the block into one (not thread-safe, as matplotlib)."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            # matplotlib's warnings of the block, by module (never by text); those that are not its missing-glyph
            # warning are passed on unchanged below
            warnings.filterwarnings("always", category=UserWarning, module=r"matplotlib\.")
            yield
    finally:
        _warn_again(caught)


def _warn_again(caught) -> None:
    missing, fonts = [], []
    for caught_warning in caught:
        found = _MISSING_GLYPH.match(str(caught_warning.message))
        if found and issubclass(caught_warning.category, UserWarning):
            missing.append(chr(int(found.group(1))))
            fonts.append(found.group(2))
        else:  # not ours: on to the caller's filters, as if never caught
            warnings.warn_explicit(caught_warning.message, caught_warning.category, caught_warning.filename,
                                   caught_warning.lineno, source=caught_warning.source)
    if missing:
        chars = ", ".join(f"{c} (U+{ord(c):04X})" for c in dict.fromkeys(missing))
        where = "; ".join(dict.fromkeys(fonts))
        warnings.warn(FontWarning("warn_glyphs", fonts=where, chars=chars, hint=INSTALL_HINT),
                      stacklevel=_caller_level())


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this module and contextlib (the ``with`` statement)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename in (__file__, contextlib.__file__):
        frame, level = frame.f_back, level + 1
    return level
