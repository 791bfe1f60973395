"""The report's Jinja2 template: autoescaping, StrictUndefined, package data, a real browser."""

import shutil
import subprocess
from html.parser import HTMLParser

import jinja2
import numpy as np
import pandas as pd
import pytest

from tierkit.reporting.report import render_report, write_report
from tierkit.reporting.report._templates import PAGE, environment
from tierkit.reporting.report.render import report_context
from tierkit.words import Tier

EVIL = "<script>alert(1)</script> & co"


class Page(HTMLParser):
    """Elements and text of a page, as a browser's tokenizer sees them."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.attrs = [], [], []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(v for _, v in attrs if v is not None)

    def handle_data(self, data):
        self.text.append(data)


def evil_table():
    """A table whose customer ids, tier keys, tier labels and as-of date all carry markup."""
    table = pd.DataFrame({
        "monetary": [10.0, 20.0, 30.0, 40.0],
        "abc_tier": ["A", "A", "C", "C"],
        "cluster_name": [EVIL, EVIL, "plain", "plain"],
        "cs_index": [100.0, 90.0, 30.0, np.nan],
        "nps_group": ["promoter", "promoter", "detractor", None],
    }, index=pd.Index([EVIL, "2", "3", "4"], name="customer_id"))
    table.attrs["as_of"] = EVIL
    return table


@pytest.fixture(scope="module")
def evil_page():
    schemes = {"abc_tier": [Tier("A", f"label {EVIL}", f"标签 {EVIL}", f"strategy {EVIL}", "策略"),
                            Tier("C", "C", "丙", "", "")]}
    return render_report(evil_table(), {f"survey {EVIL}": {"question": f"text {EVIL}"},
                                        "selection": pd.DataFrame({"note": [EVIL]}, index=pd.Index([EVIL]))},
                         title=f"title {EVIL}", notes=[f"survey text {EVIL}"], schemes=schemes, dpi=20)


def test_markup_in_the_data_is_escaped_and_makes_no_element(evil_page):
    page = Page(evil_page)
    assert "script" not in page.tags
    # every piece of data is there, as text: label, strategy, note, title, cluster name, diagnostics, as-of date
    text = "".join(page.text)
    for shown in (f"label {EVIL}", f"strategy {EVIL}", f"survey text {EVIL}", f"title {EVIL}", f"survey {EVIL}",
                  f"text {EVIL}"):
        assert shown in text
    assert text.count(EVIL) >= 10
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in evil_page
    assert "<script>" not in evil_page and " & co" not in evil_page
    assert not any("<" in value for value in page.attrs)  # no markup in attribute values either


def test_chinese_page_escapes_too():
    schemes = {"abc_tier": [Tier("A", "A", f"标签 {EVIL}", "", f"策略 {EVIL}")]}
    page = render_report(evil_table().drop(columns="cluster_name"), lang="zh", schemes=schemes, dpi=20)
    parsed = Page(page)
    assert "script" not in parsed.tags
    assert f"标签 {EVIL}" in "".join(parsed.text) and f"策略 {EVIL}" in "".join(parsed.text)


def test_the_environment_autoescapes_and_is_strict():
    env = environment()
    assert env.autoescape(PAGE) is True
    assert env.autoescape("macros.html.j2") is True
    assert env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"


@pytest.fixture(scope="module")
def context():
    table = pd.DataFrame({"monetary": [5.0, 1.0], "lifecycle_stage": ["new", "loyal"],
                          "cs_index": [80.0, np.nan], "nps_group": ["promoter", None]})
    return report_context(table, {"rfm": {"edges": [1.0, 2.0]}}, dpi=20)


def test_the_template_renders_from_the_context(context):
    page = environment().get_template(PAGE).render(context)
    assert page.startswith("<!DOCTYPE html>") and 'id="lifecycle_stage"' in page and 'id="diagnostics"' in page


@pytest.mark.parametrize("name", ["title", "text", "summary", "notes", "contents", "overview", "sections",
                                  "satisfaction", "diagnostics", "footer", "html_lang", "alerts"])
def test_a_missing_variable_is_an_error_not_an_empty_cell(context, name):
    assert name in context
    without = {k: v for k, v in context.items() if k != name}
    with pytest.raises(jinja2.UndefinedError, match=name):
        environment().get_template(PAGE).render(without)


def test_a_missing_heading_is_an_error(context):
    text = {k: v for k, v in context["text"].items() if k != "contents"}
    with pytest.raises(jinja2.UndefinedError, match="contents"):
        environment().get_template(PAGE).render({**context, "text": text})


def test_templates_are_package_data():
    """The templates are where the package-data glob of pyproject.toml picks them up."""
    import tomllib
    from importlib import resources
    from pathlib import Path

    templates = resources.files("tierkit.reporting.report") / "templates"
    names = sorted(p.name for p in templates.iterdir() if p.name.endswith(".html.j2"))
    assert names == ["macros.html.j2", "report.html.j2"]
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.exists():  # a source checkout
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        assert "reporting/report/templates/*.html.j2" in config["tool"]["setuptools"]["package-data"]["tierkit"]
        assert any(d.replace(" ", "").startswith("jinja2>=") for d in config["project"]["dependencies"])


def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "chromium-headless-shell"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless Chromium on this machine (Debian package 'chromium')")


def _chromium(browser, tmp_path, *args):
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.slow
def test_the_report_renders_in_a_headless_browser(tmp_path):
    from PIL import Image

    browser = _browser()
    table = evil_table()
    table["lifecycle_stage"] = ["new", "loyal", "new", "at_risk"]
    path = write_report(table, tmp_path / "report.html", notes=[f"survey text {EVIL}"], dpi=40)
    shot = tmp_path / "shot.png"
    done = _chromium(browser, tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", path.as_uri())
    assert shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape[:2] == (1600, 1200)
    pixels = image.reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50  # text, table borders, charts: not one colour
    dark = (pixels.sum(axis=1) < 200).mean()  # headings and table text
    coloured = (pixels.max(axis=1) - pixels.min(axis=1) > 60).mean()  # the title rule, notes, charts
    assert dark > 0.002 and coloured > 0.002, (dark, coloured)
    # the browser's own DOM: the data's markup stayed text, no script element was made
    dom = _chromium(browser, tmp_path, "--dump-dom", path.as_uri()).stdout
    parsed = Page(dom)
    assert "html" in parsed.tags and "table" in parsed.tags and "img" in parsed.tags
    assert "script" not in parsed.tags
    assert f"survey text {EVIL}" in "".join(parsed.text)


#: The alert panel's fill and border colours (report.html.j2, ``.alerts``): #fde2e1 and #c0392b.
PANEL_FILL, PANEL_BORDER = (253, 226, 225), (192, 57, 43)
ALERTS = {"en": ["CLV: Gamma-Gamma q = 1.200 is near 1, where the mean spend is undefined",
                 f"lifecycle_stage: 95% of the customers are 'new' {EVIL}"],
          "zh": ["CLV: Gamma-Gamma q = 1.200 接近 1 (q = 1 时平均消费没有定义)",
                 f"lifecycle_stage: 95% 的客户都是 'new' {EVIL}"]}
HEADINGS = {"en": "Before acting on these tiers", "zh": "使用这些分级之前请注意"}


def _rows_of(image, colour):
    """Screen rows holding at least 200 pixels of exactly ``colour`` (a panel edge to edge, not a chart's dot)."""
    return np.flatnonzero((image == colour).all(axis=2).sum(axis=1) >= 200)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_are_a_warning_panel_on_the_first_screen_before_any_chart(tmp_path, lang):
    from PIL import Image

    browser = _browser()
    table = evil_table()
    table["lifecycle_stage"] = ["new", "loyal", "new", "at_risk"]
    # a long title and two notes above the fold as well: the panel must still fit on the first screen
    path = write_report(table, tmp_path / "report.html", lang=lang, title="Quarterly customer tiers " * 3,
                        notes=["note one", "note two"], alerts=ALERTS[lang], dpi=40)
    shot = tmp_path / "shot.png"
    done = _chromium(browser, tmp_path, "--window-size=1280,800", f"--screenshot={shot}", path.as_uri())
    assert shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape[:2] == (800, 1280)
    fill, border = _rows_of(image, PANEL_FILL), _rows_of(image, PANEL_BORDER)
    # the panel is on screen, tall enough for a heading and two alerts, and closed by its bottom border
    # inside the viewport: the whole panel is above the fold
    assert len(fill) >= 60, len(fill)
    assert border.size and border.min() < fill.min() and border.max() > fill.max() and border.max() < 800
    # the browser's DOM: the panel (heading and alerts in the report's language, escaped) comes right
    # after the title, before the first table and the first chart
    dom = _chromium(browser, tmp_path, "--dump-dom", path.as_uri()).stdout
    panel = dom.index('class="alerts"')
    assert dom.index("</h1>") < panel < dom.index("<table") < dom.index("<img")
    text = "".join(Page(dom[panel:dom.index("</section>", panel)]).text)
    assert HEADINGS[lang] in text and all(alert in text for alert in ALERTS[lang])
    assert "script" not in Page(dom).tags


@pytest.mark.slow
def test_no_alerts_no_panel(tmp_path):
    from PIL import Image

    browser = _browser()
    path = write_report(evil_table(), tmp_path / "report.html", notes=["a note"], dpi=40)
    shot = tmp_path / "shot.png"
    _chromium(browser, tmp_path, "--window-size=1280,800", f"--screenshot={shot}", path.as_uri())
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert len(_rows_of(image, PANEL_FILL)) == 0 and len(_rows_of(image, PANEL_BORDER)) == 0
    page = path.read_text(encoding="utf-8")
    assert 'class="alerts"' not in page and HEADINGS["en"] not in page
    assert report_context(evil_table(), dpi=20)["alerts"] is None


# --- the report for managers, in a real browser: built from the whole CDNOW file with CLV and clusters

#: The KPI cards' fill (report.html.j2, ``.kpi``): #eef3f9; the headline's top rule: #1f4e79.
KPI_FILL, HEADLINE_RULE = (238, 243, 249), (31, 78, 121)
HEADLINE_TITLES = {"en": "Act on: RFM segments", "zh": "重点分级: RFM细分客户"}

#: Injected into a copy of the page only (the report itself has no script): collects script errors,
#: console errors and images that fail to decode, and writes them into the DOM once the page has loaded.
COLLECTOR = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__errors.push(t && t.tagName ? "resource failed: " + t.tagName : "error: " + e.message);
}, true);
var __consoleError = console.error;
console.error = function () {
  window.__errors.push("console: " + Array.from(arguments).join(" "));
  __consoleError.apply(console, arguments);
};
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  images.forEach(function (img, i) {
    if (!img.complete || img.naturalWidth === 0) window.__errors.push("image not decoded: " + i);
  });
  var out = document.createElement("pre");
  out.id = "collected";
  out.textContent = JSON.stringify({errors: window.__errors, images: images.length,
    decoded: images.filter(function (img) { return img.naturalWidth > 0; }).length});
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def cdnow_graded():
    """The whole CDNOW file graded by every default scheme, the CLV model and k-means (with stability)."""
    import warnings

    import tierkit as tk
    from tierkit.mlops.experiment import segmentation_diagnostics

    features = tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")
    segmentation = tk.Segmentation(clv=True, clusters=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = segmentation.fit_transform(features)
        tk.assess_stability(segmentation, features)
    table.attrs = dict(features.attrs)
    return table, segmentation_diagnostics(segmentation)


@pytest.fixture(scope="module", params=["en", "zh"])
def cdnow_report(request, cdnow_graded, tmp_path_factory):
    lang = request.param
    table, diagnostics = cdnow_graded
    folder = tmp_path_factory.mktemp(f"report_{lang}")
    path = write_report(table, folder / "report.html", diagnostics, lang=lang, alerts=ALERTS[lang][:1], dpi=40)
    return lang, path, table


@pytest.mark.slow
def test_the_managers_report_loads_without_errors(cdnow_report, tmp_path):
    import json

    lang, path, _ = cdnow_report
    browser = _browser()
    page = path.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("<head>", "<head>" + COLLECTOR, 1), encoding="utf-8")
    done = _chromium(browser, tmp_path, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
                     "--dump-dom", probe.as_uri())
    collected = Page(done.stdout[done.stdout.index('<pre id="collected">'):]).text[0]
    result = json.loads(collected)
    assert result["errors"] == [], result
    # every chart decoded: snake plot and relative importance included
    assert result["images"] == page.count("<img ") and result["decoded"] == result["images"] >= 15, result
    # and nothing the page did reached the browser's console log
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console


