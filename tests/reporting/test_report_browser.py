"""The report's first screen in a real browser: the headline, why its scheme, and where the schemes disagree.

Per language, on CDNOW and on the UCI Online Retail file, the report is opened in headless
Chromium at 1366x900; a script injected into a copy of the page (the report itself has no
script) writes the bounding boxes of the headline's title, its reason and the disagreement
findings into the DOM, which ``--dump-dom`` returns.
"""

import json
import re
import warnings
from pathlib import Path

import pytest
from test_report_template import _browser, _chromium

import tierkit as tk
from tierkit.mlops.experiment import segmentation_diagnostics
from tierkit.reporting.report import write_report

RETAIL = Path(__file__).parents[1] / "data" / "online_retail.parquet"
WIDTH, HEIGHT = 1366, 900

#: Writes the boxes (top, bottom in CSS pixels) of the first-screen elements into the DOM once laid out.
BOXES = """<script>
window.addEventListener("load", function () {
  function box(el) { var r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, text: el.textContent}; }
  var h = document.querySelector("#headline");
  var out = {viewport: window.innerHeight,
    title: box(h.querySelector("h2")), why: box(h.querySelector(".why")),
    count: box(document.querySelector("#disagreements .disagree-count")),
    findings: Array.from(document.querySelectorAll("#disagreements > ul > li")).map(box)};
  var pre = document.createElement("pre"); pre.id = "boxes"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _graded(name):
    if name == "cdnow":
        features = tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")
    else:
        if not RETAIL.exists():
            pytest.skip("no tests/data/online_retail.parquet")
        tx = tk.read_transactions(RETAIL, customer_id="CustomerID", date="InvoiceDate", order_id="InvoiceNo",
                                  quantity="Quantity", price="UnitPrice", missing_customers="drop")
        features = tk.rfm_features(tx, as_of="2011-12-10")
    segmentation = tk.Segmentation(clv=True, clusters=True, value_potential=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = segmentation.fit_transform(features)
    table.attrs = dict(features.attrs)
    return table, segmentation_diagnostics(segmentation)


@pytest.fixture(scope="module", params=["cdnow", "online_retail"])
def graded(request):
    return request.param, _graded(request.param)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_first_screen_holds_the_headline_its_reason_and_the_disagreements(graded, lang, tmp_path):
    name, (table, diagnostics) = graded
    browser = _browser()
    path = write_report(table, tmp_path / "report.html", diagnostics, lang=lang, dpi=30, currency="USD")
    page = path.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("<head>", "<head>" + BOXES, 1), encoding="utf-8")
    done = _chromium(browser, tmp_path, f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=10000",
                     "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="boxes">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    boxes = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
    assert boxes["viewport"] <= HEIGHT
    assert boxes["findings"], boxes  # there are disagreements on both data sets, and they are named
    for element in [boxes["title"], boxes["why"], boxes["count"], *boxes["findings"]]:
        assert 0 <= element["top"] < element["bottom"] <= boxes["viewport"], (name, lang, element)
    assert {"en": "Act on:", "zh": "重点分级:"}[lang] in boxes["title"]["text"]
    if name == "cdnow":  # the disagreement the issue names, with its share computed here
        share = (table.loc[table["abc_tier"] == "ordinary", "value_potential"] == "star").mean()
        first = boxes["findings"][0]["text"]
        assert f"{share:.0%}" in first and {"en": "'Ordinary'", "zh": "「普通客户」"}[lang] in first
