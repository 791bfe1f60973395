"""Fonts that draw Chinese labels: find one, use it in a context, never change global state.

matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese text would come out as
empty boxes with a "Glyph ... missing from font(s)" warning. :func:`chart_fonts` puts a CJK
font in matplotlib's per-glyph fallback list for the duration of a ``with`` block.

The project installs **WenQuanYi Micro Hei** from Debian (5 MB)::

    apt-get update && apt-get install -y fonts-wqy-microhei

Noto Sans CJK (``fonts-noto-cjk``), Source Han Sans, and the Windows / macOS system fonts
are used too when present. A font installed after matplotlib built its font cache is found by
scanning the system font folders once.
"""

from __future__ import annotations

import contextlib
import functools
import logging

import matplotlib
from matplotlib import font_manager

from tierkit.errors import TierkitError

log = logging.getLogger(__name__)

#: CJK families tried in order.
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
INSTALL_HINT = "apt-get update && apt-get install -y fonts-wqy-microhei"


def _known_families() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


@functools.lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The first installed CJK font family of :data:`CJK_FAMILIES`, or ``None``.

    Examples
    --------
    >>> cjk_font_family() in CJK_FAMILIES + (None,)
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
            log.info("using CJK font %s", family)
            return family
    return None


def require_cjk_font() -> str:
    """The CJK family, or a one-line error that says how to install one."""
    family = cjk_font_family()
    if family is None:
        raise TierkitError(f"no font with Chinese glyphs is installed, so Chinese charts (lang zh) would show boxes; "
                           f"install one: {INSTALL_HINT}")
    return family


def chart_fonts(lang: str = "en"):
    """A ``with`` block in which text is drawn with Chinese glyph fallback.

    For ``lang="zh"`` a CJK font is required (one-line error otherwise) and comes first;
    for ``"en"`` DejaVu Sans comes first and a CJK font, when installed, is the fallback
    for Chinese characters in the data (customer or cluster names).

    Examples
    --------
    >>> with chart_fonts("en"):
    ...     pass
    """
    family = require_cjk_font() if lang == "zh" else cjk_font_family()
    families = ["DejaVu Sans"]
    if family is not None:
        families = [family, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", family]
    # An explicit list of families (not the generic "sans-serif") turns on matplotlib's
    # per-glyph fallback from one family to the next.
    return matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False})
