"""The CJK font that ships with tierkit: it covers tierkit's text and draws Chinese charts on a machine without fonts.

"Without fonts" is real here: :func:`without_system_fonts` runs a command in its own mount
namespace (``unshare --mount``; ``--map-root-user`` when not root) in which every system font
folder that fontconfig and matplotlib read (``/usr/share/fonts``, ``/usr/local/share/fonts``, the
X11 ones) and fontconfig's cache are empty tmpfs mounts, with an empty ``HOME`` (no ``~/.fonts``)
and a fresh matplotlib cache folder (``MPLCONFIGDIR``). The process sees the machine as one with
no fonts installed: ``fc-list`` lists nothing and matplotlib knows only the fonts inside it
(DejaVu, STIX, Computer Modern). The tests check that from inside before they draw.
(matplotlib's own ``MPL_IGNORE_SYSTEM_FONTS`` is no substitute: it also hides every font added
with ``addfont``, which no real machine does.) Where no mount namespace can be made, these tests
are skipped with the reason.
"""

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure

from tierkit.reporting.charts import fonts
from tierkit.reporting.charts.fonts import BUNDLED_FAMILY, BUNDLED_FONT, BUNDLED_FONTS, chart_families, chart_fonts

ROOT = Path(__file__).resolve().parents[2]


def build_script():
    """``.ci/build_font_subset.py``, imported as a module."""
    spec = importlib.util.spec_from_file_location("build_font_subset", ROOT / ".ci" / "build_font_subset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: Font folders of fontconfig's default configuration and of matplotlib's ``X11FontDirectories``,
#: and fontconfig's cache (else it could list fonts from before).
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/usr/X11R6/lib/X11/fonts", "/usr/X11/lib/X11/fonts",
                    "/usr/lib/openoffice/share/fonts", "/usr/share/X11/fonts", "/var/cache/fontconfig")
_HIDE = 'for d in {dirs}; do if [ -d "$d" ]; then mount -t tmpfs -o size=64k tmpfs "$d" || exit 97; fi; done; exec "$@"'


def without_system_fonts(args, scratch: Path, env=None) -> tuple[list[str], dict[str, str]]:
    """``args`` and an environment that run them on this machine as if it had no fonts installed.

    Skips the calling test when no mount namespace can be made here. ``scratch`` gets the
    empty home folder and the fresh matplotlib cache folder.
    """
    unshare = shutil.which("unshare")
    if unshare is None or not shutil.which("mount"):
        pytest.skip("cannot hide the system fonts: util-linux's unshare and mount are not installed")
    wrapper = [unshare, "--mount", *([] if os.geteuid() == 0 else ["--map-root-user"]), "--", "sh", "-c",
               _HIDE.format(dirs=" ".join(SYSTEM_FONT_DIRS)), "sh"]
    probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"cannot hide the system fonts: no mount namespace here ({probe.stderr.strip()[-200:]})")
    home, config = scratch / "home-without-fonts", scratch / "mplconfig-without-fonts"
    home.mkdir(exist_ok=True)
    config.mkdir(exist_ok=True)
    env = {k: v for k, v in (os.environ if env is None else env).items()
           if not k.startswith(("MPL", "XDG_", "FONTCONFIG"))}
    env.update(HOME=str(home), MPLCONFIGDIR=str(config), MPLBACKEND="Agg", OMP_NUM_THREADS="1")
    return [*wrapper, *map(str, args)], env


#: Run inside :func:`without_system_fonts`: what the process sees, as JSON on its last line.
SEEN = textwrap.dedent("""
    import json, shutil, subprocess
    from pathlib import Path
    import matplotlib
    from matplotlib import font_manager
    from tierkit.reporting.charts import fonts
    data = Path(matplotlib.get_data_path()).resolve()
    fc_list = shutil.which("fc-list")
    print(json.dumps({
        "fc_list": subprocess.run([fc_list], capture_output=True, text=True).stdout.splitlines() if fc_list else [],
        "foreign_fonts": sorted({f.fname for f in font_manager.fontManager.ttflist
                                 if not Path(f.fname).resolve().is_relative_to(data)}),
        "system_cjk": fonts.system_cjk_family(),  # the old lookup, with its rescan of the system folders
        "families": fonts.chart_families("zh"),
        "bundled": [str(p) for p in fonts.BUNDLED_FONTS],
    }))
""")


