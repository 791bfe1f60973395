"""The defects the reliability suite found, each as its smallest input (strict expected failures).

Each test states what the README promises; it fails today, and passes (failing the suite
until its mark is removed) once the defect is fixed. The generated cases that show the same
defect carry the same reason (``fuzz_plan.defects``).
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pytest
from fuzz_paths import run_command
from fuzz_plan import EMPTY_TEXT_DEFECT, LINE_DEFECT, MONEY_DEFECT, REJECTS_DEFECT

import tierkit as tk
from tierkit.errors import DataError

HALF_READ_DEFECT = ("DEFECT: the rule 'a format that rejects more than half of a column's dates refuses the column, "
                    "even under --on-bad-rows skip' is checked only when some row is left out *for* a bad date: when "
                    "the failing dates are on rows left out for an earlier reason (no customer id), the column is read")


@pytest.mark.xfail(strict=True, reason=MONEY_DEFECT)
def test_money_is_the_exact_sum_of_the_amounts_as_written(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\nc,2021-01-01,313930199755.61\nc,2021-01-02,70.16\n")
    features = tk.rfm_features(tk.read_transactions(path), as_of="2021-02-01")
    exact = Decimal("313930199755.61") + Decimal("70.16")
    assert features.loc["c", "monetary"] == float(exact)  # tierkit: 313930199825.76996, not 313930199825.77


@pytest.mark.xfail(strict=True, reason=LINE_DEFECT)
def test_a_line_after_a_quoted_line_break_is_named_by_its_file_line(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text('customer_id,date,amount,note\nA,2021-01-01,5,"two\nlines"\nD,2021-01-02,x,\n')
    with pytest.raises(DataError, match=r"column 'amount', line 4: value 'x'"):  # tierkit: line 3
        tk.read_transactions(path)


def test_parquet_nanosecond_zone_aware_timestamps_are_read_on_their_zones_clock(tmp_path):
    stamps = pd.Series(pd.to_datetime(["2021-03-01 10:00"])).dt.tz_localize("Asia/Tokyo")
    frame = pd.DataFrame({"customer_id": ["a"], "date": stamps.astype("datetime64[ns, Asia/Tokyo]"),
                          "amount": [1.0]})
    frame.to_parquet(tmp_path / "tx.parquet")  # pandas' default resolution: DuckDB reads TIMESTAMPTZ_NS
    tx = tk.read_transactions(tmp_path / "tx.parquet")  # tierkit: duckdb.ConversionException
    assert tx["date"].tolist() == [pd.Timestamp("2021-03-01 10:00")]


def test_a_workbooks_text_na_is_a_customer_id(tmp_path):
    pd.DataFrame({"customer_id": ["NA", "null", "C1"], "date": ["2021-01-01"] * 3,
                  "amount": [1.0, 2.0, 3.0]}).to_excel(tmp_path / "tx.xlsx", index=False)
    tx = tk.read_transactions(tmp_path / "tx.xlsx")  # tierkit: 2 row(s) have an empty customer id
    assert tx["customer_id"].tolist() == ["NA", "null", "C1"]


@pytest.mark.xfail(strict=True, reason=REJECTS_DEFECT)
def test_a_refused_segment_leaves_no_rejects_file(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\n1,2021-01-01,-5\n2,xx,3\n")  # a return and a bad date
    run = run_command(["segment", path, "--as-of", "2021-04-01", "--out", tmp_path / "out.csv", "--no-clv",
                       "--no-clusters", "--on-bad-rows", "skip", "--rejects", tmp_path / "rejects.csv"], tmp_path)
    assert run.status == 2 and run.error.endswith("nothing to grade")
    assert run.new_files == []  # tierkit: ['rejects.csv']


@pytest.mark.xfail(strict=True, reason=EMPTY_TEXT_DEFECT)
def test_an_empty_string_is_named_as_an_empty_cell_is(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\nA,2021-01-01,5\nB,2021-01-02,\n")
    with pytest.raises(DataError) as by_file:
        tk.read_transactions(path)
    frame = pd.DataFrame({"customer_id": ["A", "B"], "date": ["2021-01-01", "2021-01-02"], "amount": ["5", ""]})
    with pytest.raises(DataError) as by_frame:
        tk.normalize_transactions(frame, source=str(path))
    assert "line 3: value empty is not a number" in str(by_file.value)
    assert "row 2: value empty is not a number" in str(by_frame.value)  # tierkit: value ''


@pytest.mark.xfail(strict=True, reason=HALF_READ_DEFECT)
def test_a_format_that_rejects_most_dates_refuses_the_column_whatever_else_the_rows_lack(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\n,garbage,1\n,junk,1\nA,2021-01-05,3\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError, match="2 of 3 dates do not match"):  # tierkit: read, 1 row kept
            tk.read_transactions(path, missing_customers="drop", on_bad_rows="skip")
