"""What the chart modules share: axes creation, UI words in two languages, tier lookups."""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.figure import Figure

from tierkit.errors import DataError
from tierkit.tiers.vocabulary import Tier, check_lang

WORDS = {
    "customers": ("Customers", "客户数"),
    "customer_share": ("Share of customers", "客户占比"),
    "revenue_share": ("Share of revenue", "收入占比"),
    "revenue": ("Revenue", "收入"),
    "value": ("Historical value", "历史价值"),
    "potential": ("Potential (predicted CLV)", "潜在价值 (预测CLV)"),
    "mean_monetary": ("Mean monetary value by R and F score", "按R、F评分的平均消费金额"),
    "r_score": ("R score (5 = most recent)", "R评分 (5 = 最近)"),
    "f_score": ("F score", "F评分"),
    "pareto": ("Pareto curve: cumulative share of value", "帕累托曲线: 累计价值占比"),
    "cum_customers": ("Cumulative share of customers (largest first)", "累计客户占比 (从大到小)"),
    "cum_value": ("Cumulative share of value", "累计价值占比"),
    "equality": ("Equal shares", "均等分布"),
    "clv_cs": ("CLV-CS grid: customers and mean CLV", "CLV-CS矩阵: 客户数与平均CLV"),
    "clv_level": ("CLV level", "CLV等级"),
    "cs_level": ("Satisfaction level", "满意度等级"),
    "mean_clv": ("mean CLV", "平均CLV"),
    "unrated": ("without a survey answer", "无满意度数据"),
    "value_potential": ("Value-potential matrix", "客户价值-潜力矩阵"),
    "lifecycle": ("Lifecycle funnel", "客户生命周期漏斗"),
    "tier_shares": ("Tier shares: {column}", "客户等级占比: {column}"),
    "pie_customers": ("Customers by tier: {column}", "各等级客户数: {column}"),
    "pie_revenue": ("Revenue by tier: {column}", "各等级收入: {column}"),
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
    "n": ("n", "人数"),
    "split": ("split", "分界"),
}


def word(key: str, lang: str, **fmt) -> str:
    """A UI word in ``lang``."""
    text = WORDS[key][1 if lang == "zh" else 0]
    return text.format(**fmt) if fmt else text


def new_axes(ax, figsize=(7.0, 4.5)):
    """``ax`` itself, or the Axes of a new :class:`~matplotlib.figure.Figure` (no pyplot)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.subplots()


def figure_png(fig, dpi: int = 100, lang: str = "en") -> bytes:
    """The figure as PNG bytes (drawn with the CJK font fallback of :func:`chart_fonts`)."""
    from tierkit.reporting.charts.fonts import chart_fonts

    buffer = io.BytesIO()
    with chart_fonts(lang):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def require(table: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{who}: missing column(s) {', '.join(map(repr, missing))}; "
                        f"present: {', '.join(map(str, table.columns))}")


def scheme_tiers(column: str, keys=()) -> tuple[Tier, ...] | None:
    """The tiers of a known tier column (all schemes of tierkit), or ``None``."""
    from tierkit.tiers.abc_tiers import ABC_TIERS
    from tierkit.tiers.schemes import tier_schemes

    abc_scheme = "course"
    if column == "abc_tier":
        seen = set(keys)
        # The ABC scheme sharing most keys with the column (unknown keys are shown as they are).
        abc_scheme = max(ABC_TIERS, key=lambda s: len(seen & {t.key for t in ABC_TIERS[s]}))
    return tier_schemes(abc_scheme).get(column)


def cluster_tiers(table: pd.DataFrame) -> tuple[Tier, ...]:
    """Tiers of ``cluster_name`` in cluster order (0 = most valuable), labelled after their RFM class.

    Examples
    --------
    >>> t = pd.DataFrame({"cluster": [1, 0], "cluster_name": ["general_winback", "important_value_2"]})
    >>> [(x.key, x.zh) for x in cluster_tiers(t)]
    [('important_value_2', '0: 重要价值客户 2'), ('general_winback', '1: 一般挽留客户')]
    """
    from tierkit.clusters.naming import cluster_label, cluster_strategy

    pairs = table[["cluster", "cluster_name"]].dropna().drop_duplicates().sort_values("cluster")
    return tuple(Tier(name, f"{number}: {cluster_label(name, 'en')}", f"{number}: {cluster_label(name, 'zh')}",
                      cluster_strategy(name, "en"), cluster_strategy(name, "zh"))
                 for number, name in zip(pairs["cluster"], pairs["cluster_name"]))


def tiers_for(table: pd.DataFrame, column: str, tiers=None) -> list[Tier]:
    """Tiers to show for ``column``, in scheme order, keeping only those with customers.

    Unknown columns (``cluster_name``) become one tier per value, largest first, named by the
    value itself.
    """
    counts = table[column].value_counts(dropna=True)
    if tiers is None and column == "cluster_name" and "cluster" in table.columns:
        tiers = cluster_tiers(table)
    if tiers is None:
        tiers = scheme_tiers(column, counts.index)
    if tiers is None:
        return [Tier(str(k), str(k), str(k)) for k in counts.index]
    known = [t for t in tiers if t.key in counts.index]
    extra = [Tier(str(k), str(k), str(k)) for k in counts.index if k not in {t.key for t in tiers}]
    return known + extra


def check(lang: str) -> str:
    return check_lang(lang)
