"""Training on Spark (issue 23.3): the same standards and the same file as training on one machine.

A real local Spark session. The differential: one file graded by ``grade_file`` (DuckDB) and by
``grade_file_spark`` (Spark SQL features, Spark counts) gives every standard equal as JSON (quantile
edges, means, thresholds, the CLV parameters: they are learned from the same distinct values and
rows, counted exactly by either engine) and the same output file, byte for byte.
"""

from __future__ import annotations

import json
import warnings

import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data import ColumnMap, ReadOptions
from tierkit.features.columns import FeatureColumns
from tierkit.features.statistics import SparkStatistics
from tierkit.grading import grade_file
from tierkit.spark.training import grade_file_spark

pytestmark = [pytest.mark.spark, pytest.mark.slow]

AS_OF = "1998-06-30"
LENIENT = ReadOptions(missing_customers="drop", on_bad_rows="skip")
DIRTY_TAIL = "00001,not-a-date,3\n,1997-02-01,4\n00002,1997-03-03,abc\n00003,1997-03-15,7.25\n00004,1999-01-01,9\n"


def _segmentation(clusters: bool = True, value_potential: bool = True):
    """What ``tierkit segment`` fits by default: every rule scheme, CLV, clusters and the value-potential matrix."""
    return tk.Segmentation(clv=tk.CLVModel(), clusters=tk.KMeansSegmenter(random_state=0) if clusters else False,
                           value_potential=value_potential, optional_steps=("clv", "clusters"))


def _standards(segmentation) -> str:
    return json.dumps(segmentation.standards(), sort_keys=True, default=str)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-training")
    tx = tk.load_cdnow(sample=True)[["customer_id", "date", "amount"]].copy()
    csv = root / "tx.csv"
    with open(csv, "w") as f:
        f.write(tx.to_csv(index=False, date_format="%Y-%m-%d") + DIRTY_TAIL)
    folder = root / "parts"
    folder.mkdir()
    renamed = tx.rename(columns={"customer_id": "cust", "date": "ts", "amount": "value"})
    renamed.iloc[:4000].to_parquet(folder / "a.parquet")
    renamed.iloc[4000:].to_parquet(folder / "b.parquet")
    return root, csv, folder


