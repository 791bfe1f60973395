import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data.surveys import customer_satisfaction
from tierkit.datasets import synthetic_survey
from tierkit.errors import TierkitError
from tierkit.reporting.report import render_report, report_sections, write_report
from tierkit.segmentation.chain import Segmentation
from tierkit.tiers.clv_cs import CLVCSGrid
from tierkit.tiers.value_potential import ValuePotentialMatrix


@pytest.fixture(scope="module")
def scored():
    """CDNOW sample graded by every scheme; a stand-in positive 'clv' column, a synthetic survey."""
    tx = tk.load_cdnow(sample=True)
    features = tk.rfm_features(tx[tx["date"] <= "1997-09-30"], as_of="1997-09-30")
    table = Segmentation().fit_transform(features)
    table["clv"] = table["monetary_btyd"] * (1 + table["frequency_btyd"])  # any positive column will do
    survey = customer_satisfaction(synthetic_survey(table.index, seed=1, as_of="1997-09-30"))
    table = tk.with_satisfaction(table, survey)
    table = table.join(CLVCSGrid().fit_transform(table))
    table = table.join(ValuePotentialMatrix().fit_transform(table))
    table["cluster_name"] = np.where(table["frequency"] > 1, "repeat <buyers>", "one-off")
    table.attrs = dict(features.attrs)
    return table


def images(page):
    return re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)


@pytest.mark.slow
def test_every_section_and_chart_is_present(scored):
    page = render_report(scored, {"rfm": {"edges": [1.0, 2.0]}}, dpi=40)
    assert report_sections(scored) == ["rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage", "cluster_name",
                                       "clv_cs_class", "value_potential"]
    for column in report_sections(scored) + ["satisfaction", "diagnostics"]:
        assert f'id="{column}"' in page
    # shares bars per scheme, two pies for the schemes of at most 6 tiers (ABC, lifecycle, clusters,
    # value-potential; not the 8 RFM classes, 9+ RFM segments, 7 CLV-CS classes), plus RFM heatmap,
    # Pareto, funnel, CLV-CS grid, quadrants
    assert len(images(page)) == 7 + 4 * 2 + 5
    assert "Keep and reward: co-create, priority service" in page  # strategy of core
    assert "1997-09-30" in page and f"{len(scored):,}" in page


@pytest.mark.slow
def test_report_is_self_contained_and_escapes_data(scored):
    page = render_report(scored, {"selection": pd.DataFrame({"k": [3], "note": ["<script>alert(1)</script>"]})},
                         notes=["Survey is <synthetic>"], dpi=40)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "repeat &lt;buyers&gt;" in page and "repeat <buyers>" not in page
    assert "Survey is &lt;synthetic&gt;" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


@pytest.mark.slow
def test_chinese_report(scored):
    page = render_report(scored, lang="zh", dpi=40)
    assert '<html lang="zh-CN">' in page
    for text in ("客户分级管理报告", "核心客户", "保持与奖励: 共创, 优先服务", "重要价值客户", "净推荐值"):
        assert text in page


def test_nps_per_tier_by_hand():
    table = pd.DataFrame({
        "monetary": [10.0, 20, 30, 40],
        "abc_tier": ["A", "A", "A", "C"],
        "cs_index": [100.0, 90, 30, np.nan],
        "nps_group": ["promoter", "promoter", "detractor", None],
    })
    page = render_report(table, dpi=40)
    # tier A: 2 promoters, 1 detractor of 3 -> NPS +33.3; overall the same 3 respondents
    assert "<td class=\"num\">+33.3</td>" in page
    assert "3 (75.0%)" in page  # rated customers


def test_only_present_sections():
    table = pd.DataFrame({"monetary": [5.0, 1.0], "lifecycle_stage": ["new", "loyal"]})
    page = render_report(table, dpi=40)
    assert 'id="lifecycle_stage"' in page and 'id="rfm_class"' not in page and 'id="satisfaction"' not in page
    assert len(images(page)) == 4


