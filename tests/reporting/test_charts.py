import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from tierkit.errors import DataError, TierkitError
from tierkit.reporting.charts import (
    chart_fonts,
    cjk_font_family,
    figure_png,
    pareto_curve,
    plot_clv_cs_grid,
    plot_lifecycle_funnel,
    plot_pareto,
    plot_rfm_heatmap,
    plot_tier_pie,
    plot_tier_shares,
    plot_value_potential,
    rfm_cell_means,
)


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    n = 300
    monetary = rng.gamma(2.0, 50.0, n)
    table = pd.DataFrame({
        "monetary": monetary,
        "clv": monetary * rng.uniform(0.0, 2.0, n),
        "r_score": rng.integers(1, 6, n),
        "f_score": rng.integers(1, 6, n),
        "rfm_class": rng.choice(["important_value", "general_develop", "general_winback"], n),
        "rfm_segment": rng.choice(["champions", "lost", "at_risk"], n),
        "lifecycle_stage": rng.choice(["new", "repeat", "loyal", "at_risk", "churned"], n),
        "cs_level": rng.choice(["high", "low", "unrated"], n),
        "clv_level": rng.choice(["high", "medium", "low"], n),
    }, index=pd.Index([f"{i:04d}" for i in range(n)], name="customer_id"))
    ranks = table["monetary"].rank(ascending=False, method="first") / n
    table["abc_tier"] = np.select([ranks <= 0.05, ranks <= 0.2, ranks <= 0.5], ["high_end", "important", "ordinary"],
                                  "small")
    classes = {("high", "high"): "core", ("high", "low"): "at_risk_key", ("medium", "high"): "growth",
               ("medium", "low"): "fragile", ("low", "high"): "advocate", ("low", "low"): "marginal"}
    table["clv_cs_class"] = [classes.get((c, s), "unrated")
                             for c, s in zip(table["clv_level"], table["cs_level"], strict=True)]
    vs, ps = table["monetary"].median(), table["clv"].median()
    table["value_potential"] = np.select(
        [(table.monetary > vs) & (table.clv > ps), table.monetary > vs, table.clv > ps],
        ["star", "harvest", "develop"], "low_priority")
    return table


def all_plots(table, lang):
    return [
        plot_tier_shares(table, "rfm_class", lang=lang),
        plot_tier_pie(table, "abc_tier", lang=lang),
        plot_tier_pie(table, "clv_cs_class", measure="revenue", lang=lang),
        plot_rfm_heatmap(table, lang=lang),
        plot_pareto(table, lang=lang),
        plot_clv_cs_grid(table, lang=lang),
        plot_value_potential(table, lang=lang),
        plot_lifecycle_funnel(table, lang=lang),
    ]


def test_a_cjk_font_is_installed_and_found():
    # Fails on a machine without a Chinese font: install with
    #   apt-get update && apt-get install -y fonts-wqy-microhei
    family = cjk_font_family()
    assert family is not None, "no CJK font: apt-get install -y fonts-wqy-microhei"
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    font = font_manager.get_font(path)
    assert font.get_char_index(ord("核")) != 0 and font.get_char_index(ord("户")) != 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_renders_without_missing_glyphs(scored, lang):
    with warnings.catch_warnings():
        # matplotlib warns "Glyph ... missing from font(s)" when a character would be a box.
        warnings.filterwarnings("error", message=".*missing from font.*")
        for ax in all_plots(scored, lang):
            png = figure_png(ax.figure, lang=lang)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_glyph_check_does_fire_without_the_cjk_font():
    # The check above is real: without the fallback font, Chinese text warns.
    fig = Figure()
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig.subplots().set_title("核心客户")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(__import__("io").BytesIO(), format="png")


def test_zh_charts_use_chinese_tier_names(scored):
    ax = plot_tier_shares(scored, "rfm_class", lang="zh")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["重要价值客户", "一般发展客户", "一般挽留客户"]
    en = plot_tier_shares(scored, "rfm_class", lang="en")
    assert [t.get_text() for t in en.get_yticklabels()][0] == "Important value"


