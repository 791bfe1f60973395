"""Batch scoring on one machine: `tierkit score` and tierkit.scoring.score_transactions."""

import filecmp

import mlflow
import pandas as pd
import pyarrow.parquet as pq
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data import ColumnMap, ReadOptions
from tierkit.errors import DataError, ModelError, TierkitError
from tierkit.mlops.export import save_segmentation_model
from tierkit.mlops.pyfunc import model_input
from tierkit.scoring import score_transactions

AS_OF = "1998-06-30"

# Hand-written file: 7 rows; one empty id, one bad date, one bad amount, one after as_of 2021-04-01.
DIRTY = (
    "customer_id,date,amount\n"
    "001,2021-03-01,10\n"
    "001,2021-03-20,5.5\n"
    "002,not-a-date,3\n"
    ",2021-03-02,4\n"
    "003,2021-03-03,abc\n"
    "004,2021-03-15,7\n"
    "005,2021-05-01,9\n"
)
LENIENT = ReadOptions(missing_customers="drop", on_bad_rows="skip")


@pytest.fixture(scope="module")
def quarter_tx():
    # CDNOW sample with amounts on quarters: every sum is exact in binary floating point, so the
    # reference path (rfm_features, double sums) and the scorer (exact decimals) see equal values.
    tx = tk.load_cdnow(sample=True)[["customer_id", "date", "amount"]].copy()
    tx["amount"] = (tx["amount"] * 4).round() / 4
    return tx


@pytest.fixture(scope="module")
def model_dir(quarter_tx, tmp_path_factory):
    features = tk.rfm_features(quarter_tx, as_of=AS_OF)
    return save_segmentation_model(tk.Segmentation().fit(features), features, tmp_path_factory.mktemp("m") / "model")


@pytest.fixture(scope="module")
def tx_csv(quarter_tx, tmp_path_factory):
    path = tmp_path_factory.mktemp("tx") / "tx.csv"
    quarter_tx.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def test_scores_equal_the_model_on_rfm_features(model_dir, quarter_tx, tx_csv, tmp_path):
    out = tmp_path / "scores.csv"
    summary = score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=out)
    expected = mlflow.pyfunc.load_model(str(model_dir)).predict(model_input(tk.rfm_features(quarter_tx, as_of=AS_OF)))
    got = pd.read_csv(out, dtype={"customer_id": "str"})
    assert got["customer_id"].tolist() == sorted(got["customer_id"])
    pd.testing.assert_frame_equal(got, expected.astype(got.dtypes.to_dict()), check_dtype=False)
    assert summary.rows_read == 6919 and summary.customers_scored == 2357 and summary.rejected == {}


def test_rerun_and_chunk_size_give_identical_bytes(model_dir, tx_csv, tmp_path):
    for suffix in (".csv", ".parquet"):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=first, chunk_size=500)
        score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=second, chunk_size=500)
        assert filecmp.cmp(first, second, shallow=False)
    for suffix in (".csv", ".parquet"):
        small = tmp_path / f"small{suffix}"
        score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=small, chunk_size=7)
        assert filecmp.cmp(small, tmp_path / f"a{suffix}", shallow=False)
    assert pq.ParquetFile(tmp_path / "a.parquet").metadata.num_rows == 2357


def test_parquet_folder_with_typed_columns_scores_like_csv(model_dir, quarter_tx, tx_csv, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    renamed = quarter_tx.rename(columns={"customer_id": "cust", "date": "ts", "amount": "value"})
    renamed.iloc[:3000].to_parquet(folder / "part-0.parquet")
    renamed.iloc[3000:].to_parquet(folder / "part-1.parquet")
    columns = ColumnMap(customer_id="cust", date="ts", amount="value")
    score_transactions(str(model_dir), folder, as_of=AS_OF, out=tmp_path / "p.csv", columns=columns)
    score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=tmp_path / "c.csv")
    assert filecmp.cmp(tmp_path / "p.csv", tmp_path / "c.csv", shallow=False)


def test_bad_rows_are_counted_by_reason(model_dir, tmp_path):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY)
    with pytest.warns(UserWarning, match="2 bad row"):
        summary = score_transactions(str(model_dir), path, as_of="2021-04-01", out=tmp_path / "d.csv",
                                     options=LENIENT)
    assert summary.rows_read == 7
    assert summary.rejected == {"missing customer": 1, "bad date": 1, "bad amount": 1}
    assert summary.rows_after_as_of == 1
    got = pd.read_csv(tmp_path / "d.csv", dtype={"customer_id": "str"})
    assert got["customer_id"].tolist() == ["001", "004"]


