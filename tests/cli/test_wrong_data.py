"""Wrong data must not give a result with exit 0 (issue 20): --sheet 0, blank tiers, returns only."""

import pandas as pd
import pytest

from tierkit.cli.main import main

SMALL = ["--no-clv", "--no-clusters"]


def run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.err.strip()


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "two.xlsx"
    first = pd.DataFrame({"customer_id": ["A", "B", "A"], "date": ["2021-01-05", "2021-02-01", "2021-03-01"],
                          "amount": [10.0, 5.0, 3.0]})
    second = pd.DataFrame({"customer_id": ["X", "Y", "Z", "X"],
                           "date": ["2021-01-07", "2021-02-03", "2021-02-20", "2021-03-10"],
                           "amount": [4.0, 8.0, 2.0, 6.0]})
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="first", index=False)
        second.to_excel(writer, sheet_name="second", index=False)
    return path


@pytest.mark.parametrize("sheet, customers", [("1", ["A", "B"]), ("2", ["X", "Y", "Z"]), ("second", ["X", "Y", "Z"])])
def test_sheet_numbers_are_one_based(workbook, tmp_path, capsys, sheet, customers):
    out = tmp_path / "out.csv"
    status, err = run(["segment", str(workbook), "--as-of", "2021-04-01", "--out", str(out), "--sheet", sheet,
                       *SMALL], capsys)
    assert status == 0, err
    assert pd.read_csv(out)["customer_id"].tolist() == customers


@pytest.mark.parametrize("sheet", ["0", "-1", "00"])
def test_sheet_zero_or_negative_is_refused_in_one_line(workbook, tmp_path, capsys, sheet):
    out = tmp_path / "out.csv"
    status, err = run(["segment", str(workbook), "--as-of", "2021-04-01", "--out", str(out), "--sheet", sheet,
                       *SMALL], capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert f"--sheet {sheet!r}: expected a worksheet name or a number from 1 (the first worksheet)" in err
    assert not out.exists()


RETURNS_ONLY = "customer_id,date,amount\nA,2021-01-05,-10\nB,2021-02-01,-5\nA,2021-02-10,-3\n"
GOOD = ("customer_id,date,amount\nA,2021-01-05,10\nB,2021-02-01,5\nA,2021-02-10,3\nC,2021-03-01,7\n"
        "D,2021-01-01,20\nD,2021-03-02,8\n")


@pytest.fixture
def returns_only(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text(RETURNS_ONLY)
    return path


@pytest.fixture
def saved_model(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    model = tmp_path / "model"
    status, err = run(["segment", str(good), "--as-of", "2021-04-01", "--out", str(tmp_path / "graded.csv"),
                       "--save-model", str(model), *SMALL], capsys)
    assert status == 0, err
    return model


def test_returns_only_is_refused_by_segment_and_score_alike(returns_only, saved_model, tmp_path, capsys):
    expected = (f"tierkit: error: {returns_only}: no customer has a purchase on or before --as-of 2021-04-01 "
                "(returns alone are not purchases); nothing to grade")
    messages = []
    for argv in (["segment", str(returns_only), "--as-of", "2021-04-01", "--out", str(tmp_path / "seg.csv"), *SMALL],
                 ["segment", str(returns_only), "--as-of", "2021-04-01", "--out", str(tmp_path / "seg2.csv"),
                  "--model", str(saved_model)],
                 ["score", str(returns_only), "--model", str(saved_model), "--as-of", "2021-04-01",
                  "--out", str(tmp_path / "scores.csv"), "--no-progress"]):
        status, err = run(argv, capsys)
        assert status == 2, (argv, err)
        lines = [line for line in err.splitlines() if "error" in line]
        assert len(lines) == 1, err
        messages.append(lines[0])
    assert messages == [expected] * 3
    assert not any((tmp_path / name).exists() for name in ("seg.csv", "seg2.csv", "scores.csv"))


def test_score_still_scores_a_file_with_purchases_and_returns(saved_model, tmp_path, capsys):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(RETURNS_ONLY + "C,2021-03-01,7\n")
    out = tmp_path / "scores.csv"
    status, err = run(["score", str(mixed), "--model", str(saved_model), "--as-of", "2021-04-01", "--out", str(out),
                       "--no-progress"], capsys)
    assert status == 0, err
    assert pd.read_csv(out)["customer_id"].tolist() == ["C"]


def write(path, text):
    path.write_text(text)
    return path


def test_migrate_refuses_a_blank_tier_naming_file_column_and_row(tmp_path, capsys):
    old = write(tmp_path / "old.csv", "customer_id,monetary,abc_tier\na,90,A\nb,50,\nc,5,C\nd,40,B\n")
    new = write(tmp_path / "new.csv", "customer_id,monetary,abc_tier\na,90,A\nb,50,B\nc,30,B\nd,40,B\n")
    status, err = run(["migrate", str(old), str(new)], capsys)
    assert status == 2 and len(err.splitlines()) == 1, err
    assert err == (f"tierkit: error: {old}: column 'abc_tier' is blank on row 3 (customer 'b'); every customer of a "
                   "snapshot needs a tier (a blank is neither an entrant nor a leaver)")
    status, err = run(["migrate", str(new), str(old), "--json"], capsys)
    assert status == 2 and f"{old}: column 'abc_tier' is blank on row 3 (customer 'b')" in err


def test_migrate_blank_tiers_in_the_new_snapshot_are_refused_too(tmp_path, capsys):
    old = write(tmp_path / "old.csv", "customer_id,monetary,abc_tier\na,90,A\nb,50,B\nc,5,C\n")
    new = write(tmp_path / "new.csv", "customer_id,monetary,abc_tier\na,90,\nb,50,B\nc,5,\n")
    status, err = run(["migrate", str(old), str(new), "--json"], capsys)
    assert status == 2
    assert f"{new}: column 'abc_tier' is blank on rows 2, 4 (customers 'a', 'c')" in err
