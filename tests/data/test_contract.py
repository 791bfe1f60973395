"""One input contract, three paths: training, the local scorer and the Spark scorer read alike.

Every rule of the contract is fed through ``read_transactions`` + ``rfm_features`` (training),
:class:`DuckDBInput` + the scoring feature query (local engine) and :class:`SparkInput` + the
same query in Spark SQL (a real local Spark session). The three must give the same customers,
the same feature values, the same counts of rows left out and, for the two scorers, the same
rejects file byte for byte; a refusal must be the same one-line message everywhere.
"""

import datetime as dt
import gzip

import pandas as pd
import pytest

import tierkit as tk
from tierkit.data import ColumnMap, ReadOptions
from tierkit.data.duckdb_input import DuckDBInput
from tierkit.errors import DataError
from tierkit.features.definition import FEATURE_COLUMNS
from tierkit.features.engines import scoring_feature_sql

pytestmark = [pytest.mark.spark, pytest.mark.slow]

AS_OF = "2021-04-30"
COLUMN_ARGS = ("customer_id", "date", "amount", "order_id", "quantity", "profit", "price")


def _split(kwargs):
    columns = ColumnMap(**{k: kwargs[k] for k in COLUMN_ARGS if k in kwargs})
    options = ReadOptions(**{k: v for k, v in kwargs.items() if k not in COLUMN_ARGS})
    return columns, options