def test_write_report_is_atomic_html(scored, tmp_path):
    small = scored.head(200)
    path = write_report(small, tmp_path / "r.html", dpi=30)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    with pytest.raises(TierkitError, match="ending in .html"):
        write_report(small, tmp_path / "r.txt")
    with pytest.raises(TierkitError, match="no 'monetary' column"):
        render_report(small.drop(columns="monetary"))
    with pytest.raises(TierkitError, match="lang"):
        render_report(small, lang="de")


TX = ("customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n003,2021-03-28,5\n"
      "003,2021-03-30,-2\n004,2020-06-01,300\n005,2021-03-15,80\n005,2021-03-20,40\n")


def test_cli_report_with_a_survey(tmp_path, capsys):
    tx = tmp_path / "tx.csv"
    tx.write_text(TX)
    survey = tmp_path / "survey.csv"
    survey.write_text("customer_id,date,score\n001,2021-03-01,9\n002,2021-03-01,4\n005,2021-05-01,10\n")
    out = tmp_path / "report.html"
    assert main(["report", str(tx), "--as-of", "2021-04-01", "--satisfaction", str(survey), "--out", str(out),
                 "--no-clv", "--no-clusters"]) == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="satisfaction"' in page and 'id="abc_tier"' in page
    # 005 answered after --as-of: only 001 and 002 count, one promoter and one detractor
    assert "2 (40.0%)" in page
    assert "<tr><th>Net promoter score (all respondents)</th><td>+0.0</td></tr>" in page