def check_fonts_are_hidden(seen: dict) -> None:
    """What :data:`SEEN` printed shows a machine without fonts: nothing but matplotlib's and tierkit's own."""
    assert seen["fc_list"] == [], seen["fc_list"]
    assert set(seen["foreign_fonts"]) <= set(seen["bundled"]), seen["foreign_fonts"]
    assert seen["system_cjk"] is None  # before the bundled font, a Chinese chart stopped here
    assert seen["families"] == [BUNDLED_FAMILY, "DejaVu Sans"]


def test_every_character_of_tierkit_is_in_the_shipped_fonts():
    # Adding a Chinese word to tierkit (the vocabulary, cluster-name words, report text) without
    # rebuilding the font fails here; `python .ci/build_font_subset.py` rebuilds it.
    script = build_script()
    assert tuple(script.FONTS.values()) == BUNDLED_FONTS
    found = script.source_characters()
    assert sum(script.needs_cjk_font(c) for c in found) > 500  # the scan does find tierkit's Chinese
    assert "客" in found and "src/tierkit/words.py" in found["户"]
    missing = script.uncovered()
    assert not missing, "not in the bundled font; run `python .ci/build_font_subset.py`:\n" + "\n".join(
        f"{c} (U+{ord(c):04X}) in {', '.join(sorted(files))}" for c, files in sorted(missing.items()))