def test_bad_rows_refuse_the_file_by_default_and_keep_the_old_output(model_dir, tmp_path):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY.replace(",2021-03-02,4\n", ""))
    out = tmp_path / "d.csv"
    out.write_text("previous run\n")
    message = (r"dirty.csv: column 'date', line 4: value 'not-a-date' is not a date in the column's format "
               r"\(ISO \(year first\)\) \(1 such row\(s\) in all\); give on_bad_rows 'skip'")
    with pytest.raises(DataError, match=message):
        score_transactions(str(model_dir), path, as_of="2021-04-01", out=out)
    assert out.read_text() == "previous run\n"


def test_date_format_and_separator(model_dir, tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("k;d;v\nA;01/03/2021;10\nA;20/03/2021;5\nB;15/03/2021;7\n")
    columns = ColumnMap(customer_id="k", date="d", amount="v")
    summary = score_transactions(str(model_dir), path, as_of="2021-04-01", out=tmp_path / "eu_out.csv",
                                 columns=columns, options=ReadOptions(date_format="%d/%m/%Y", sep=";"))
    assert summary.rejected == {} and summary.customers_scored == 2


@pytest.mark.parametrize("content, message", [
    ("customer_id,date,amount\n", "no transactions"),
    ("customer_id,date,amount\n,x,y\n1,bad,2\n", "column 'date': no value such as 'bad' is a date in a known format"),
    ("customer_id,date,amount\n,2021-01-01,y\n1,2021-01-02,2\n", "column 'customer_id': 1 row(s) have an empty "
                                                                 "customer id (first at line 2)"),
    ("customer_id,date,amount\n1,2030-01-01,2\n", "no transaction on or before as_of"),
    ("customer_id,day,amount\n1,2021-01-01,2\n", "missing column 'date'; columns present: customer_id, day, amount"),
])
def test_unusable_input_is_a_one_line_error_and_keeps_old_output(model_dir, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = tmp_path / "scores.csv"
    out.write_text("previous run\n")
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score_transactions(str(model_dir), path, as_of="2021-04-01", out=out)
    assert out.read_text() == "previous run\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_scores_and_prints_summary(model_dir, tmp_path, capsys):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY)
    status = main(["score", "--model", str(model_dir), "--transactions", str(path), "--as-of", "2021-04-01",
                   "--out", str(tmp_path / "s.parquet"), "--no-progress", "--missing-customers", "drop",
                   "--on-bad-rows", "skip"])
    err = capsys.readouterr().err
    assert status == 0
    assert "rows rejected:     3 (missing customer: 1, bad date: 1, bad amount: 1)" in err
    assert "customers scored:  2" in err
    assert pd.read_parquet(tmp_path / "s.parquet")["customer_id"].tolist() == ["001", "004"]


@pytest.mark.parametrize("args, message", [
    (["--transactions", "missing.csv"], "missing.csv: no such file or folder"),
    (["--out", "scores.xlsx"], "unsupported output type '.xlsx'; expected .csv or .parquet"),
    (["--model", "no-such-model-folder"], "no such folder"),
    (["--as-of", "someday"], "--as-of: 'someday' is not a date"),
])
def test_cli_bad_input_exits_2_with_one_line(model_dir, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dirty.csv").write_text(DIRTY)
    base = {"--model": str(model_dir), "--transactions": "dirty.csv", "--as-of": "2021-04-01", "--out": "s.csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["score", "--no-progress"] + [x for pair in base.items() for x in pair]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_a_folder_that_is_not_a_tierkit_model_is_refused(tmp_path, tx_csv):
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelError, match="no MLmodel file"):
        score_transactions(str(tmp_path / "m"), tx_csv, as_of=AS_OF, out=tmp_path / "s.csv")


@pytest.mark.slow
def test_registered_alias_uri_scores(model_dir, quarter_tx, tx_csv, tmp_path, monkeypatch):
    from tierkit.mlops.pyfunc import log_segmentation_model

    monkeypatch.chdir(tmp_path)
    uri = "sqlite:///" + str(tmp_path / "mlflow.db")
    mlflow.set_tracking_uri(uri)
    try:
        features = tk.rfm_features(quarter_tx, as_of=AS_OF)
        with mlflow.start_run():
            log_segmentation_model(tk.Segmentation().fit(features), features, registered_model_name="tiers")
        mlflow.MlflowClient().set_registered_model_alias("tiers", "champion", "1")
        status = main(["score", "--model", "models:/tiers@champion", "--transactions", str(tx_csv), "--as-of", AS_OF,
                       "--out", "alias.csv", "--tracking-uri", uri, "--no-progress"])
    finally:
        mlflow.set_tracking_uri(None)
    assert status == 0
    score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=tmp_path / "folder.csv")
    assert filecmp.cmp(tmp_path / "alias.csv", tmp_path / "folder.csv", shallow=False)


def test_spark_query_has_no_duckdb_only_syntax():
    import datetime as dt

    from tierkit.features.engines import scoring_feature_sql

    for unit in (1, 7):
        query = scoring_feature_sql("tx", as_of=dt.date(2021, 4, 1), days_per_unit=unit, has_order_id=True,
                                    has_profit=True, dialect="spark")
        assert "date_diff" not in query and "::" not in query and "AVG(" not in query
        assert f"/ {float(unit)} " not in query
    with pytest.raises(TierkitError, match="dialect"):
        scoring_feature_sql("tx", as_of=dt.date(2021, 4, 1), days_per_unit=1, has_order_id=False,
                            has_profit=False, dialect="sqlite")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_writer_regroups_rows_and_writes_headers_for_no_rows(tmp_path, suffix):
    from tierkit.output_chunks import ScoreWriter

    dtypes = {"customer_id": "str", "r_score": "int64"}
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(10)], "r_score": range(10)})
    with ScoreWriter(tmp_path / f"a{suffix}", dtypes, row_group_size=4) as writer:
        writer.write(frame.iloc[:3])
        writer.write(frame.iloc[3:])
    with ScoreWriter(tmp_path / f"b{suffix}", dtypes, row_group_size=4) as writer:
        for i in range(10):
            writer.write(frame.iloc[i:i + 1])
    assert filecmp.cmp(tmp_path / f"a{suffix}", tmp_path / f"b{suffix}", shallow=False)
    if suffix == ".parquet":
        meta = pq.ParquetFile(tmp_path / "a.parquet").metadata
        assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 2]
    with ScoreWriter(tmp_path / f"empty{suffix}", dtypes):
        pass
    empty = pd.read_csv(tmp_path / "empty.csv") if suffix == ".csv" else pd.read_parquet(tmp_path / "empty.parquet")
    assert list(empty.columns) == ["customer_id", "r_score"] and len(empty) == 0


