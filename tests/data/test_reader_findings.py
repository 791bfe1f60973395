"""The reader's answers to issue 20's findings: each file is read right or refused in one line.

Amounts beyond what the feature sums hold exactly, a separator that changes or a short line,
duplicated column names, control characters in ids, a date format that rejects most of its
column, and ids exported as floats (``12346.0``).
"""

import math
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.data import ColumnMap
from tierkit.errors import DataError
from tierkit.features import file_features


def write(tmp_path, text, name="tx.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def one_line(err) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# -- 1. amounts beyond the exact sums -------------------------------------------------------


def test_an_amount_of_a_trillion_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,5\n2,2021-01-02,1000000000000\n")
    for read in (lambda: tk.read_transactions(path), lambda: file_features(path, "2021-02-01")):
        with pytest.raises(DataError) as err:
            read()
        message = one_line(err)
        assert "column 'amount', line 3: value '1000000000000'" in message
        assert "1,000,000,000,000" in message and "on_bad_rows 'skip'" in message


def test_negative_amounts_and_profits_beyond_the_bound_are_refused(tmp_path):
    path = write(tmp_path, "customer_id,date,amount,profit\n1,2021-01-01,-2e12,1\n")
    with pytest.raises(DataError, match=r"column 'amount', line 2: value '-2e12'"):
        tk.read_transactions(path, profit="profit")
    path = write(tmp_path, "customer_id,date,amount,profit\n1,2021-01-01,1,3e15\n", "p.csv")
    with pytest.raises(DataError, match=r"column 'profit', line 2: value '3e15'"):
        tk.read_transactions(path, profit="profit")


@pytest.mark.parametrize(("price", "quantity"), [("1e200", "1e200"), ("10000000", "1000000"), ("-3e11", "5")])
def test_price_times_quantity_beyond_the_bound_is_refused(tmp_path, price, quantity):
    path = write(tmp_path, f"customer_id,date,p,q\n1,2021-01-01,2,3\n1,2021-01-02,{price},{quantity}\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path, amount=None, price="p", quantity="q")
    message = one_line(err)
    assert f"column 'p', line 3: value '{price}'" in message and "price x quantity" in message


def test_skip_leaves_out_amounts_beyond_the_bound_with_their_reason(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,5\n2,2021-01-02,1e13\n")
    rejects = tmp_path / "rejects.csv"
    with pytest.warns(UserWarning, match="1 bad row"):
        tx = tk.read_transactions(path, on_bad_rows="skip", rejects=rejects)
    assert tx["amount"].tolist() == [5.0]
    assert pd.read_csv(rejects)["reason"].tolist() == ["bad amount"]


def test_sums_far_beyond_the_line_bound_stay_exact(tmp_path):
    # 6,000 lines of one customer, some just under the bound: the customer's sum is ~1.5e15
    values = ["999999999999.5", "499999999999.75", "4294967295.99", "0.01", "-12.34", "123456789.125"] * 1000
    lines = "".join(f"c,2021-01-{1 + i % 28:02d},{v}\n" for i, v in enumerate(values))
    path = write(tmp_path, "customer_id,date,amount\n" + lines)
    exact = sum(Decimal(v) for v in values)
    assert exact > 10**15
    features, _ = file_features(path, "2021-02-01")
    trained = tk.rfm_features(tk.read_transactions(path), "2021-02-01")
    for table in (features, trained):
        monetary = table.loc["c", "monetary"]
        assert monetary == float(exact)  # the exact sum, rounded once to a double
        assert abs(Fraction(monetary) - Fraction(exact)) <= Fraction(math.ulp(monetary)) / 2


# -- 2. separators and short lines ---------------------------------------------------------


def test_a_separator_that_changes_after_the_sniffed_part_names_the_line(tmp_path):
    rows = [f"{i},2021-01-01,1" for i in range(8000)] + [f"{i};2021-01-01;1" for i in range(3)]
    path = write(tmp_path, "customer_id,date,amount\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path)
    message = one_line(err)
    assert message.startswith(f"{path}: line 8002 has 1 field")
    assert "'0;2021-01-01;1'" in message and "3" in message


def test_a_short_line_after_the_sniffed_part_names_the_line(tmp_path):
    rows = [f"{i},2021-01-01,1" for i in range(8000)] + ["7,2021-01-01", "8,2021-01-01,1"]
    path = write(tmp_path, "customer_id,date,amount\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"^.*tx\.csv: line 8002 has 2 fields where the header has 3 \(separator ','\)"):
        tk.read_transactions(path)


@pytest.mark.parametrize("sep", [None, ","])
def test_a_short_line_names_its_line_number(tmp_path, sep):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n2,2021-01-01\n3,2021-01-01,1\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path, sep=sep)
    message = one_line(err)
    assert message.startswith(f"{path}: line 3 has 2 fields where the header has 3 (separator ',')")
    assert "cannot tell the field separator" not in message


def test_a_short_line_in_a_semicolon_file_names_its_line(tmp_path):
    rows = "".join(f"{i};2021-01-01;{i},5\n" for i in range(20))
    path = write(tmp_path, "customer_id;date;amount\n" + rows + "x;2021-01-01\n")
    with pytest.raises(DataError, match=r"line 22 has 2 fields where the header has 3 \(separator ';'\)"):
        tk.read_transactions(path)


def test_a_long_line_names_its_line_number(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n2,2021-01-01,1,9\n3,2021-01-01,1\n"
                 "4,2021-01-01,1\n")
    with pytest.raises(DataError, match=r"line 3 has 4 fields where the header has 3 \(separator ','\)"):
        tk.read_transactions(path)


def test_quoted_separators_and_line_breaks_are_not_short_lines(tmp_path):
    path = write(tmp_path, 'customer_id,date,amount,note\n1,2021-01-01,1,"a, b"\n2,2021-01-01,2,"x\ny"\n')
    tx = tk.read_transactions(path)
    assert tx["amount"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("sep", [None, ","])
def test_trailing_separators_on_every_line_are_read_as_no_field(tmp_path, sep):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1,\n2,2021-01-01,2,\n3,2021-01-02,3,\n")
    assert tk.read_transactions(path, sep=sep)["amount"].tolist() == [1.0, 2.0, 3.0]
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1,\n2,2021-01-01,2\n3,2021-01-02,3,\n", "m.csv")
    with pytest.raises(DataError, match=r"m\.csv: line 3 has 3 fields where line 2 has 4 \(separator ','\)"):
        tk.read_transactions(path, sep=sep)


# -- 3. duplicated column names ------------------------------------------------------------


def test_a_duplicated_mapped_column_is_refused_naming_its_positions(tmp_path):
    path = write(tmp_path, "customer_id,date,amount,amount\n1,2021-01-01,1,2\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path)
    assert one_line(err) == (f"{path}: column 'amount' appears 2 times (columns 3 and 4); the column map reads "
                             "amount from it, so which one is meant cannot be told: rename or remove the others")


def test_a_duplicated_column_is_refused_in_a_workbook_a_frame_and_whitespace_text(tmp_path):
    frame = pd.DataFrame([["a", "2021-01-01", 1, 2]], columns=["customer_id", "date", "amount", "customer_id"])
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    with pytest.raises(DataError, match=r"t\.xlsx: column 'customer_id' appears 2 times \(columns 1 and 4\)"):
        tk.read_transactions(tmp_path / "t.xlsx")
    with pytest.raises(DataError, match=r"^frame: column 'customer_id' appears 2 times \(columns 1 and 4\)"):
        tk.normalize_transactions(frame, source="frame")
    path = write(tmp_path, "customer_id date date amount\n1 2021-01-01 2021-01-02 3\n", "w.txt")
    with pytest.raises(DataError, match=r"column 'date' appears 2 times \(columns 2 and 3\)"):
        tk.read_transactions(path)


def test_a_duplicated_column_the_map_does_not_use_is_read(tmp_path):
    path = write(tmp_path, "customer_id,note,date,amount,note\n1,x,2021-01-01,4,y\n")
    assert tk.read_transactions(path)["amount"].tolist() == [4.0]
    frame = pd.DataFrame([["a", "x", "2021-01-01", 4.0, "y"]],
                         columns=["customer_id", "note", "date", "amount", "note"])
    out = tk.normalize_transactions(frame)
    assert out["customer_id"].tolist() == ["a"] and out["amount"].tolist() == [4.0]
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    assert tk.read_transactions(tmp_path / "t.xlsx")["amount"].tolist() == [4.0]


# -- 4. control characters in customer ids -------------------------------------------------


def test_a_nul_byte_in_a_customer_id_is_refused(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA1,2021-01-01,1\nA\x00B,2021-01-01,1\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path)
    message = one_line(err)
    assert "column 'customer_id', line 3: value 'A\\x00B' is not a customer id without control characters" \
        in message
    assert "\x00" not in message


def test_skip_leaves_out_ids_with_control_characters_as_rejects(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA1,2021-01-01,1\nA\x00B,2021-01-01,1\n\"C\x07\",2021-01-02,1\n")
    rejects = tmp_path / "rejects.csv"
    with pytest.warns(UserWarning, match="2 bad row"):
        tx = tk.read_transactions(path, on_bad_rows="skip", rejects=rejects)
    assert tx["customer_id"].tolist() == ["A1"]
    assert pd.read_csv(rejects)["reason"].tolist() == ["bad customer", "bad customer"]
    frame = pd.DataFrame({"customer_id": ["ok", "x\x00y"], "date": ["2021-01-01"] * 2, "amount": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"column 'customer_id', row 2: value 'x\\x00y'"):
        tk.normalize_transactions(frame)


# -- 5. a date format that rejects most of its column ---------------------------------------

MONTH_FIRST = ("customer_id,date,amount\n" + "".join(
    f"{i},{m:02d}/{d:02d}/2011,1\n" for i, (m, d) in enumerate([(12, 25), (1, 5), (3, 20), (12, 31), (2, 14),
                                                                  (6, 7), (11, 30)])))


def test_a_format_that_rejects_most_dates_refuses_the_column_even_under_skip(tmp_path):
    path = write(tmp_path, MONTH_FIRST)
    for policy in ("skip", "error"):
        with pytest.raises(DataError) as err:
            tk.read_transactions(path, date_format="%d/%m/%Y", on_bad_rows=policy)
        assert one_line(err) == (
            f"{path}: column 'date': 5 of 7 dates do not match date_format '%d/%m/%Y' (e.g. '02/14/2011'); "
            "a format that rejects most of a column is not the column's, and the dates it reads are suspect: "
            "'%m/%d/%Y' reads them all")


def test_the_command_line_refuses_the_half_read_column_and_writes_nothing(tmp_path, capsys):
    from tierkit.cli.main import main

    path = write(tmp_path, MONTH_FIRST)
    out = tmp_path / "out.csv"
    status = main(["segment", str(path), "--as-of", "2012-01-01", "--out", str(out), "--no-clv", "--no-clusters",
                   "--date-format", "%d/%m/%Y", "--on-bad-rows", "skip"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and not out.exists()
    assert err.startswith("tierkit: error: ") and "column 'date': 5 of 7 dates do not match" in err
    assert err.endswith("'%m/%d/%Y' reads them all")


def test_the_other_format_is_suggested_only_when_it_reads_every_date(tmp_path):
    path = write(tmp_path, MONTH_FIRST + "9,garbage,1\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path, date_format="%d/%m/%Y", on_bad_rows="skip")
    assert one_line(err).endswith("suspect; give the column's date_format")
    # refused anyway without skip: the first bad date is named, as before
    with pytest.raises(DataError, match=r"column 'date', line 2: value '12/25/2011' is not a date"):
        tk.read_transactions(path, date_format="%d/%m/%Y")


def test_skip_still_leaves_out_a_few_bad_dates(tmp_path):
    rows = "".join(f"{i},{d:02d}/01/2021,1\n" for i, d in enumerate(range(1, 21)))
    path = write(tmp_path, "customer_id,date,amount\n" + rows + "x,31/02/2021,1\ny,tomorrow,1\n")
    with pytest.warns(UserWarning, match="2 bad row"):
        tx = tk.read_transactions(path, date_format="%d/%m/%Y", on_bad_rows="skip")
    assert len(tx) == 20 and tx["date"].min() == pd.Timestamp("2021-01-01")


# -- 6. ids exported as floats -------------------------------------------------------------


def test_float_ids_in_a_csv_are_read_as_integers_with_a_note(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n12346.0,2021-01-01,1\n,2021-01-01,1\n17850.0,2021-01-02,1\n"
                 "12346.0,2021-01-03,1\n")
    with pytest.warns(UserWarning) as caught:
        tx = tk.read_transactions(path, missing_customers="drop")
    assert tx["customer_id"].tolist() == ["12346", "17850", "12346"]
    notes = [str(w.message) for w in caught if "whole-number" in str(w.message)]
    assert notes == [f"{path}: column 'customer_id': 2 customer id(s) written as whole-number floats "
                     "(e.g. '12346.0') are read as the integers they are ('12346')"]
    assert tx.attrs["read_report"]["notes"] == notes


def test_float_ids_from_a_frame_and_parquet_are_integers(tmp_path):
    frame = pd.DataFrame({"customer_id": [12346.0, np.nan, 3.0, 12346.0], "date": ["2021-01-01"] * 4,
                          "amount": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(UserWarning, match="2 customer id"):
        out = tk.normalize_transactions(frame, missing_customers="drop")
    assert out["customer_id"].tolist() == ["12346", "3", "12346"]
    frame.to_parquet(tmp_path / "t.parquet")
    with pytest.warns(UserWarning, match="whole-number floats"):
        tx = tk.read_transactions(tmp_path / "t.parquet", missing_customers="drop")
    assert tx["customer_id"].tolist() == ["12346", "3", "12346"]


@pytest.mark.parametrize("ids", [["A12", "3.0"], ["3.5", "4.0"], ["1e3", "4.0"]])
def test_a_column_not_all_whole_number_floats_is_left_as_text(tmp_path, ids):
    path = write(tmp_path, "customer_id,date,amount\n" + "".join(f"{i},2021-01-01,1\n" for i in ids))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tx = tk.read_transactions(path)
    assert tx["customer_id"].tolist() == ids
    assert tx.attrs["read_report"]["notes"] == []


def test_a_double_column_with_a_fraction_is_left_as_its_text(tmp_path):
    frame = pd.DataFrame({"customer_id": [12346.0, 3.5], "date": ["2021-01-01"] * 2, "amount": [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = tk.normalize_transactions(frame)
    assert out["customer_id"].tolist() == ["12346.0", "3.5"]


def test_integer_ids_keep_their_text(tmp_path):
    path = write(tmp_path, "id,date,amount\n00120,2021-01-01,1\n7,2021-01-01,1\n")
    tx = tk.read_transactions(path, customer_id="id")
    assert tx["customer_id"].tolist() == ["00120", "7"] and tx.attrs["read_report"]["notes"] == []


# -- the three paths (training, local scorer, Spark scorer) agree ------------------------------


@pytest.mark.spark
@pytest.mark.slow
def test_the_three_paths_read_and_refuse_alike(spark, tmp_path):
    from test_contract import assert_same, refusals, three_paths

    path = write(tmp_path, "customer_id,date,amount\n12346.0,2021-01-01,1\n17850.0,2021-01-02,2\n"
                 "12346.0,2021-03-01,1e11\n", "floats.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features, report = assert_same(three_paths(spark, tmp_path, path, {}))
    assert features.index.tolist() == ["12346", "17850"]
    assert features.loc["12346", "monetary"] == 1e11 + 1
    path = write(tmp_path, "customer_id,date,amount\nA1,2021-01-01,1\nA\x00B,2021-01-01,1\n", "nul.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, report = assert_same(three_paths(spark, tmp_path, path, {"on_bad_rows": "skip"}))
    assert report["rejected"] == {"bad customer": 1}
    path = write(tmp_path, "customer_id,date,p,q\n1,2021-01-01,2,3\n1,2021-01-02,1e200,1e200\n", "pq.csv")
    assert "column 'p', line 3: value '1e200': price x quantity is" in refusals(
        spark, tmp_path, path, {"amount": None, "price": "p", "quantity": "q"})
    path = write(tmp_path, MONTH_FIRST, "mdy.csv")
    assert refusals(spark, tmp_path, path, {"date_format": "%d/%m/%Y", "on_bad_rows": "skip"}).endswith(
        "'%m/%d/%Y' reads them all")
    path = write(tmp_path, "customer_id,date,amount,amount\n1,2021-01-01,1,2\n", "dup.csv")
    assert "column 'amount' appears 2 times (columns 3 and 4)" in refusals(spark, tmp_path, path, {})


def test_an_empty_order_id_is_a_bad_row_so_no_buyer_gets_frequency_zero(tmp_path):
    """With an order column, a purchase occasion is a distinct order: a line of no order used to count as
    none, so a customer who bought twice got frequency 0 (and the served model refuses frequency 0)."""
    frame = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": ["2021-01-01", "2021-02-01", "2021-01-05"],
                          "amount": [1.0, 2.0, 3.0], "order_id": [None, "", "x"]})
    columns = ColumnMap(order_id="order_id")
    with pytest.raises(DataError, match=r"column 'order_id', row 1: value empty is not an order id .*\(2 such"):
        tk.normalize_transactions(frame, columns=columns)
    path = tmp_path / "tx.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column 'order_id', line 2: value empty is not an order id"):
        tk.read_transactions(path, order_id="order_id")
    with pytest.warns(UserWarning, match="2 bad row"):
        kept = tk.normalize_transactions(frame, columns=columns, on_bad_rows="skip")
    assert kept.attrs["read_report"]["rejected"] == {"missing order": 2}
    features = tk.rfm_features(kept, as_of="2021-03-01")
    assert features["frequency"].tolist() == [1] and (features["frequency"] >= 1).all()