def test_plots_draw_on_a_given_axes_and_leave_pyplot_alone(scored):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = Figure()
    axes = fig.subplots(2, 4).ravel()
    plots = [
        lambda ax: plot_tier_shares(scored, "rfm_class", ax=ax),
        lambda ax: plot_tier_pie(scored, "abc_tier", ax=ax),
        lambda ax: plot_rfm_heatmap(scored, ax=ax),
        lambda ax: plot_pareto(scored, ax=ax),
        lambda ax: plot_clv_cs_grid(scored, ax=ax),
        lambda ax: plot_value_potential(scored, ax=ax),
        lambda ax: plot_lifecycle_funnel(scored, ax=ax),
    ]
    for ax, plot in zip(axes, plots, strict=False):
        assert plot(ax) is ax
    for ax in all_plots(scored, "en"):
        assert isinstance(ax, Axes)
    assert plt.get_fignums() == before


def test_tier_shares_bars_are_the_shares():
    t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": [70.0, 20.0, 5.0, 5.0]})
    widths = [round(float(b.get_width()), 6) for b in plot_tier_shares(t, "abc_tier").patches]
    assert widths == [25.0, 25.0, 50.0, 70.0, 20.0, 10.0]  # customers %, then revenue %


def test_pie_slices_follow_the_measure():
    t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": [70.0, 20.0, 5.0, 5.0]})
    ax = plot_tier_pie(t, "abc_tier", measure="revenue")
    angles = [round(w.theta2 - w.theta1, 6) for w in ax.patches]
    assert angles == [252.0, 72.0, 36.0]
    with pytest.raises(TierkitError, match="measure"):
        plot_tier_pie(t, "abc_tier", measure="profit")


def test_pareto_curve_by_hand():
    x, y = pareto_curve([10.0, 30.0, 60.0, -5.0])
    assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert y.tolist() == [0.0, 0.6, 0.9, 1.0, 1.0]


def test_pareto_marks_each_tier_end(scored):
    ax = plot_pareto(scored)
    marks = sorted(round(line.get_xdata()[0], 6) for line in ax.get_lines()[2:] if line.get_linestyle() == "--")
    assert marks == [5.0, 20.0, 50.0]


def test_rfm_cell_means_by_hand():
    t = pd.DataFrame({"r_score": [5, 5, 1], "f_score": [1, 1, 5], "monetary": [10.0, 30.0, 7.0]})
    means, counts = rfm_cell_means(t)
    assert means.loc[5, 1] == 20.0 and means.loc[1, 5] == 7.0 and np.isnan(means.loc[3, 3])
    assert counts.loc[5, 1] == 2 and counts.to_numpy().sum() == 3
    assert means.index.tolist() == [5, 4, 3, 2, 1]


def test_clv_cs_grid_counts_cells_and_names_unrated(scored):
    ax = plot_clv_cs_grid(scored)
    data = ax.images[0].get_array().data
    rated = scored[scored.cs_level != "unrated"]
    assert data[0, 0] == ((rated.clv_level == "high") & (rated.cs_level == "high")).sum()
    assert data.sum() == len(rated)
    assert f"{(scored.cs_level == 'unrated').sum():,} without a survey answer" in ax.get_title()


def test_value_potential_counts_per_quadrant(scored):
    ax = plot_value_potential(scored)
    texts = {t.get_text().split("\n")[0]: t.get_text().split("\n")[1] for t in ax.texts}
    assert texts["Star"] == f"n={(scored.value_potential == 'star').sum():,}"
    assert texts["Low priority"] == f"n={(scored.value_potential == 'low_priority').sum():,}"


def test_lifecycle_funnel_orders_stages():
    t = pd.DataFrame({"lifecycle_stage": ["churned", "loyal", "new", "new", "repeat", "at_risk"]})
    ax = plot_lifecycle_funnel(t)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["New", "Repeat", "Loyal", "At risk", "Churned"]


def test_missing_columns_are_named():
    with pytest.raises(DataError, match="'f_score'"):
        plot_rfm_heatmap(pd.DataFrame({"r_score": [1], "monetary": [1.0]}))
    with pytest.raises(TierkitError, match="lang"):
        plot_lifecycle_funnel(pd.DataFrame({"lifecycle_stage": ["new"]}), lang="fr")


def test_chart_fonts_is_scoped():
    before = list(matplotlib.rcParams["font.family"])
    with chart_fonts("zh"):
        assert matplotlib.rcParams["font.family"][0] == cjk_font_family()
    assert list(matplotlib.rcParams["font.family"]) == before


