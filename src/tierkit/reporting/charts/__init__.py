"""Charts of tiers (matplotlib, no pyplot state): every plot function takes ``ax=None`` and returns the Axes.

With ``lang="zh"`` tier names and axis labels are Chinese and drawn with the CJK font that
ships inside tierkit (a subset of Noto Sans CJK SC, see :mod:`tierkit.reporting.charts.fonts`);
no system font is needed.
"""

from tierkit.reporting.charts._common import figure_png, write_charts
from tierkit.reporting.charts.clv_cs import plot_clv_cs_grid
from tierkit.reporting.charts.fonts import chart_fonts, cjk_font_family
from tierkit.reporting.charts.lifecycle import plot_lifecycle_funnel
from tierkit.reporting.charts.pareto import pareto_curve, plot_pareto
from tierkit.reporting.charts.quadrant import plot_value_potential
from tierkit.reporting.charts.rfm import plot_rfm_heatmap, rfm_cell_means
from tierkit.reporting.charts.shares import plot_tier_pie, plot_tier_shares

__all__ = [
    "chart_fonts",
    "cjk_font_family",
    "figure_png",
    "pareto_curve",
    "plot_clv_cs_grid",
    "plot_lifecycle_funnel",
    "plot_pareto",
    "plot_rfm_heatmap",
    "plot_tier_pie",
    "plot_tier_shares",
    "plot_value_potential",
    "rfm_cell_means",
    "write_charts",
]