def test_cli_report_bad_survey_is_one_line(tmp_path, capsys):
    tx = tmp_path / "tx.csv"
    tx.write_text(TX)
    survey = tmp_path / "survey.csv"
    survey.write_text("customer_id,date,score\n001,2021-03-01,4\n002,2021-03-01,6\n")
    code = main(["report", str(tx), "--as-of", "2021-04-01", "--satisfaction", str(survey), "--survey-scale", "csat",
                 "--out", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"tierkit: error: {survey}: column 'score', line 3: value '6' is outside the csat 1-5 scale "
        "(1 bad row(s) in all)"]
    assert not (tmp_path / "r.html").exists()


class MonetaryAsCLV(BaseEstimator):
    """A CLV step with a CLV known by hand (clv = monetary), so the tertile edges below are hand-computed."""

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def transform(self, X):
        return pd.DataFrame({"clv": X["monetary"].clip(lower=0)}, index=X.index)


def test_segmentation_adds_clv_cs_and_value_potential_after_the_clv_step():
    from tierkit.mlops.experiment import segmentation_diagnostics

    tx = pd.read_csv(pd.io.common.StringIO(TX), dtype={"customer_id": str}, parse_dates=["date"])
    features = tk.rfm_features(tx, as_of="2021-04-01")
    survey = pd.DataFrame({"cs_index": [90.0, 20.0]}, index=["001", "004"])
    segmentation = tk.Segmentation(clv=MonetaryAsCLV(), clv_cs=True, value_potential=True)
    table = segmentation.fit_transform(tk.with_satisfaction(features, survey))
    diagnostics = segmentation_diagnostics(segmentation)
    # clv = monetary 150, 20, 3, 300, 120: tertile edges 20 + 100 / 3 = 53.3 and 120 + 30 * 2 / 3 = 140
    assert table.loc["004", "clv_cs_class"] == "at_risk_key" and table.loc["001", "clv_cs_class"] == "core"
    assert table.loc["002", "clv_cs_class"] == "unrated"
    assert table["value_potential"].to_dict() == {"001": "star", "002": "low_priority", "003": "low_priority",
                                                  "004": "star", "005": "low_priority"}
    assert {"rfm", "abc", "clv_cs", "value_potential"} <= set(diagnostics)
    assert table.attrs["as_of"] == "2021-04-01"


# --- the report for managers: headline, per-tier numbers, conflicts, clusters, readable diagnostics

def managers_table():
    """Eight customers graded by hand: RFM segment, lifecycle stage, orders, recency, spend, CLV."""
    table = pd.DataFrame({
        "recency": [10.0, 20, 300, 400, 30, 500, 600, 700],
        "frequency": [5, 3, 4, 2, 1, 1, 1, 2],
        "monetary": [500.0, 300, 200, 100, 50, 20, 10, 40],
        "clv": [90.0, 60, 10, 5, 20, 1, 0, 2],
        "rfm_segment": ["champions", "champions", "loyal", "loyal", "new", "lost", "lost", "lost"],
        "lifecycle_stage": ["loyal", "repeat", "at_risk", "at_risk", "new", "churned", "churned", "churned"],
    }, index=pd.Index([f"c{i}" for i in range(8)], name="customer_id"))
    table.attrs.update(as_of="2021-04-01", time_unit="D")
    return table


def text_of(page):
    from html.parser import HTMLParser

    parts = []
    parser = HTMLParser()
    parser.handle_data = parts.append
    parser.feed(page)
    return " ".join(" ".join(parts).split())


def test_the_headline_comes_first_with_kpis_tiers_and_conflicts():
    page = render_report(managers_table(), dpi=20)
    text = text_of(page)
    # default headline: rfm_segment; it comes before the contents and every scheme's section
    assert page.index('id="headline"') < page.index("<nav>") < page.index('id="rfm_segment"')
    assert "Act on: RFM segments" in text
    # KPI cards: 8 customers, revenue 1,220.00 in 19 orders, champions 800 of 1,220 = 65.6% from 25% of customers,
    # mean CLV 188 / 8 = 23.50, no alert
    for shown in ("Customers 8", "Revenue 1,220.00 19 orders", "Revenue from Champions 65.6% 25.0% of the customers",
                  "Mean CLV 23.50", "Alerts 0 none"):
        assert shown in text, shown
    # champions: 2 customers, 8 orders, 800.00 revenue, AOV 100.00, median recency 15.0 days, median orders 4.0,
    # median revenue 400.00, mean CLV 75.00
    assert "Champions champions 2 25.0% 8 800.00 65.6% 100.00 15.0 4.0 400.00 75.00" in text
    # the other scheme read against the headline, and the conflict: both 'Loyal' customers are lifecycle 'At risk'
    assert "Loyal loyal At risk · 100%" in text
    assert "2 'Loyal' customers (100% of the tier) are 'At risk' in Lifecycle stages" in text
    # the headline's tier table is not repeated in its own section
    section = page[page.index('id="rfm_segment"'):page.index('id="lifecycle_stage"')]
    assert "<table" not in section and 'href="#headline"' in section


def test_the_headline_can_be_chosen_and_follows_the_holdout_comparison():
    table = managers_table()
    page = render_report(table, headline="lifecycle_stage", dpi=20)
    assert "Act on: Lifecycle stages" in text_of(page)
    comparison = pd.DataFrame({"variance_share": [0.4, 0.1]}, index=pd.Index(["lifecycle_stage", "rfm_segment"]))
    page = render_report(table, {"comparison (holdout)": comparison}, dpi=20)
    text = text_of(page)
    assert "Act on: Lifecycle stages" in text and "(40% of the spend variance lies between its tiers)" in text
    with pytest.raises(TierkitError, match="headline: 'abc_tier' is not a tier column"):
        render_report(table, headline="abc_tier")


def test_chinese_headline():
    text = text_of(render_report(managers_table(), lang="zh", dpi=20))
    assert "重点分级: RFM细分客户" in text
    assert "2 名「忠诚客户」客户 (占该等级 100%) 在客户生命周期阶段中为「流失风险客户」" in text


def test_diagnostics_are_labelled_rows_and_tables_not_dicts():
    diagnostics = {
        "clv": {"model": "bgnbd", "bgnbd": {"r": 0.2671277, "alpha": 41.905}, "model_comparison": {},
                "standard_errors": {"bgnbd": {"r": 0.00366}}},
        "rfm_segments": {"grid": {f"{r},{f}": f"s{r}{f}" for r in range(1, 3) for f in range(1, 3)}},
        "clusters": {"selection": [{"k": 2, "silhouette": 0.57}, {"k": 3, "silhouette": 0.48}]},
    }
    page = render_report(managers_table(), diagnostics, dpi=20)
    section = page[page.index('id="diagnostics"'):]
    text = text_of(section)
    assert "{" not in text and "'" not in text  # no dict or list repr anywhere
    assert "<th>bgnbd · r</th><td>0.2671</td>" in section and "standard errors · bgnbd · r" in text
    assert "model comparison" not in text  # an empty dict says nothing
    assert "R \\ FM" in text and "s22" in text  # the segment grid as a table, R high first
    assert "<th>silhouette</th>" in section  # records as a table


@pytest.mark.slow
def test_cluster_profiles_and_snake_plot_from_the_diagnostics():
    tx = tk.load_cdnow(sample=True)
    features = tk.rfm_features(tx, as_of="1998-06-30")
    from tierkit.mlops.experiment import segmentation_diagnostics

    segmentation = tk.Segmentation(clusters=tk.KMeansSegmenter(k=3))
    table = segmentation.fit_transform(features)
    table.attrs = dict(features.attrs)
    page = render_report(table, segmentation_diagnostics(segmentation), dpi=20)
    section = page[page.index('id="cluster_name"'):page.index('id="diagnostics"')]
    assert "<h3>Cluster profiles</h3>" in section and "Mean recency (days)" in section
    assert 'alt="snake plot"' in section and 'alt="relative importance"' in section
    # the profiles are in the cluster section, not repeated among the diagnostics
    assert "centres scaled" not in page and "k rule" in page


def test_cli_report_headline(tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text(TX)
    out = tmp_path / "report.html"
    assert main(["report", str(tx), "--as-of", "2021-04-01", "--out", str(out), "--no-clv", "--no-clusters",
                 "--headline", "abc_tier"]) == 0
    assert "Act on: ABC tiers by contribution" in text_of(out.read_text(encoding="utf-8"))


def test_cli_report_of_all_zero_amounts_renders_and_says_there_is_no_revenue(tmp_path, capsys):
    tx = tmp_path / "tx.csv"
    tx.write_text(re.sub(r",-?\d+\n", ",0\n", TX))
    out = tmp_path / "report.html"
    assert main(["report", str(tx), "--as-of", "2021-04-01", "--out", str(out), "--no-clv", "--no-clusters"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert '<div class="note">All amounts are zero: the customers are graded' in page
    # every scheme is graded and shown, with its pies (the revenue one saying there is nothing to show)
    for column in ("rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage"):
        assert f'id="{column}"' in page
    assert 'alt="ABC tiers by contribution: revenue"' in page
    assert 'alt="ABC tiers by contribution: Pareto curve"' in page


# --- issue 21: a report that never contradicts itself (CDNOW, every scheme, CLV and clusters)

@pytest.fixture(scope="module")
def cdnow_full():
    import warnings

    from tierkit.mlops.experiment import segmentation_diagnostics

    features = tk.rfm_features(tk.load_cdnow(), as_of="1998-06-30")
    segmentation = Segmentation(clv=True, clusters=True, value_potential=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = segmentation.fit_transform(features)
    table.attrs = dict(features.attrs)
    return table, segmentation_diagnostics(segmentation), segmentation


def _text(page):
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_cdnow_report_names_where_the_schemes_disagree(cdnow_full):
    table, diagnostics, _ = cdnow_full
    page = render_report(table, diagnostics, dpi=20, currency="USD")
    text = _text(page)
    share = (table.loc[table["abc_tier"] == "ordinary", "value_potential"] == "star").mean()
    assert f"{share:.0%} of 'Ordinary' (ABC tiers by contribution, {(table.abc_tier == 'ordinary').sum():,} " \
           "customers) are 'Star (high value, high potential)' in Value-potential matrix" in text
    assert "Follow ABC tiers by contribution:" in text
    loyal = table.loc[table["rfm_segment"] == "loyal", "recency"]
    assert f"'Loyal' (RFM segments): median recency {loyal.median():.0f} days" in text
    # the section sits in the headline, before the tier tables; the false blanket sentence is gone
    assert page.index('id="headline"') < page.index('id="disagreements"') < page.index('class="tiers"')
    assert "No customer is among the best in one scheme and lapsing in another" not in text
    assert re.search(r"\d+ disagreements: \d+ tiers mostly inside", text)


def test_money_figures_carry_their_horizon_and_currency(cdnow_full):
    from tierkit.reporting.report.render import report_context

    table, diagnostics, segmentation = cdnow_full
    horizon = segmentation.named_step("clv").horizon if hasattr(segmentation, "named_step") else "365D"
    assert str(horizon).upper() in ("365D", "365 DAYS")
    context = report_context(table, diagnostics, dpi=20, currency="£")
    cards = {card["label"]: card for card in context["kpis"]}
    assert "Mean CLV (365 days)" in cards and cards["Mean CLV (365 days)"]["value"].startswith("£")
    assert cards["Revenue"]["value"].startswith("£")
    headers = context["headline"]["table"].columns
    assert "Revenue (£)" in headers and "Mean CLV (365 days) (£)" in headers
    # no currency asked for: no symbol
    plain = {card["label"]: card["value"] for card in report_context(table, diagnostics, dpi=20)["kpis"]}
    assert plain["Revenue"][0].isdigit()


def _chart_labels(figure) -> set[str]:
    """Every axis label and text line of a figure's Axes (the colour bar's too)."""
    return {line for ax in figure.axes
            for text in (ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts))
            for line in text.split("\n") if line}


@pytest.mark.parametrize("given, attrs", [("EUR", None), (None, "EUR"), (None, None)])
def test_the_report_draws_its_money_charts_with_the_currency(scored, monkeypatch, given, attrs):
    """--currency (or the table's attrs["currency"], as segment and the experiment set it) reaches the charts."""
    from tierkit.reporting.report import render

    drawn = []
    monkeypatch.setattr(render, "figure_png", lambda figure, dpi=100, lang="en": drawn.append(figure) or b"")
    table = scored.copy()
    table.attrs = {**scored.attrs, **({"currency": attrs} if attrs else {})}
    render.report_context(table, currency=given, dpi=20)
    labels = set().union(*(_chart_labels(figure) for figure in drawn))
    money = {"monetary (EUR)", "Historical value (monetary, EUR)", "Potential (predicted CLV) (clv, EUR)"}
    if given or attrs:
        assert money <= labels and any(line.startswith("mean CLV EUR ") for line in labels)
    else:
        assert not [line for line in labels if "EUR" in line] and "Historical value (monetary)" in labels


def test_an_untrusted_clv_says_why_next_to_its_card():
    from tierkit.reporting.report.render import report_context

    t = pd.DataFrame({"monetary": [5.0, 9.0], "clv": [1.0, 2.0], "abc_tier": ["high_end", "small"],
                      "clv_caveat": pd.Categorical(["no dropout learned"] * 2)})
    card = next(c for c in report_context(t, {"clv": {"horizon": "52W"}}, dpi=20)["kpis"]
                if c["label"].startswith("Mean CLV"))
    assert card["label"] == "Mean CLV (52 weeks)" and card["tone"] == "warn"
    assert "no dropout learned" in card["sub"] and "not a ranking" in card["sub"]


def _one_year_of_regulars():
    """300 customers buying every 20-60 days through one year: the CLV model learns no dropout."""
    rng = np.random.default_rng(0)
    rows = [(f"c{c}", pd.Timestamp("2021-01-01") + pd.Timedelta(days=int(day)), float(rng.integers(10, 100)))
            for c in range(300) for day in range(int(rng.integers(0, 60)), 360, int(rng.integers(20, 60)))]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_a_chinese_report_gives_the_reason_of_an_untrusted_clv_in_chinese():
    import warnings

    from tierkit.grading import caveat_in_language
    from tierkit.mlops.experiment import segmentation_diagnostics
    from tierkit.reporting.report.render import report_context

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features = tk.rfm_features(_one_year_of_regulars(), as_of="2022-01-01")
        segmentation = Segmentation(clv=tk.CLVModel(), clusters=None, value_potential=None).fit(features)
        table = segmentation.transform(features)
    reason = segmentation.named_step("clv").trust_["reason"]
    assert reason.key == "no_dropout_learned" and table["clv_caveat"].notna().all()  # the premise

    def clv_card(table, diagnostics, lang):
        kpis = report_context(table, diagnostics, lang=lang, dpi=20)["kpis"]
        return next(c for c in kpis if "CLV" in c["label"])

    # the reason was left out of a Chinese report (the table holds its English text)
    for diagnostics in (segmentation_diagnostics(segmentation), None):
        card = clv_card(table, diagnostics, "zh")
        if diagnostics is not None:  # rendered from the model's keyed reason
            assert card["sub"].endswith(": " + reason.render("zh")) and card["tone"] == "warn", card["sub"]
        else:  # only English text known: never English inside the Chinese line
            assert not re.search(r"[A-Za-z]{3,}", card["sub"].replace("CLV", "")), card["sub"]
    # a table graded in Chinese holds the Chinese reason: shown without the diagnostics too
    chinese = caveat_in_language(table.copy(), segmentation, "zh")
    assert clv_card(chinese, None, "zh")["sub"].endswith(": " + reason.render("zh"))
    assert clv_card(table, segmentation_diagnostics(segmentation), "en")["sub"].endswith(": " + str(reason))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_why_this_k_with_the_candidates(cdnow_full, lang):
    table, diagnostics, _ = cdnow_full
    page = render_report(table, diagnostics, lang=lang, dpi=20)
    k = diagnostics["clusters"]["k_reason"]["chosen"]
    heading = {"en": f"Why k = {k}", "zh": f"为何 k = {k}"}[lang]
    start = page.index('id="k_reason"')
    block = _text(page[start:page.index("</table>", start)])
    assert heading in block and {"en": "Can be acted on", "zh": "可行动性"}[lang] in block
    assert {"en": "largest k whose clusters", "zh": "可据以行动的最大 k"}[lang] in block
    assert len(re.findall(r"<tr>", page[start:page.index("</table>", start)])) == 1 + len(
        diagnostics["clusters"]["k_reason"]["candidates"])


def test_the_chinese_candidates_table_has_no_english_verdict(cdnow_full):
    from tierkit.clusters.selection import ACTION_VERDICTS
    from tierkit.words import term

    table, diagnostics, _ = cdnow_full
    page = render_report(table, diagnostics, lang="zh", dpi=20)
    start = page.index('id="k_reason"')
    block = _text(page[start:page.index("</table>", start)])
    assert not [verdict for verdict in ACTION_VERDICTS if verdict in block]
    shown = {c["action"] for c in diagnostics["clusters"]["k_reason"]["candidates"]}
    assert shown and all(term(verdict, "zh") in block for verdict in shown)


def test_both_languages_have_the_same_sections_and_images(cdnow_full):
    from tierkit.clv.diagnostics import clv_diagnostics

    table, diagnostics, _ = cdnow_full
    validation = clv_diagnostics(tk.load_cdnow(sample=True), calibration_end="1997-09-30", holdout_end="1998-06-30")
    pages = {lang: render_report(table, diagnostics, lang=lang, dpi=20, validation=validation)
             for lang in ("en", "zh")}
    ids = {lang: re.findall(r' id="([^"]+)"', page) for lang, page in pages.items()}
    assert ids["en"] == ids["zh"] and "clv_validation" in ids["en"] and "disagreements" in ids["en"]
    assert len(images(pages["en"])) == len(images(pages["zh"])) >= 30