@pytest.mark.parametrize("path, style, weight", [(BUNDLED_FONTS[0], "Regular", 400), (BUNDLED_FONTS[1], "Bold", 700)])
def test_the_bundled_fonts_are_renamed_ofl_subsets_with_their_license(path, style, weight):
    assert sum(p.stat().st_size for p in BUNDLED_FONTS) < 1_000_000
    with TTFont(path) as font:
        names = {record.nameID: record.toUnicode() for record in font["name"].names}
        cmap = font.getBestCmap()
        assert font["OS/2"].usWeightClass == weight
    assert names[1] == BUNDLED_FAMILY and names[2] == style
    assert "Source" not in names[1] + names[4] + names[6]  # the Reserved Font Name is not used
    assert "Adobe" in names[0] and "SIL Open Font License, Version 1.1" in names[13]
    assert "Noto Sans CJK SC" in names[10]
    assert all(ord(c) in cmap for c in "客户分级核心重要价值0123456789%,.() ABCabc")
    license_text = (BUNDLED_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in license_text and "Reserved Font Name 'Source'" in license_text


def test_zh_charts_draw_with_the_bundled_font_first_even_with_a_system_cjk_font():
    # the same glyphs on every machine: a system CJK font is only a fallback for other characters
    families = chart_families("zh")
    assert families[0] == BUNDLED_FAMILY and families[-1] == "DejaVu Sans"
    assert chart_families("en")[:2] == ["DejaVu Sans", BUNDLED_FAMILY]
    assert fonts.cjk_font_family() == BUNDLED_FAMILY  # there is always a font to draw Chinese with
    for weight, path in zip(("normal", "bold"), BUNDLED_FONTS, strict=True):
        found = font_manager.findfont(font_manager.FontProperties(family=BUNDLED_FAMILY, weight=weight),
                                      fallback_to_default=False)
        assert Path(found) == path


def test_characters_no_font_has_give_one_warning_and_other_warnings_pass_through():
    # U+10FFFC/D are private-use code points: no font has them, installed or shipped
    fig = Figure()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with chart_fonts("zh"):
            ax = fig.subplots()
            ax.set_title("核心客户 \U0010fffc\U0010fffd")
            ax.set_xlabel("\U0010fffc")
            fig.savefig(io.BytesIO(), format="png")
            fig.savefig(io.BytesIO(), format="png")  # drawn twice: still one warning
            warnings.warn("something else", RuntimeWarning, stacklevel=1)
    glyphs = [w for w in caught if "missing from font" in str(w.message)]
    assert len(glyphs) == 1, [str(w.message) for w in caught]
    message = str(glyphs[0].message)
    assert "U+10FFFC" in message and "U+10FFFD" in message and "核" not in message
    assert glyphs[0].filename == __file__  # it points at the `with chart_fonts(...)` block
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == ["something else"]
    assert matplotlib.rcParams["font.family"] != chart_families("zh")  # the block changed nothing for good


#: Run inside :func:`without_system_fonts`: every zh chart, a zh report and a control, as JSON.
DRAW = textwrap.dedent("""
    import json, warnings
    import matplotlib
    import numpy as np
    import pandas as pd
    from matplotlib import font_manager
    from tierkit.reporting.charts import fonts
    from tierkit.reporting.charts import (figure_png, plot_clv_cs_grid, plot_lifecycle_funnel, plot_pareto,
                                         plot_rfm_heatmap, plot_tier_pie, plot_tier_shares, plot_value_potential)
    from tierkit.reporting.report import render_report

    rng = np.random.default_rng(0)
    n = 200
    monetary = rng.gamma(2.0, 50.0, n)
    t = pd.DataFrame({
        "monetary": monetary, "clv": monetary * rng.uniform(0.0, 2.0, n),
        "r_score": rng.integers(1, 6, n), "f_score": rng.integers(1, 6, n),
        "rfm_class": rng.choice(["important_value", "general_develop", "general_winback"], n),
        "lifecycle_stage": rng.choice(["new", "repeat", "loyal", "at_risk", "churned"], n),
        "abc_tier": rng.choice(["high_end", "important", "ordinary", "small"], n),
        "cs_level": rng.choice(["high", "low"], n), "clv_level": rng.choice(["high", "medium", "low"], n),
        "clv_cs_class": rng.choice(["core", "growth", "marginal"], n),
        "value_potential": rng.choice(["star", "harvest", "develop", "low_priority"], n),
    }, index=pd.Index([f"{i:04d}" for i in range(n)], name="customer_id"))
    plots = [lambda: plot_tier_shares(t, "rfm_class", lang="zh"), lambda: plot_tier_pie(t, "abc_tier", lang="zh"),
             lambda: plot_rfm_heatmap(t, lang="zh"), lambda: plot_pareto(t, lang="zh"),
             lambda: plot_clv_cs_grid(t, lang="zh"), lambda: plot_value_potential(t, lang="zh"),
             lambda: plot_lifecycle_funnel(t, lang="zh")]
    out = {"chinese_texts": [], "fonts_used": set()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for plot in plots:
            ax = plot()
            assert figure_png(ax.figure, lang="zh")[:4] == b"\\x89PNG"
            for text in ax.figure.findobj(matplotlib.text.Text):
                if any("\\u4e00" <= c <= "\\u9fff" for c in text.get_text()):
                    out["chinese_texts"].append(text.get_text())
                    # the font each Chinese label is drawn with first, bold ones included
                    out["fonts_used"].add(font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())[0])
        # a Chinese report: the call that used to stop with 'no font with Chinese glyphs is installed'
        out["report_pngs"] = render_report(t, lang="zh").count("data:image/png;base64,")
    out["warnings"] = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    out["fonts_used"] = sorted(out["fonts_used"])

    # the control: without the bundled font (the code before it), nothing here draws Chinese
    fonts.bundled_font_family = lambda: None
    out["families_without_bundled"] = fonts.chart_families("zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure_png(plot_tier_shares(t, "rfm_class", lang="zh").figure, lang="zh")
    out["warnings_without_bundled"] = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    print(json.dumps(out))
""")


def run_json(args, env, cwd) -> dict:
    run = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_zh_charts_and_report_draw_chinese_on_a_machine_without_fonts(tmp_path):
    args, env = without_system_fonts([sys.executable, "-c", SEEN], tmp_path)
    seen = run_json(args, env, tmp_path)
    # the system fonts are hidden: the old lookup finds no CJK font, though this machine may have one
    check_fonts_are_hidden(seen)

    args, env = without_system_fonts([sys.executable, "-c", DRAW], tmp_path)
    out = run_json(args, env, tmp_path)
    # the control: without the bundled font, Chinese comes out as boxes (and one warning says so)
    assert out["families_without_bundled"] == ["DejaVu Sans"]
    assert len(out["warnings_without_bundled"]) == 1 and "U+" in out["warnings_without_bundled"][0]
    # with it: every chart's Chinese text is drawn with the bundled fonts (bold ones with the bold one), no
    # glyph missing
    assert len(out["chinese_texts"]) >= 10 and "重要价值客户" in out["chinese_texts"]
    assert out["fonts_used"] == sorted(seen["bundled"])
    assert out["warnings"] == []
    assert out["report_pngs"] >= 5
