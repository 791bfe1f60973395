"""A transaction frame is read by position and column, never through its pandas index (issue 20).

A frame filtered with pandas keeps the labels of the rows left, so its index has gaps; a frame
built by concatenation repeats labels; others carry text or several levels of labels, or labels
out of order. None of it may change what tierkit reads: the same rows, in the same order, the
same features and the same messages. A row named in a message is its 1-based position in the
frame (``row 1`` is the first row), as for Parquet files and survey frames.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.data import ColumnMap
from tierkit.errors import DataError

RETAIL = Path(__file__).parent / "online_retail.parquet"


def test_filtered_online_retail_keeps_every_row_and_customer():
    """The frame of the issue: guests filtered out with pandas, so the index has 135,080 gaps."""
    raw = pd.read_parquet(RETAIL)
    tx = raw.dropna(subset=["CustomerID"])
    df = pd.DataFrame({"customer_id": tx.CustomerID.astype("int64"), "date": tx.InvoiceDate,
                       "order_id": tx.InvoiceNo, "amount": tx.Quantity * tx.UnitPrice})
    assert not df.index.equals(pd.RangeIndex(len(df)))  # the gaps are what the issue is about
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out, so nothing is warned about
        out = tk.normalize_transactions(df)
    assert len(out) == 406_829
    assert out["customer_id"].nunique() == 4_372
    assert out.attrs["read_report"]["rows_kept"] == 406_829
    assert out.attrs["read_report"]["rejected"] == {}
    assert out.index.equals(pd.RangeIndex(406_829))
    # row for row what the frame holds, in its order
    assert out["customer_id"].tolist() == df["customer_id"].astype("str").tolist()
    assert out.columns.tolist() == ["customer_id", "date", "amount"]  # order_id is not mapped in the call
    np.testing.assert_array_equal(out["amount"].to_numpy(), df["amount"].to_numpy())
    np.testing.assert_array_equal(out["date"].to_numpy(), df["date"].astype("datetime64[us]").to_numpy())


# -- one small frame under every kind of index -------------------------------------------------

#: Position 3 (1-based) has no customer id; position 6 has a date that is not a date.
ROWS = [
    ("c1", "2021-03-01", "10.5", "o1"),
    ("c2", "2021-03-02", "4", "o2"),
    (None, "2021-03-02", "7", "o3"),
    ("c1", "2021-03-05", "-2.5", "o4"),
    ("c3", "2021-03-07", "0", "o5"),
    ("c2", "not a date", "3", "o6"),
    ("c3", "2021-03-09", "12", "o7"),
    ("c1", "2021-03-09", "1", "o7"),
]
MISSING_ROW, BAD_ROW = 3, 6
AS_OF = "2021-03-31"


def text_frame() -> pd.DataFrame:
    """Every column as text (object), as a CSV read with dtype=str gives."""
    return pd.DataFrame(ROWS, columns=["customer_id", "date", "amount", "order_id"], dtype=object)


def typed_frame() -> pd.DataFrame:
    """Integer ids (a float column, for the missing one), numbers as floats, order numbers as integers."""
    ids = [np.nan if r[0] is None else float(r[0][1:]) for r in ROWS]
    return pd.DataFrame({"cust": ids, "day": [r[1] for r in ROWS], "value": [float(r[2]) for r in ROWS],
                         "order": [int(r[3][1:]) for r in ROWS]})


FRAMES = {
    "text": (text_frame, ColumnMap(order_id="order_id")),
    "typed": (typed_frame, ColumnMap(customer_id="cust", date="day", amount="value", order_id="order")),
}


def _reindexed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    n = len(frame)
    index = {
        "range": pd.RangeIndex(n),
        "gapped": pd.Index([3 * i + 100 for i in range(n)]),
        "duplicated": pd.Index([i // 2 for i in range(n)]),
        "overlapping": pd.Index(list(range(n, 0, -1))),  # labels 1..n: half of them collide with positions
        "string": pd.Index([f"row{i}" for i in range(n)]),
        "multi": pd.MultiIndex.from_arrays([[i % 2 for i in range(n)], [f"k{i}" for i in range(n)]],
                                           names=["shop", "key"]),
        "shuffled": pd.Index(np.random.default_rng(20).permutation(n)),
        "named": pd.Index([f"x{i}" for i in range(n)], name="customer_id"),
    }[kind]
    out = frame.copy()
    out.index = index
    return out


INDEXES = ["range", "gapped", "duplicated", "overlapping", "string", "multi", "shuffled", "named"]


def _normalized(make, columns, kind, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = tk.normalize_transactions(_reindexed(make(), kind), columns=columns, **options)
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def _refusal(make, columns, kind, **options) -> str:
    with pytest.raises(DataError) as info:
        tk.normalize_transactions(_reindexed(make(), kind), columns=columns, **options)
    return str(info.value)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_every_index_gives_the_transactions_of_a_range_index(name):
    make, columns = FRAMES[name]
    options = {"missing_customers": "drop", "on_bad_rows": "skip"}
    expected, expected_warnings = _normalized(make, columns, "range", **options)
    # the range-indexed frame itself is read right: every good row, in frame order
    good = [r for i, r in enumerate(ROWS, start=1) if i not in (MISSING_ROW, BAD_ROW)]
    assert len(expected) == len(good)
    assert expected["amount"].tolist() == [float(r[2]) for r in good]
    assert expected.index.equals(pd.RangeIndex(len(good)))
    assert any(f"row {BAD_ROW}:" in w for w in expected_warnings), expected_warnings
    for kind in INDEXES[1:]:
        out, caught = _normalized(make, columns, kind, **options)
        pd.testing.assert_frame_equal(out, expected, obj=f"{kind} index")
        assert out.attrs == expected.attrs, kind
        assert caught == expected_warnings, kind


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_every_index_gives_the_features_of_a_range_index(name):
    make, columns = FRAMES[name]
    options = {"missing_customers": "drop", "on_bad_rows": "skip"}
    range_tx = _normalized(make, columns, "range", **options)[0]
    expected = tk.rfm_features(range_tx, as_of=AS_OF)
    assert expected.index.tolist() == sorted({str(r[0]) if name == "text" else r[0][1:] for r in ROWS if r[0]})
    for kind in INDEXES[1:]:
        tx, _ = _normalized(make, columns, kind, **options)
        pd.testing.assert_frame_equal(tk.rfm_features(tx, as_of=AS_OF), expected, obj=f"{kind} index")
        # a canonical frame given straight to rfm_features is read by position too
        direct = tk.rfm_features(_reindexed(range_tx, kind), as_of=AS_OF)
        pd.testing.assert_frame_equal(direct, expected, obj=f"{kind} index, canonical frame")


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_every_index_names_the_same_row_in_a_refusal(name):
    make, columns = FRAMES[name]
    missing = _refusal(make, columns, "range")
    assert f"1 row(s) have an empty customer id (first at row {MISSING_ROW})" in missing
    bad = _refusal(make, columns, "range", missing_customers="drop")
    assert f", row {BAD_ROW}: value 'not a date' is not a date" in bad
    for kind in INDEXES[1:]:
        assert _refusal(make, columns, kind) == missing, kind
        assert _refusal(make, columns, kind, missing_customers="drop") == bad, kind


def test_an_empty_customer_id_is_named_by_its_position_not_its_label():
    frame = _reindexed(text_frame(), "gapped")
    assert frame.index[MISSING_ROW - 1] != MISSING_ROW - 1  # the label would name another row
    with pytest.raises(DataError, match=rf"first at row {MISSING_ROW}\)"):
        tk.normalize_transactions(frame, columns=ColumnMap(order_id="order_id"))


@pytest.mark.filterwarnings("ignore:transactions:UserWarning")
def test_the_callers_frame_is_left_as_it_was():
    frame = _reindexed(typed_frame(), "multi")
    before = frame.copy()
    tk.normalize_transactions(frame, columns=FRAMES["typed"][1], missing_customers="drop", on_bad_rows="skip")
    pd.testing.assert_frame_equal(frame, before)


# -- survey answers are rows too; per-customer tables are keyed by their index ----------------


def test_survey_answers_are_read_by_position_whatever_their_index():
    answers = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "score": [4, 9, 6, 11],
                            "date": ["2021-01-01", "2021-03-01", "2021-02-01", "2021-02-03"]})
    good = answers.iloc[:3]
    expected = tk.customer_satisfaction(good)
    refusal = "survey: column 'score', row 4: value '11' is outside the nps 0-10 scale"
    for kind in INDEXES:
        pd.testing.assert_frame_equal(tk.customer_satisfaction(_reindexed(good, kind)), expected, obj=kind)
        with pytest.raises(DataError, match=refusal):
            tk.customer_satisfaction(_reindexed(answers, kind))


def test_with_satisfaction_still_joins_on_the_customer_id_index():
    """Feature and satisfaction tables are keyed by customer id: there the index is the join key."""
    features = pd.DataFrame({"clv": [1.0, 2.0, 3.0]}, index=pd.Index(["c", "a", "b"], name="customer_id"))
    survey = pd.DataFrame({"cs_index": [80.0, 20.0]}, index=pd.Index(["a", "c"], name="customer_id"))
    joined = tk.with_satisfaction(features, survey)
    assert joined.index.tolist() == ["c", "a", "b"]
    assert joined["cs_index"].tolist()[:2] == [20.0, 80.0] and np.isnan(joined["cs_index"].iloc[2])