def test_cli_refuses_an_output_that_is_the_input_and_keeps_it(model_dir, tx_csv, capsys):
    before = tx_csv.read_bytes()
    status = main(["score", "--model", str(model_dir), "--transactions", str(tx_csv), "--as-of", AS_OF,
                   "--out", str(tx_csv), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and "is also an input file" in err
    assert tx_csv.read_bytes() == before


def test_aggregating_in_customer_partitions_writes_the_same_file(model_dir, tx_csv, tmp_path, monkeypatch):
    import tierkit.features.engines as engines

    one = score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=tmp_path / "one.parquet")
    monkeypatch.setattr(engines, "ROWS_PER_PASS", 1000)  # 6,919 lines: 7 hash partitions
    several = score_transactions(str(model_dir), tx_csv, as_of=AS_OF, out=tmp_path / "several.parquet")
    assert one.customers_scored == several.customers_scored == 2357
    assert filecmp.cmp(tmp_path / "one.parquet", tmp_path / "several.parquet", shallow=False)


def test_too_small_a_memory_limit_is_a_one_line_error_naming_the_option(model_dir, tx_csv, tmp_path, capsys):
    out = tmp_path / "s.parquet"
    status = main(["score", "--model", str(model_dir), "--transactions", str(tx_csv), "--as-of", AS_OF,
                   "--out", str(out), "--no-progress", "--memory-limit", "4MB"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert err.endswith("the aggregation needs more memory than --memory-limit 4MB; give a larger one "
                        "(the previous output is kept)")
    assert not out.exists()


def test_cli_takes_the_transactions_as_an_argument_like_the_other_commands(model_dir, tx_csv, tmp_path, capsys):
    assert main(["score", str(tx_csv), "--model", str(model_dir), "--as-of", AS_OF,
                 "--out", str(tmp_path / "a.csv"), "--no-progress"]) == 0
    assert main(["score", "--transactions", str(tx_csv), "--model", str(model_dir), "--as-of", AS_OF,
                 "--out", str(tmp_path / "b.csv"), "--no-progress"]) == 0
    assert filecmp.cmp(tmp_path / "a.csv", tmp_path / "b.csv", shallow=False)
    capsys.readouterr()
    assert main(["score", str(tx_csv), "--transactions", str(tx_csv), "--model", str(model_dir), "--as-of", AS_OF,
                 "--out", str(tmp_path / "c.csv")]) == 2
    assert "give the transactions once" in capsys.readouterr().err
