r"""The 11 named RFM segments (champions ... lost) on an R x FM score grid.

``fm_score`` is the mean of the F and M scores rounded half up. The default grid below maps
each of the 25 (R, FM) cells to exactly one segment; pass your own ``grid`` (a dict
``{(r, fm): key}`` covering every cell, or a 5x5 table indexed by R with FM columns) to
replace it. Published rule sets for these names differ and overlap; this one is:

======  ============  ==================  ==================  ==================  ==========
R \ FM  1             2                   3                   4                   5
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

from tierkit.errors import Param, TierkitError
from tierkit.tiers._base import TierTransformer, require_columns
from tierkit.words import RFM_SEGMENTS  # noqa: F401  (the scheme's tiers)

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
        raise TierkitError("grid_cells", param=Param("grid"), missing=str(missing), extra=str(extra))
    bad = {cell: key for cell, key in grid.items() if not isinstance(key, str) or not key}
    if bad:
        raise TierkitError("grid_names", param=Param("grid"), bad=bad)
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

    Parameters
    ----------
    scores : pandas.DataFrame
        ``r_score``, ``f_score`` and ``m_score`` per customer.
    grid : dict or pandas.DataFrame, optional
        ``{(r, fm): key}`` for all 25 cells, or a 5x5 table; default :func:`default_grid`.

    Returns
    -------
    pandas.DataFrame
        ``fm_score`` and ``rfm_segment``, one row per row of ``scores``, on its index.

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


class RFMSegmenter(TierTransformer):
    """:func:`rfm_segments` as an estimator: the grid is the standard, nothing is learned from data.

    Parameters
    ----------
    grid : dict or pandas.DataFrame, optional
        ``{(r, fm): key}`` for all 25 cells, or a 5x5 table; default :func:`default_grid`.

    Attributes
    ----------
    grid_ : dict
        The checked grid in use.

    Examples
    --------
    >>> s = pd.DataFrame({"r_score": [5], "f_score": [1], "m_score": [1]})
    >>> RFMSegmenter().fit(s).transform(s)["rfm_segment"].tolist()
    ['new']
    """

    _parameter_constraints = {"grid": [dict, pd.DataFrame, None]}

    def __init__(self, grid=None):
        self.grid = grid

    def _check_parameters_together(self):
        check_grid(self.grid)  # every cell of the grid mapped once

    def _columns_in(self, X):
        return ("r_score", "f_score", "m_score")

    def _columns_out(self):
        return ("fm_score", "rfm_segment")

    _learns_from_counts = True

    def _fit_columns_in(self, X):
        return ()  # the grid is given, not learned: fit reads no column

    def _fit(self, X):
        self.grid_ = check_grid(self.grid)

    def _fit_statistics(self, statistics):
        self.grid_ = check_grid(self.grid)

    def _transform(self, X):
        return rfm_segments(X, self.grid_)

    def standards(self) -> dict:
        """The grid in use as ``{"R,FM": segment}``.

        Returns
        -------
        dict of str to str
        """
        super().standards()
        return {"grid": {f"{r},{fm}": key for (r, fm), key in sorted(self.grid_.items())}}
