import pandas as pd
import pytest

import tierkit as tk
from tierkit.errors import DataError


def write(tmp_path, text, name="tx.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_customer_ids_keep_their_leading_zeros(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n00001,2021-03-01,10\n00001,2021-03-02,5.5\n")
    tx = tk.read_transactions(path)
    assert tx["customer_id"].tolist() == ["00001", "00001"]
    assert tx["amount"].tolist() == [10.0, 5.5]
    assert tx["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-03-01", "2021-03-02"]


def test_column_map_renames_to_canonical_columns(tmp_path):
    path = write(tmp_path, "Kunde,Tag,Wert,Beleg,Stk,Gewinn\nA,2021-01-05,20,o1,2,4\n")
    tx = tk.read_transactions(path, customer_id="Kunde", date="Tag", amount="Wert", order_id="Beleg",
                              quantity="Stk", profit="Gewinn")
    assert list(tx.columns) == ["customer_id", "date", "amount", "order_id", "quantity", "profit"]
    assert tx.iloc[0]["order_id"] == "o1" and tx.iloc[0]["profit"] == 4.0


def test_integer_dates_are_read_as_yyyymmdd_not_nanoseconds(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,19970101,1\n1,19970110,1\n")
    tx = tk.read_transactions(path)
    assert tx["date"].dt.strftime("%Y-%m-%d").tolist() == ["1997-01-01", "1997-01-10"]


def test_explicit_date_format(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,03/04/2021,1\n")
    tx = tk.read_transactions(path, date_format="%d/%m/%Y")
    assert tx["date"].iloc[0] == pd.Timestamp("2021-04-03")


def test_parquet_and_excel_read_like_csv(tmp_path):
    frame = pd.DataFrame({"customer_id": ["007", "008"], "date": ["2021-01-01", "2021-01-02"], "amount": [1.5, 2.0]})
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    for name in ("t.parquet", "t.xlsx"):
        tx = tk.read_transactions(tmp_path / name)
        assert tx["customer_id"].tolist() == ["007", "008"]
        assert tx["amount"].tolist() == [1.5, 2.0]


def test_missing_column_lists_the_columns_present(tmp_path):
    path = write(tmp_path, "cust,date,amount\n1,2021-01-01,1\n")
    with pytest.raises(DataError) as err:
        tk.read_transactions(path)
    message = str(err.value)
    assert str(path) in message and "'customer_id'" in message and "cust, date, amount" in message
    assert "\n" not in message


def test_unparseable_date_names_file_column_line_and_value(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n2,not-a-date,1\n")
    with pytest.raises(DataError, match=r"tx\.csv: column 'date', line 3: value 'not-a-date' is not a date"):
        tk.read_transactions(path)


def test_non_numeric_amount_names_line_and_value(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n2,2021-01-02,12,5\n".replace("12,5", "12x"))
    with pytest.raises(DataError, match=r"column 'amount', line 3: value '12x' is not a number"):
        tk.read_transactions(path)


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(DataError, match="file is empty"):
        tk.read_transactions(write(tmp_path, ""))
    with pytest.raises(DataError, match="no transactions"):
        tk.read_transactions(write(tmp_path, "customer_id,date,amount\n", "h.csv"))


def test_empty_customer_id(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n,2021-01-01,1\n")
    with pytest.raises(DataError, match=r"column 'customer_id': 1 row\(s\) have an empty customer id "
                                        r"\(first at line 3\); give missing_customers 'drop'"):
        tk.read_transactions(path)


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        tk.read_transactions(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="unsupported file type '.json'"):
        tk.read_transactions(write(tmp_path, "{}", "t.json"))


def test_exact_duplicates_kept_by_default_and_dropped_on_request(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n1,2021-01-01,5\n1,2021-01-01,5\n")
    assert len(tk.read_transactions(path)) == 2
    assert len(tk.read_transactions(path, drop_duplicates=True)) == 1


def test_cdnow_master_is_read_with_string_ids():
    tx = tk.load_cdnow()
    assert tx["customer_id"].iloc[0] == "00001"
    assert tx["customer_id"].nunique() == 23570 and len(tx) == 69659
