"""The 11 named RFM segments (champions ... lost) on an R x FM score grid.

``fm_score`` is the mean of the F and M scores rounded half up. The default grid below maps
each of the 25 (R, FM) cells to exactly one segment; pass your own ``grid`` (a dict
``{(r, fm): key}`` covering every cell, or a 5x5 table indexed by R with FM columns) to
replace it. Published rule sets for these names differ and overlap; this one is:

======  ============  ==================  ==================  ==================  ==========
R \\ FM  1             2                   3                   4                   5
======  ============  ==================  ==================  ==================  ==========
5       new           potential_loyalist  potential_loyalist  champions           champions
4       promising     potential_loyalist  potential_loyalist  loyal               loyal
3       about_to_sleep about_to_sleep     need_attention      loyal               loyal
2       hibernating   hibernating         at_risk             at_risk             cant_lose
1       lost          hibernating         at_risk             at_risk             cant_lose
======  ============  ==================  ==================  ==================  ==========
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierkit.tiers._checks import require_columns
from tierkit.errors import TierkitError
from tierkit.tiers.vocabulary import Tier

RFM_SEGMENTS = (
    Tier("champions", "Champions", "冠军客户", "Reward them; early access, ask for reviews", "奖励, 新品优先体验, 邀请评价"),
    Tier("loyal", "Loyal", "忠诚客户", "Upsell higher-value products, loyalty programme", "推荐高价值产品, 会员计划"),
    Tier("potential_loyalist", "Potential loyalist", "潜在忠诚客户", "Membership offers, recommend related products", "会员邀请, 推荐相关产品"),
    Tier("new", "New customers", "新客户", "Onboarding, build the relationship early", "新客引导, 尽早建立关系"),
    Tier("promising", "Promising", "有潜力客户", "Create brand awareness, free trials", "提升品牌认知, 免费试用"),
    Tier("need_attention", "Need attention", "需要关注客户", "Limited-time offers based on past purchases", "基于历史购买的限时优惠"),
    Tier("about_to_sleep", "About to sleep", "即将沉睡客户", "Share popular products, reconnect", "推荐热门产品, 重新建立联系"),
    Tier("at_risk", "At risk", "流失风险客户", "Personal emails, renewals, helpful resources", "个性化沟通, 续订提醒"),
    Tier("cant_lose", "Can't lose them", "不能失去的客户", "Win them back with new products; talk to them", "推出新品挽回, 直接沟通"),
    Tier("hibernating", "Hibernating", "沉睡客户", "Offer other relevant products and special discounts", "推荐相关产品和专属折扣"),
    Tier("lost", "Lost", "已流失客户", "Revive interest with outreach, else ignore", "尝试唤回, 否则不再投入"),
)

DEFAULT_GRID_ROWS = {
    5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
    1: ["lost", "hibernating", "at_risk", "at_risk", "cant_lose"],
}


def default_grid() -> dict[tuple[int, int], str]:
    """The default (R, FM) -> segment map; every one of the 25 cells is present.

    Examples
    --------
    >>> g = default_grid()
    >>> len(g), g[(5, 5)], g[(1, 1)]
    (25, 'champions', 'lost')
    """
    return {(r, fm + 1): key for r, row in DEFAULT_GRID_ROWS.items() for fm, key in enumerate(row)}


def grid_table(grid=None) -> pd.DataFrame:
    """The grid as a 5x5 table (R score rows 5..1, FM score columns 1..5), for docs and reports."""
    grid = check_grid(grid)
    return pd.DataFrame(
        [[grid[(r, fm)] for fm in range(1, 6)] for r in range(5, 0, -1)],
        index=pd.Index(range(5, 0, -1), name="r_score"),
        columns=pd.Index(range(1, 6), name="fm_score"),
    )


def check_grid(grid=None) -> dict[tuple[int, int], str]:
    """Validate a user grid: complete over 5x5 cells, each cell exactly one segment."""
    if grid is None:
        return default_grid()
    if isinstance(grid, pd.DataFrame):
        grid = {(int(r), int(fm)): grid.loc[r, fm] for r in grid.index for fm in grid.columns}
    cells = {(r, fm) for r in range(1, 6) for fm in range(1, 6)}
    missing = sorted(cells - set(grid))
    extra = sorted(set(grid) - cells)
    if missing or extra:
        raise TierkitError(
            f"grid: must map every (R, FM) cell 1..5 x 1..5 exactly once; missing {missing}, extra {extra}"
        )
    bad = {cell: key for cell, key in grid.items() if not isinstance(key, str) or not key}
    if bad:
        raise TierkitError(f"grid: segment names must be non-empty text, got {bad}")
    return dict(grid)


def fm_score(f_score, m_score) -> np.ndarray:
    """Mean of F and M scores, rounded half up.

    Examples
    --------
    >>> fm_score(np.array([1, 4, 5]), np.array([2, 4, 4])).tolist()
    [2, 4, 5]
    """
    return ((np.asarray(f_score) + np.asarray(m_score) + 1) // 2).astype("int64")


def rfm_segments(scores: pd.DataFrame, grid=None) -> pd.DataFrame:
    """``fm_score`` and ``rfm_segment`` from the R, F, M scores of :class:`tierkit.RFMScorer`.

    Scores outside 1..5 (a scorer with other ``n_bins``) are clipped onto the grid.

    Examples
    --------
    >>> s = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "m_score": [4, 1]})
    >>> rfm_segments(s)["rfm_segment"].tolist()
    ['champions', 'lost']
    """
    require_columns(scores, ("r_score", "f_score", "m_score"), "rfm_segments")
    grid = check_grid(grid)
    r = np.clip(scores["r_score"].to_numpy(), 1, 5)
    fm = np.clip(fm_score(scores["f_score"].to_numpy(), scores["m_score"].to_numpy()), 1, 5)
    lookup = np.empty((6, 6), dtype=object)
    for (gr, gfm), key in grid.items():
        lookup[gr, gfm] = key
    return pd.DataFrame({"fm_score": fm, "rfm_segment": lookup[r, fm]}, index=scores.index)


class RFMSegmenter:
    """:func:`rfm_segments` as a pipeline step (nothing to learn; the grid is the standard).

    Examples
    --------
    >>> s = pd.DataFrame({"r_score": [5], "f_score": [1], "m_score": [1]})
    >>> RFMSegmenter().fit(s).transform(s)["rfm_segment"].tolist()
    ['new']
    """

    def __init__(self, grid=None):
        self.grid = grid

    def fit(self, X, y=None):
        self.grid_ = check_grid(self.grid)
        return self

    def transform(self, X):
        return rfm_segments(X, getattr(self, "grid_", None) or self.grid)

    def get_params(self, deep=True):
        return {"grid": self.grid}