def _features_frame(frame):
    frame = frame.copy()
    frame["customer_id"] = frame["customer_id"].astype("str")
    frame = frame.set_index("customer_id")[FEATURE_COLUMNS]
    for col in ("first_purchase", "last_purchase"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    return frame.astype({c: "float64" for c in FEATURE_COLUMNS if c not in ("first_purchase", "last_purchase")})


def training(path, kwargs, as_of=AS_OF):
    tx = tk.read_transactions(path, **kwargs)
    features = tk.rfm_features(tx, as_of=as_of).reset_index()
    return _features_frame(features), tx.attrs["read_report"]


def local_scorer(path, kwargs, as_of=AS_OF):
    columns, options = _split(kwargs)
    with DuckDBInput() as reader:
        report = reader.load_file(path, columns, options, as_of=as_of)
        fields = reader.plan.columns.fields()
        query = scoring_feature_sql("tk_tx", as_of=dt.date.fromisoformat(as_of), days_per_unit=1,
                                    has_order_id="order_id" in fields, has_profit="profit" in fields)
        features = reader.con.execute(query).df()
    return _features_frame(features), report.as_dict()


def spark_scorer(spark, tmp_path, path, kwargs, as_of=AS_OF):
    from tierkit.data.spark_input import SparkInput

    columns, options = _split(kwargs)
    reader = SparkInput(spark, tmp_path)
    report = reader.load_file(path, columns, options, as_of=as_of)
    fields = reader.plan.columns.fields()
    query = scoring_feature_sql("tk_tx", as_of=dt.date.fromisoformat(as_of), days_per_unit=1,
                                has_order_id="order_id" in fields, has_profit="profit" in fields, dialect="spark")
    result = spark.sql(query)
    rows = [row.asDict() for row in result.collect()]
    return _features_frame(pd.DataFrame(rows, columns=result.columns)), report.as_dict()


def three_paths(spark, tmp_path, path, kwargs, as_of=AS_OF):
    """The features and report of each path (rejects written to a file of each path's own)."""
    results = {}
    for name in ("training", "local", "spark"):
        args = dict(kwargs)
        if "rejects" in args:
            args["rejects"] = tmp_path / f"rejects_{name}.csv"
        if name == "training":
            results[name] = training(path, args, as_of)
        elif name == "local":
            results[name] = local_scorer(path, args, as_of)
        else:
            results[name] = spark_scorer(spark, tmp_path, path, args, as_of)
    return results


def assert_same(results):
    base, base_report = results["training"]
    for name in ("local", "spark"):
        frame, report = results[name]
        pd.testing.assert_frame_equal(frame, base, check_exact=True, obj=f"{name} features")
        assert (report["rows_read"], report["rejected"]) == (base_report["rows_read"], base_report["rejected"]), name
    return base, base_report


def refusals(spark, tmp_path, path, kwargs):
    """The one-line message of each path (all must refuse)."""
    messages = {}
    for name, run in (("training", lambda: training(path, kwargs)), ("local", lambda: local_scorer(path, kwargs)),
                      ("spark", lambda: spark_scorer(spark, tmp_path, path, kwargs))):
        with pytest.raises(DataError) as info:
            run()
        messages[name] = str(info.value)
        assert "\n" not in messages[name]
    assert len(set(messages.values())) == 1, messages
    return messages["training"]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- dates -----------------------------------------------------------------------------------

def test_day_first_dates_are_read_day_first_when_a_day_above_12_proves_it(spark, tmp_path):
    path = write(tmp_path, "dmy.csv", "customer_id,date,amount\nA,03/01/2021,10\nA,25/03/2021,5\nB,04/02/2021,7\n")
    features, _ = assert_same(three_paths(spark, tmp_path, path, {}))
    assert features.loc["A", "first_purchase"] == pd.Timestamp("2021-01-03")
    assert features.loc["B", "first_purchase"] == pd.Timestamp("2021-02-04")


def test_month_first_dates_are_read_month_first_when_a_second_field_above_12_proves_it(spark, tmp_path):
    path = write(tmp_path, "mdy.csv", "customer_id,date,amount\nA,03/01/2021 10:15,10\nA,03/25/2021 23:59,5\n")
    features, _ = assert_same(three_paths(spark, tmp_path, path, {}))
    assert features.loc["A", "first_purchase"] == pd.Timestamp("2021-03-01")
    assert features.loc["A", "recency"] == (pd.Timestamp(AS_OF) - pd.Timestamp("2021-03-25")).days


def test_ambiguous_day_month_dates_are_refused_alike_and_date_format_decides(spark, tmp_path):
    path = write(tmp_path, "amb.csv", "customer_id,date,amount\nA,03/01/2021,10\nB,04/02/2021,7\n")
    message = refusals(spark, tmp_path, path, {})
    assert message.endswith("column 'date': '03/01/2021' reads as 2021-01-03 (day first) and as 2021-03-01 "
                            "(month first), and no value has a day above 12 to decide; give date_format "
                            "'%d/%m/%Y' or '%m/%d/%Y'")
    features, report = assert_same(three_paths(spark, tmp_path, path, {"date_format": "%m/%d/%Y"}))
    assert features.loc["A", "first_purchase"] == pd.Timestamp("2021-03-01")


def test_a_column_mixing_date_formats_is_refused(spark, tmp_path):
    path = write(tmp_path, "mixed.csv", "customer_id,date,amount\nA,2021-03-01,10\nB,25/03/2021,7\n")
    assert "mixes date formats" in refusals(spark, tmp_path, path, {})


def test_offsets_keep_their_own_clock_and_timezone_converts_first(spark, tmp_path):
    text = ("customer_id,date,amount\n"
            "A,2021-03-01T23:30:00-05:00,10\n"   # 04:30 UTC on 2 March
            "A,2021-03-05 08:00:00+08:00,4\n"    # 00:00 UTC on 5 March
            "B,2021-03-10T12:00:00Z,7\n")
    path = write(tmp_path, "offsets.csv", text)
    own, _ = assert_same(three_paths(spark, tmp_path, path, {}))
    assert own.loc["A", "first_purchase"] == pd.Timestamp("2021-03-01")
    shanghai, _ = assert_same(three_paths(spark, tmp_path, path, {"timezone": "Asia/Shanghai"}))
    assert shanghai.loc["A", "first_purchase"] == pd.Timestamp("2021-03-02")  # 12:30 in Shanghai
    assert shanghai.loc["A", "last_purchase"] == pd.Timestamp("2021-03-05")


def test_parquet_zone_aware_timestamps_use_the_columns_zone(spark, tmp_path):
    instants = pd.to_datetime(["2021-03-01 20:00", "2021-03-02 01:00", "2021-03-03 10:00"], utc=True)
    frame = pd.DataFrame({"customer_id": ["A", "A", "B"], "date": instants.tz_convert("America/New_York"),
                          "amount": [1.0, 2.0, 3.0]})
    path = tmp_path / "tz.parquet"
    frame.to_parquet(path)
    own, _ = assert_same(three_paths(spark, tmp_path, path, {}))
    # 20:00 UTC is 15:00 in New York, 01:00 UTC on the 2nd is 20:00 on the 1st there
    assert own.loc["A", "first_purchase"] == own.loc["A", "last_purchase"] == pd.Timestamp("2021-03-01")
    tokyo, _ = assert_same(three_paths(spark, tmp_path, path, {"timezone": "Asia/Tokyo"}))
    assert tokyo.loc["A", "first_purchase"] == pd.Timestamp("2021-03-02")


def test_yyyymmdd_integers_in_parquet_and_text(spark, tmp_path):
    frame = pd.DataFrame({"customer_id": ["A", "A", "B"], "date": [20210301, 20210315, 20210320],
                          "amount": [1.0, 2.0, 3.0]})
    frame.to_parquet(tmp_path / "int.parquet")
    frame.to_csv(tmp_path / "int.csv", index=False)
    a, _ = assert_same(three_paths(spark, tmp_path, tmp_path / "int.parquet", {}))
    b, _ = assert_same(three_paths(spark, tmp_path, tmp_path / "int.csv", {}))
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["A", "last_purchase"] == pd.Timestamp("2021-03-15")


# -- ids, layout ------------------------------------------------------------------------------

def test_ids_are_text_as_written_and_only_an_empty_cell_is_missing(spark, tmp_path):
    text = "customer_id,date,amount\nNA,2021-03-01,1\nnull,2021-03-02,2\n00001,2021-03-03,3\n\t007 ,2021-03-04,4\n"
    path = write(tmp_path, "ids.csv", text)
    features, _ = assert_same(three_paths(spark, tmp_path, path, {}))
    assert features.index.tolist() == ["00001", "007", "NA", "null"]


def test_missing_customers_refused_by_default_and_dropped_on_request(spark, tmp_path):
    path = write(tmp_path, "guests.csv", "customer_id,date,amount\nA,2021-03-01,1\n,2021-03-02,2\n  ,2021-03-03,3\n")
    message = refusals(spark, tmp_path, path, {})
    assert message.endswith("column 'customer_id': 2 row(s) have an empty customer id (first at line 3); "
                            "give missing_customers 'drop' to leave them out")
    with pytest.warns(UserWarning, match="2 row"):
        features, report = assert_same(three_paths(spark, tmp_path, path, {"missing_customers": "drop"}))
    assert report["rejected"] == {"missing customer": 2} and features.index.tolist() == ["A"]


def test_bad_rows_refused_by_default_skipped_on_request_with_the_same_rejects(spark, tmp_path):
    text = ("customer_id,date,amount\nA,2021-03-01,10\nA,2021-02-30,5\nB,2021-03-04,1e3\n"
            "C,2021-03-05,12abc\nD,2021-03-06,inf\nE,,3\n")
    path = write(tmp_path, "bad.csv", text)
    message = refusals(spark, tmp_path, path, {})
    assert message.endswith("column 'date', line 3: value '2021-02-30' is not a date in the column's format "
                            "(ISO (year first)) (2 such row(s) in all); give on_bad_rows 'skip' to leave such rows out")
    with pytest.warns(UserWarning, match="4 bad row"):
        features, report = assert_same(three_paths(spark, tmp_path, path, {"on_bad_rows": "skip", "rejects": "x"}))
    assert report["rejected"] == {"bad date": 2, "bad amount": 2}
    assert features.loc["B", "monetary"] == 1000.0
    local, remote = (tmp_path / "rejects_local.csv").read_bytes(), (tmp_path / "rejects_spark.csv").read_bytes()
    assert local == remote == (tmp_path / "rejects_training.csv").read_bytes()
    assert local.decode().splitlines() == [
        "line,reason,customer_id,date,amount", "3,bad date,A,2021-02-30,5", "5,bad amount,C,2021-03-05,12abc",
        "6,bad amount,D,2021-03-06,inf", "7,bad date,E,,3"]


def test_no_header_columns_by_position_semicolons_gzip_and_encoding(spark, tmp_path):
    text = "客户1;01.03.2021;10,5\n客户2;15.03.2021;7\n客户1;20.03.2021;1\n".replace("10,5", "10.5")
    plain = write(tmp_path, "pos.csv", text, encoding="gbk")
    zipped = tmp_path / "pos.csv.gz"
    zipped.write_bytes(gzip.compress(text.encode("utf-8-sig")))
    kwargs = {"header": False, "customer_id": "1", "date": "2", "amount": "3"}
    a, _ = assert_same(three_paths(spark, tmp_path, plain, {**kwargs, "encoding": "gbk"}))
    b, _ = assert_same(three_paths(spark, tmp_path, zipped, kwargs))
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["客户1", "monetary"] == 11.5 and a.loc["客户2", "first_purchase"] == pd.Timestamp("2021-03-15")


def test_price_times_quantity_and_duplicates(spark, tmp_path):
    text = ("inv,cust,day,qty,price\n1,A,2021-03-01,2,2.5\n1,A,2021-03-01,2,2.5\n2,A,2021-03-09,-1,2.5\n"
            "3,B,2021-03-02,3,0.1\n")
    path = write(tmp_path, "lines.csv", text)
    kwargs = {"customer_id": "cust", "date": "day", "quantity": "qty", "price": "price", "order_id": "inv"}
    kept, _ = assert_same(three_paths(spark, tmp_path, path, kwargs))
    assert kept.loc["A", "monetary"] == 7.5 and kept.loc["B", "monetary"] == 0.3
    unique, _ = assert_same(three_paths(spark, tmp_path, path, {**kwargs, "drop_duplicates": True}))
    assert unique.loc["A", "monetary"] == 2.5


def test_excel_sheet_and_whitespace_text(spark, tmp_path):
    frame = pd.DataFrame({"客户ID": ["00001", "00002", "00001"], "日期": pd.to_datetime(["2021-03-01", "2021-03-02",
                                                                                       "2021-03-09"]),
                          "金额": [10.0, 5.0, 2.5]})
    with pd.ExcelWriter(tmp_path / "交易记录.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="说明", index=False)
        frame.to_excel(writer, sheet_name="交易", index=False)
    kwargs = {"customer_id": "客户ID", "date": "日期", "amount": "金额", "sheet": "交易"}
    excel, _ = assert_same(three_paths(spark, tmp_path, tmp_path / "交易记录.xlsx", kwargs))
    assert excel.index.tolist() == ["00001", "00002"] and excel.loc["00001", "monetary"] == 12.5
    text = " id  day  value\r\n 00001 20210301  10\r\n 00002 20210302 5\r\n 00001 20210309   2.5\r\n"
    spaced, _ = assert_same(three_paths(spark, tmp_path, write(tmp_path, "t.txt", text),
                                        {"customer_id": "id", "date": "day", "amount": "value"}))
    pd.testing.assert_frame_equal(spaced, excel)


# -- no user value spliced into SQL ----------------------------------------------------------

def test_quotes_and_sql_fragments_in_every_option_are_data_not_sql(spark, tmp_path):
    evil = "x'); SELECT * FROM read_csv('/etc/passwd') --"
    folder = tmp_path / "it's a \"folder\""
    folder.mkdir()
    text = f'"{evil}","d""ay","am`t"\n"{evil}",01/03/2021\';x,1\nB,15/03/2021\';x,2\n'
    path = write(folder, "o'brien.csv", text)
    kwargs = {"customer_id": evil, "date": 'd"ay', "amount": "am`t", "date_format": "%d/%m/%Y';x"}
    features, _ = assert_same(three_paths(spark, tmp_path, path, kwargs))
    assert features.index.tolist() == ["B", evil]
    bad_zone = refusals(spark, tmp_path, path, {**kwargs, "timezone": "UTC'); DROP TABLE x; --"})
    assert bad_zone.startswith("timezone \"UTC'); DROP TABLE x; --\": not a time zone")


def test_timezone_says_which_timestamps_it_cannot_convert_in_every_path(spark, tmp_path):
    import warnings

    path = write(tmp_path, "naive.csv",
                 "customer_id,date,amount\nA,2021-03-01T23:30:00-05:00,1\nA,2021-03-05 10:00,2\n")
    frame = pd.DataFrame({"customer_id": ["A"], "date": pd.to_datetime(["2021-03-01 10:00"]), "amount": [1.0]})
    frame.to_parquet(tmp_path / "naive.parquet")
    for source, message in ((path, "has 1 distinct value(s) without an offset"),
                            (tmp_path / "naive.parquet", "holds timestamps without a time zone")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert_same(three_paths(spark, tmp_path, source, {"timezone": "Asia/Shanghai"}))
        said = [str(w.message) for w in caught if "Asia/Shanghai clock" in str(w.message)]
        assert len(said) == 3 and all(message in m for m in said), said
