import itertools

import pandas as pd
import pytest

from tierkit.errors import TierkitError
from tierkit.tiers.rfm_segments import RFM_SEGMENTS, check_grid, default_grid, fm_score, grid_table, rfm_segments


def test_default_grid_maps_every_cell_to_exactly_one_of_eleven_segments():
    grid = default_grid()
    assert set(grid) == set(itertools.product(range(1, 6), range(1, 6)))
    assert set(grid.values()) == {t.key for t in RFM_SEGMENTS}
    assert len(RFM_SEGMENTS) == 11


def test_segments_from_scores():
    scores = pd.DataFrame({
        "r_score": [5, 5, 4, 3, 2, 1, 1],
        "f_score": [5, 1, 1, 3, 5, 1, 5],
        "m_score": [5, 1, 1, 3, 5, 1, 4],
    })
    out = rfm_segments(scores)
    assert out["fm_score"].tolist() == [5, 1, 1, 3, 5, 1, 5]
    assert out["rfm_segment"].tolist() == ["champions", "new", "promising", "need_attention", "cant_lose", "lost",
                                           "cant_lose"]


def test_fm_score_rounds_half_up():
    assert fm_score([1, 2, 4], [2, 3, 5]).tolist() == [2, 3, 5]


def test_user_grid_replaces_the_default():
    mine = {cell: "everyone" for cell in default_grid()}
    mine[(5, 5)] = "best"
    out = rfm_segments(pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "m_score": [5, 1]}), grid=mine)
    assert out["rfm_segment"].tolist() == ["best", "everyone"]
    assert (grid_table(mine).loc[5, 5], grid_table(mine).loc[1, 1]) == ("best", "everyone")


def test_incomplete_grid_is_refused():
    grid = default_grid()
    del grid[(3, 3)]
    with pytest.raises(TierkitError, match=r"missing \[\(3, 3\)\]"):
        check_grid(grid)
