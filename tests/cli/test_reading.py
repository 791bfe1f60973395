"""The reading options on the command line: one-line refusals that name the flag, and their effects."""


import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main

AMBIGUOUS = "customer_id,date,amount\nA,03/01/2021,10\nB,04/02/2021,7\nA,05/02/2021,3\n"


def run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.err.strip()


@pytest.fixture
def ambiguous(tmp_path):
    path = tmp_path / "dmy.csv"
    path.write_text(AMBIGUOUS)
    return path


def test_ambiguous_dates_refused_naming_the_flag_and_no_output(ambiguous, tmp_path, capsys):
    out = tmp_path / "out.csv"
    status, err = run(["segment", str(ambiguous), "--as-of", "2021-04-01", "--out", str(out), "--no-clv",
                       "--no-clusters"], capsys)
    assert status == 2 and len(err.splitlines()) == 1
    assert err.endswith("give --date-format '%d/%m/%Y' or '%m/%d/%Y'")
    assert not out.exists()


def test_date_format_decides_and_day_first_is_read_day_first(ambiguous, tmp_path, capsys):
    out = tmp_path / "out.csv"
    status, _ = run(["segment", str(ambiguous), "--as-of", "2021-04-01", "--out", str(out), "--no-clv",
                     "--no-clusters", "--date-format", "%d/%m/%Y"], capsys)
    assert status == 0
    table = pd.read_csv(out).set_index("customer_id")
    assert table.loc["A", "first_purchase"] == "2021-01-03" and table.loc["A", "last_purchase"] == "2021-02-05"


@pytest.mark.parametrize("as_of", ["04/01/2021", "2021-4-1", "1 April 2021"])
def test_as_of_takes_iso_dates_only(ambiguous, tmp_path, capsys, as_of):
    status, err = run(["segment", str(ambiguous), "--as-of", as_of, "--out", str(tmp_path / "o.csv"),
                       "--date-format", "%d/%m/%Y"], capsys)
    assert status == 2
    assert err == f"tierkit: error: --as-of: {as_of!r} is not a date; expected YYYY-MM-DD such as 2021-04-01"


def test_output_equal_to_the_input_is_refused_and_the_input_kept(ambiguous, capsys):
    status, err = run(["segment", str(ambiguous), "--as-of", "2021-04-01", "--out", str(ambiguous),
                       "--date-format", "%d/%m/%Y"], capsys)
    assert status == 2 and "is also an input file" in err
    assert ambiguous.read_text() == AMBIGUOUS


def test_skip_writes_rejects_and_reports_the_count(tmp_path, capsys):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\nA,2021-03-01,10\nA,2021-03-32,5\n,2021-03-02,1\nB,2021-03-05,x\n"
                    "B,2021-03-06,2\nA,2021-03-09,4\n")
    rejects = tmp_path / "rejects.csv"
    status, err = run(["segment", str(path), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"),
                       "--no-clv", "--no-clusters", "--on-bad-rows", "skip", "--missing-customers", "drop",
                       "--rejects", str(rejects)], capsys)
    assert status == 0
    assert "6 rows read, 3 kept; left out: 1 missing customer, 1 bad date, 1 bad amount" in err
    assert rejects.read_text().splitlines() == ["line,reason,customer_id,date,amount", "3,bad date,A,2021-03-32,5",
                                                "4,missing customer,,2021-03-02,1", "5,bad amount,B,2021-03-05,x"]


def test_a_headerless_file_read_with_a_header_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "raw.csv"
    path.write_text("00001,2021-03-01,10\n00002,2021-03-02,5\n")
    status, err = run(["segment", str(path), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv")], capsys)
    assert status == 2
    assert "the first line looks like data: read the file with --no-header and name columns by position" in err


def test_formula_like_ids_are_neutralised_in_csv_and_xlsx_and_read_back(tmp_path, capsys):
    ids = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "00001"]
    path = tmp_path / "tx.csv"
    pd.DataFrame({"customer_id": ids + ["00001"], "date": ["2021-03-01"] * 4 + ["2021-03-08"],
                  "amount": [1.0, 2, 3, 4, 5]}).to_csv(path, index=False)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"tiers{suffix}"
        status, _ = run(["segment", str(path), "--as-of", "2021-04-01", "--out", str(out), "--no-clv",
                         "--no-clusters"], capsys)
        assert status == 0
        back = (pd.read_csv(out, dtype={"customer_id": "str"}) if suffix == ".csv"
                else pd.read_excel(out, dtype={"customer_id": "str"}))
        assert sorted(back["customer_id"]) == sorted(["'" + i if i[0] in "=+-@" else i for i in ids])
        assert pd.api.types.is_numeric_dtype(back["monetary"])  # numbers stay numbers
    # tierkit reads its own .xlsx back: the neutralised ids are text ids
    again = tk.read_transactions(tmp_path / "tiers.xlsx", date="last_purchase", amount="monetary")
    assert sorted(again["customer_id"]) == sorted(back["customer_id"])
    assert again["amount"].tolist() == back["monetary"].astype(float).tolist()