@pytest.mark.slow
def test_the_headline_is_on_the_first_screen(cdnow_report, tmp_path):
    from PIL import Image

    lang, path, table = cdnow_report
    browser = _browser()
    shot = tmp_path / "shot.png"
    done = _chromium(browser, tmp_path, "--window-size=1280,800", f"--screenshot={shot}", path.as_uri())
    assert shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape[:2] == (800, 1280)
    # the alerts panel first, then the headline's rule, then its KPI cards: all above the fold
    panel, rule, cards = _rows_of(image, PANEL_FILL), _rows_of(image, HEADLINE_RULE), _rows_of(image, KPI_FILL)
    assert len(panel) >= 30 and len(rule) >= 4, (len(panel), len(rule))
    assert len(cards) >= 60, len(cards)  # the cards' fill, 5 cards side by side
    assert panel.max() < rule.min() < cards.min() and cards.max() < 800
    # the browser's DOM: the headline's title, KPI values and the conflict the issue names
    dom = _chromium(browser, tmp_path, "--dump-dom", path.as_uri()).stdout
    assert dom.index('class="alerts"') < dom.index('id="headline"') < dom.index("<img")
    text = "".join(Page(dom).text)
    assert HEADLINE_TITLES[lang] in text
    assert f"{len(table):,}" in text and "2,589" in text
    conflict = {"en": "2,589 'Loyal' customers", "zh": "2,589 名「"}[lang]
    assert conflict in text