def _graded(grade, path, out, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = grade(path, out, as_of=AS_OF, time_unit="W", **kwargs)
    return done, sorted({str(w.message) for w in caught if "tier" in str(w.message) or "empty" in str(w.message)})


@pytest.mark.parametrize("suffix, lang", [(".csv", "zh")])
def test_spark_and_local_training_learn_the_same_standards_and_write_the_same_file(spark, data, tmp_path,
                                                                                 monkeypatch, suffix, lang):
    _, csv, _ = data
    local, local_alerts = _graded(grade_file, csv, tmp_path / f"local{suffix}", segmentation=_segmentation(),
                                  options=LENIENT, lang=lang, currency="USD")
    read, frame, collected, column = [], FeatureColumns.frame, [], SparkStatistics.column

    def recorded(self, names, extra=None):
        read.extend(names)
        return frame(self, names, extra)

    def recorded_column(self, name):
        collected.append(name)
        return column(self, name)

    monkeypatch.setattr(FeatureColumns, "frame", recorded)
    monkeypatch.setattr(SparkStatistics, "column", recorded_column)
    on_spark, spark_alerts = _graded(grade_file_spark, csv, tmp_path / f"spark{suffix}", segmentation=_segmentation(),
                                     spark=spark, options=LENIENT, lang=lang, currency="USD")
    # Every step learns from what Spark computes: counts, the hash sample, and the exact median of the
    # CLV the executors predict for the value-potential matrix. No column of every customer is collected.
    assert read == [] and collected == []
    assert _standards(on_spark.segmentation) == _standards(local.segmentation)
    assert dict(on_spark.segmentation.steps_).keys() == dict(local.segmentation.steps_).keys() >= {"clv", "clusters"}
    assert on_spark.customers == local.customers == 2357 + 1  # 00003 of the dirty tail is a good row
    assert (tmp_path / f"spark{suffix}").read_bytes() == (tmp_path / f"local{suffix}").read_bytes()
    assert on_spark.alerts == local.alerts and spark_alerts == local_alerts
    # the contract's reading rules hold on both: the dirty rows are left out alike
    assert on_spark.report.as_dict()["rejected"] == local.report.as_dict()["rejected"] != {}


def test_a_folder_of_parquet_parts_trains_on_spark_as_it_does_locally(spark, data, tmp_path):
    _, _, folder = data
    columns = ColumnMap(customer_id="cust", date="ts", amount="value")
    local, _ = _graded(grade_file, folder, tmp_path / "local.csv", segmentation=_segmentation(), columns=columns)
    on_spark, _ = _graded(grade_file_spark, folder, tmp_path / "spark.csv", segmentation=_segmentation(),
                          spark=spark, columns=columns)
    assert on_spark.customers == local.customers == 2357
    assert _standards(on_spark.segmentation) == _standards(local.segmentation)
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


def test_segment_engine_spark_writes_what_the_local_engine_writes(spark, data, tmp_path):
    _, csv, _ = data
    common = [str(csv), "--as-of", AS_OF, "--time-unit", "W", "--missing-customers", "drop",
              "--on-bad-rows", "skip"]
    assert main(["segment", *common, "--out", str(tmp_path / "local.csv")]) == 0
    assert main(["segment", *common, "--out", str(tmp_path / "spark.csv"), "--engine", "spark"]) == 0
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


@pytest.mark.parametrize("extra, named", [(["--out", "o.xlsx"], "--out"), (["--out", "o.csv", "--model", "m"],
                                                                          "--engine")])
def test_what_the_spark_engine_does_not_do_is_refused_in_one_line(data, tmp_path, capsys, monkeypatch, extra, named):
    _, csv, _ = data
    monkeypatch.chdir(tmp_path)
    assert main(["segment", str(csv), "--as-of", AS_OF, "--engine", "spark", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "o.csv").exists()


def test_a_missing_file_is_refused_before_a_spark_session_starts(tmp_path, capfd, monkeypatch):
    """One line, exit 2, and no session started for it (the refusal comes before Spark's start-up)."""
    import tierkit.spark.session as spark_module

    started = []
    monkeypatch.setattr(spark_module, "default_spark_session", lambda *a, **k: started.append(a))
    assert main(["segment", str(tmp_path / "nope.csv"), "--as-of", AS_OF, "--engine", "spark",
                 "--out", str(tmp_path / "o.csv")]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert err == [f"tierkit: error: {tmp_path / 'nope.csv'}: no such file or folder"] and started == []
    assert not (tmp_path / "o.csv").exists()


def test_a_spark_dataframe_in_and_a_parquet_folder_written_by_the_executors_out(spark, data, tmp_path):
    """The Python entry on a lake's DataFrame: the local file's rows, tiers and alerts, in Parquet parts."""
    import pandas as pd

    tx = tk.load_cdnow(sample=True)[["customer_id", "date", "amount"]].copy()
    tx["date"] = tx["date"].dt.date
    tx = pd.concat([tx, pd.DataFrame({"customer_id": [None], "date": [tx["date"].iloc[0]], "amount": [5.0]})],
                   ignore_index=True)  # a row without a customer: left out by the contract on both engines
    tx.to_parquet(tmp_path / "tx.parquet")
    local, local_alerts = _graded(grade_file, tmp_path / "tx.parquet", tmp_path / "local.parquet",
                                  segmentation=_segmentation(), options=LENIENT, lang="zh")
    frame = spark.createDataFrame(tx)
    on_spark, spark_alerts = _graded(grade_file_spark, frame, tmp_path / "tiers", segmentation=_segmentation(),
                                     options=LENIENT, lang="zh")
    assert on_spark.customers == local.customers == 2357
    assert _standards(on_spark.segmentation) == _standards(local.segmentation)
    assert on_spark.report.as_dict()["rejected"] == local.report.as_dict()["rejected"] != {}
    assert on_spark.alerts == local.alerts and spark_alerts == local_alerts
    parts = sorted((tmp_path / "tiers").glob("part-*.parquet"))
    assert len(parts) > 1  # written by the executors, partition by partition
    written = pd.read_parquet(tmp_path / "tiers")
    expected = pd.read_parquet(tmp_path / "local.parquet")
    # sorted by customer across the parts, as the file is
    assert written["customer_id"].tolist() == expected["customer_id"].tolist()
    assert list(written.columns) == list(expected.columns)
    for column in expected.columns:
        pd.testing.assert_series_equal(written[column].astype(expected[column].dtype), expected[column],
                                       check_names=False, obj=column)


def test_a_folder_that_exists_is_refused_before_any_work(spark, data, tmp_path):
    _, csv, _ = data
    (tmp_path / "tiers").mkdir()
    with pytest.raises(tk.DataError, match="already exists") as caught:
        grade_file_spark(csv, tmp_path / "tiers", as_of=AS_OF, segmentation=_segmentation(), spark=spark,
                         options=LENIENT)
    assert caught.value.key == "output_folder_exists"
    assert list((tmp_path / "tiers").iterdir()) == []


def test_segment_engine_spark_into_a_folder(spark, data, tmp_path, capsys):
    import pandas as pd

    _, csv, _ = data
    common = [str(csv), "--as-of", AS_OF, "--time-unit", "W", "--missing-customers", "drop", "--on-bad-rows", "skip"]
    assert main(["segment", *common, "--out", str(tmp_path / "local.parquet")]) == 0
    assert main(["segment", *common, "--out", str(tmp_path / "tiers"), "--engine", "spark"]) == 0
    assert f"2358 customers graded as of {AS_OF} -> {tmp_path / 'tiers'}" in capsys.readouterr().err
    written, expected = pd.read_parquet(tmp_path / "tiers"), pd.read_parquet(tmp_path / "local.parquet")
    assert written["rfm_class"].tolist() == expected["rfm_class"].tolist()
    assert written["value_potential"].tolist() == expected["value_potential"].tolist()


def test_a_dataframe_without_a_needed_column_is_refused_in_one_line_before_anything_is_written(spark, tmp_path):
    import pandas as pd

    frame = spark.createDataFrame(pd.DataFrame({"customer_id": ["a", "b"], "day": ["2021-01-01", "2021-01-02"],
                                                "amount": [1.0, 2.0]}))
    with pytest.raises(tk.DataError) as caught:
        grade_file_spark(frame, tmp_path / "tiers", as_of="2021-01-31", segmentation=_segmentation())
    message = str(caught.value)
    assert "\n" not in message and "<Spark DataFrame>" in message and "'date'" in message
    assert not (tmp_path / "tiers").exists()