def test_tier_colours_follow_the_scheme_order_best_to_worst():
    from matplotlib.colors import to_hex

    from tierkit.reporting.charts import plot_tier_pie, plot_tier_shares
    from tierkit.reporting.charts.palette import NEUTRAL, ordered_colors, tier_colors

    t = pd.DataFrame({"abc_tier": ["small", "high_end", "important", "ordinary"], "monetary": [1.0, 9, 5, 2]})
    best_to_worst = ordered_colors(4)
    assert best_to_worst[0] == "#1a7f4b" and best_to_worst[-1] == "#a3262a"
    bars = plot_tier_shares(t, "abc_tier").patches
    # high_end, important, ordinary, small: top to bottom, green to red, customers' bars then revenue's
    assert [to_hex(b.get_facecolor()[:3]) for b in bars[4:]] == best_to_worst
    wedges = plot_tier_pie(t, "abc_tier").patches
    assert [to_hex(w.get_facecolor()[:3]) for w in wedges] == best_to_worst
    assert tier_colors(["core", "unrated"])["unrated"] == NEUTRAL


def test_a_pie_of_more_than_six_tiers_is_bars():
    from tierkit.reporting.charts import plot_tier_pie

    keys = ["champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "lost"]
    t = pd.DataFrame({"rfm_segment": keys, "monetary": 1.0})
    ax = plot_tier_pie(t, "rfm_segment", measure="revenue")
    assert ax.get_xlabel() == "%" and len(ax.patches) == 7
    assert [tick.get_text() for tick in ax.get_yticklabels()][0] == "Champions"
    six = plot_tier_pie(t.iloc[:6], "rfm_segment")
    assert len(six.patches) == 6 and six.get_xlabel() == ""


@pytest.mark.parametrize("amounts, says", [([0.0, 0.0, 0.0, 0.0], "Nothing to show: all amounts are zero"),
                                           ([-5.0, 0.0, -1.0, 0.0], "Nothing to show: no revenue above zero")])
def test_money_charts_without_revenue_say_there_is_nothing_to_show(amounts, says):
    t = pd.DataFrame({"abc_tier": ["A", "B", "C", "C"], "monetary": amounts})
    for ax in (plot_tier_pie(t, "abc_tier", measure="revenue"), plot_pareto(t)):
        assert [text.get_text() for text in ax.texts] == [says]
        assert len(ax.patches) == len(ax.get_lines()) == 0 and ax.get_title()
        assert figure_png(ax.figure, dpi=20)  # draws
    many = pd.DataFrame({"rfm_segment": ["champions", "loyal", "potential_loyalist", "new", "promising",
                                         "need_attention", "lost"], "monetary": 0.0})
    assert [x.get_text() for x in plot_tier_pie(many, "rfm_segment", measure="revenue").texts] == [
        "Nothing to show: all amounts are zero"]
    # the customers' pie still has its slices
    assert len(plot_tier_pie(t, "abc_tier", measure="customers").patches) == 3
    zh = plot_tier_pie(t, "abc_tier", measure="revenue", lang="zh")
    assert zh.texts[0].get_text().startswith("无可显示")


@pytest.mark.parametrize("lang, value, potential, mean_clv", [
    ("en", "Historical value", "Potential (predicted CLV)", "mean CLV"),
    ("zh", "历史价值", "潜在价值 (预测CLV)", "平均CLV"),
])
def test_money_charts_carry_the_currency_in_both_languages(scored, lang, value, potential, mean_clv):
    heatmap = plot_rfm_heatmap(scored, lang=lang, currency="EUR")
    assert heatmap.figure.axes[-1].get_ylabel() == "monetary (EUR)"  # the colour bar: mean monetary per cell
    quadrant = plot_value_potential(scored, lang=lang, currency="EUR")
    assert quadrant.get_xlabel() == f"{value} (monetary, EUR)"
    assert quadrant.get_ylabel() == f"{potential} (clv, EUR)"
    grid = plot_clv_cs_grid(scored, lang=lang, currency="€")
    means = [line for text in grid.texts for line in text.get_text().split("\n") if line.startswith(mean_clv)]
    assert means and all(line.startswith(f"{mean_clv} €") for line in means)
    # without a currency the labels stay as they were
    assert plot_rfm_heatmap(scored, lang=lang).figure.axes[-1].get_ylabel() == "monetary"
    assert plot_value_potential(scored, lang=lang).get_xlabel() == f"{value} (monetary)"
    plain = [line for text in plot_clv_cs_grid(scored, lang=lang).texts for line in text.get_text().split("\n")
             if line.startswith(mean_clv)]
    assert plain and all(line[len(mean_clv) + 1].isdigit() for line in plain)
