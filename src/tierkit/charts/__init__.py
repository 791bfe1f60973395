"""Charts of tiers (matplotlib, no pyplot state): every plot function takes ``ax=None`` and returns the Axes.

With ``lang="zh"`` tier names and axis labels are Chinese and drawn with an installed CJK
font (see :mod:`tierkit.charts.fonts`; ``apt-get install -y fonts-wqy-microhei``).
"""

from tierkit.charts._common import figure_png
from tierkit.charts.clv_cs import plot_clv_cs_grid
from tierkit.charts.fonts import chart_fonts, cjk_font_family
from tierkit.charts.lifecycle import plot_lifecycle_funnel
from tierkit.charts.pareto import pareto_curve, plot_pareto
from tierkit.charts.quadrant import plot_value_potential
from tierkit.charts.rfm import plot_rfm_heatmap, rfm_cell_means
from tierkit.charts.shares import plot_tier_pie, plot_tier_shares

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
]
