"""``tierkit run`` with ``engine: spark`` (issue 23.3): the same run, model and report as the local engine.

A real local Spark session and a real SQLite tracking store. The experiment is the CDNOW sample of
the other run tests, with CLV, k-means and the value-potential matrix, and a seeded survey for
the CLV-CS grid: the final segmentation learns its standards from Spark's features and counts,
and everything the run logs must equal what the local run logs.
"""

from __future__ import annotations

import json

import mlflow
import pandas as pd
import pytest

from conftest import SAMPLE_CONFIG
from tierkit.mlops.experiment import run_experiment

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SCHEMES = ("  abc: {scheme: abc}\n  clv: {horizon: 52W}\n  clusters: {k_range: [2, 5]}\n  value_potential: {}\n"
           "  clv_cs: {}")
#: Tags that name the run itself, not what it learned.
OWN_TAGS = ("mlflow.", "tierkit.engine")


def _config(tmp_path, engine: str):
    (tmp_path / engine).mkdir(exist_ok=True)
    path = tmp_path / engine / "sample.yaml"  # one name: the run tags it
    path.write_text(SAMPLE_CONFIG.replace("  abc: {scheme: abc}", SCHEMES)
                    + "satisfaction: {synthetic: true, scale: nps, seed: 7}\n"
                    + f"engine: {engine}\n")
    return path


def test_a_run_on_spark_logs_the_run_model_and_report_of_a_local_run(spark, tmp_path, monkeypatch):
    import tierkit.spark.training as training

    monkeypatch.chdir(tmp_path)
    fitted_on_spark, fit = [], training.fit_segmentation_spark

    def spied(*args, **kwargs):
        done = fit(*args, **kwargs)
        fitted_on_spark.append(done.customers)
        return done

    monkeypatch.setattr(training, "fit_segmentation_spark", spied)
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    local = run_experiment(_config(tmp_path, "local"), tracking_uri_override=store, out_dir=tmp_path / "local" / "out")
    assert fitted_on_spark == []
    on_spark = run_experiment(_config(tmp_path, "spark"), tracking_uri_override=store,
                              out_dir=tmp_path / "spark" / "out")
    assert fitted_on_spark == [2357]  # the final standards were learned by Spark, from its own features
    runs = {name: mlflow.get_run(result.run_id) for name, result in (("local", local), ("spark", on_spark))}
    assert runs["spark"].data.tags["tierkit.engine"] == "spark" and runs["local"].data.tags["tierkit.engine"] == "local"
    assert runs["spark"].data.params == runs["local"].data.params
    assert runs["spark"].data.metrics == runs["local"].data.metrics
    assert {"clv.r", "k"} <= set(runs["spark"].data.metrics)

    def learned(run):
        return {k: v for k, v in run.data.tags.items() if not k.startswith(OWN_TAGS)}

    assert learned(runs["spark"]) == learned(runs["local"])
    pd.testing.assert_frame_equal(on_spark.table, local.table, check_exact=True)
    assert {"value_potential", "clv_cs_class", "cluster"} <= set(on_spark.table.columns)
    # the registered model: versions 1 (local) and 2 (Spark) hold the same standards
    client = mlflow.MlflowClient()
    standards = []
    for version in ("1", "2"):
        folder = mlflow.artifacts.download_artifacts(f"models:/tierkit-test/{version}",
                                                     dst_path=str(tmp_path / f"v{version}"))
        standards.append(json.loads(next((tmp_path / f"v{version}").rglob("standards.json")).read_text()))
        assert client.get_model_version("tierkit-test", version).run_id in (local.run_id, on_spark.run_id), folder
    assert standards[0] == standards[1]
    # the report reads the same, but for the run it names
    pages = [(tmp_path / name / "out" / "report.html").read_text(encoding="utf-8").replace(result.run_id, "RUN")
             for name, result in (("local", local), ("spark", on_spark))]
    assert pages[0] == pages[1]
