"""The MLflow layout of ``tierkit run``: a parent run, one child run per scheme, described versions."""

import json

import mlflow
import pandas as pd
import pytest

from conftest import SAMPLE_CONFIG
from tierkit.evaluation.comparison import METRICS
from tierkit.mlops.experiment import run_experiment
from tierkit.mlops.runs import SCHEME_METRICS
from tierkit.mlops.tracking import comparison_across_runs

#: The sample config with a CLV step, clusters (k chosen over 2..4) and the CLV-based value-potential matrix.
CLUSTERS_CONFIG = SAMPLE_CONFIG.replace("  abc: {scheme: abc}\n", """  abc: {scheme: abc}
  clv: {horizon: 52W}
  clusters: {k_range: [2, 4]}
  value_potential: {}
""")


def children_of(client, run):
    return client.search_runs([run.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run.info.run_id}'")


def ranked_first(children) -> str:
    """The documented ranking rule (tierkit.evaluation.comparison): highest variance_share first."""
    shares = {child.info.run_name: child.data.metrics["variance_share"] for child in children}
    assert len(set(shares.values())) == len(shares), "a tie would need the given order to break it"
    return max(shares, key=shares.get)


@pytest.mark.slow
def test_a_parent_run_with_one_child_per_scheme_k_descriptions_and_a_described_version(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "sample.yaml"
    config.write_text(CLUSTERS_CONFIG)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    result = run_experiment(config, tracking_uri_override=uri)
    client = mlflow.MlflowClient(tracking_uri=uri)
    parent = client.get_run(result.run_id)
    children = children_of(client, parent)

    # one child per compared scheme, named after it, every one with the same metric keys
    assert sorted(c.info.run_name for c in children) == sorted(result.comparison.index)
    assert {"rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage", "cluster", "value_potential"} <= {
        c.info.run_name for c in children}
    assert {c.info.run_name: c.info.run_id for c in children} == result.scheme_run_ids
    for child in children:
        assert set(child.data.metrics) == set(SCHEME_METRICS) >= {*METRICS, "tiers"}
        assert child.data.tags["tierkit.scheme"] == child.info.run_name
        note = child.data.tags["mlflow.note.content"]
        assert child.info.run_name in note and "variance_share" in note and "top_tier_lift" in note
    # no {scheme}.{metric} metrics on the parent any more
    assert not [m for m in parent.data.metrics if m.endswith(".variance_share")]

    # best_scheme is the top of the ranking recomputed from the children's own metrics
    best = ranked_first(children)
    assert parent.data.tags["best_scheme"] == best == result.best_scheme
    ranks = {c.info.run_name: c.data.metrics["rank"] for c in children}
    assert ranks[best] == 1.0 and sorted(ranks.values()) == [float(i) for i in range(1, len(children) + 1)]

    # the chosen k: the k of the model's own standards, of the graded table, of the tag and the metric
    local = mlflow.artifacts.download_artifacts(f"runs:/{result.run_id}/model", dst_path=str(tmp_path / "model"),
                                                tracking_uri=uri)
    standards = json.loads(next(__import__("pathlib").Path(local).rglob("standards.json")).read_text())
    k = standards["steps"]["clusters"]["learned"]["k"]
    assert 2 <= k <= 4 and result.table["cluster"].nunique() == k
    assert parent.data.metrics["k"] == k and parent.data.tags["tierkit.k"] == str(k)

    # each child carries its scheme's standards: params <= 500 characters and standards.json
    by_name = {c.info.run_name: c for c in children}
    for child in children:
        assert all(len(v) <= 500 for v in child.data.params.values())
        assert "standards.json" in {a.path for a in client.list_artifacts(child.info.run_id)}
    assert set(json.loads(by_name["abc_tier"].data.params["abc.thresholds"])) == {"A", "B", "C"}
    assert len(json.loads(by_name["rfm_segment"].data.params["rfm.recency"])) == 4  # bin edges
    assert "rfm_classes.thresholds_" in by_name["rfm_class"].data.params
    assert "lifecycle.thresholds_" in by_name["lifecycle_stage"].data.params
    cluster = by_name["cluster"].data.params
    # the child's k is that of the clusters fitted on the calibration period (its own standards.json),
    # which may differ from the final model's k, fitted as of as_of
    child_standards = json.loads(__import__("pathlib").Path(mlflow.artifacts.download_artifacts(
        f"runs:/{by_name['cluster'].info.run_id}/standards.json", dst_path=str(tmp_path / "child"),
        tracking_uri=uri)).read_text())
    child_k = child_standards["clusters"]["k"]
    assert cluster["clusters.k"] == str(child_k) and 2 <= child_k <= 4
    assert [p for p in cluster if p.startswith("clusters.cluster_")] == [f"clusters.cluster_{i}"
                                                                        for i in range(child_k)]
    assert "customers" in cluster["clusters.cluster_0"]
    value = by_name["value_potential"].data.params  # a CLV-based scheme: the CLV model and its parameters
    assert value["clv.model"] == "mbgnbd" and set(json.loads(value["clv.mbgnbd"])) == {"r", "alpha", "a", "b"}
    assert by_name["value_potential"].data.tags["tierkit.steps"] == "clv,value_potential"

    # the parent's description: what, as of when, how many customers, the best scheme, alerts
    note = parent.data.tags["mlflow.note.content"]
    for text in ("1998-06-30", "2,357 customers", best, f"Alerts: {len(result.alerts['en'])}", f"k = {k}"):
        assert text in note, text
    assert parent.data.metrics["alerts"] == len(result.alerts["en"])

    # the registered version says which standards it carries
    version = client.get_model_version_by_alias("tierkit-test", "champion")
    assert str(version.version) == result.registered_version == "1"
    assert version.tags["as_of"] == "1998-06-30"
    assert version.tags["customers"] == "2357"
    assert version.tags["time_unit"] == "W"
    assert version.tags["k"] == str(k)
    assert version.tags["clv_model"] == "mbgnbd"
    assert set(json.loads(version.tags["clv_params"])) == {"mbgnbd", "gamma_gamma"}
    assert version.tags["config"] == "sample.yaml" and version.tags["config_name"] == "sample"
    assert version.tags["run_id"] == result.run_id and version.tags["best_scheme"] == best
    assert "as of 1998-06-30" in version.description and "2,357 customers" in version.description
    assert f"k = {k} clusters" in version.description and "mbgnbd" in version.description

    # `tierkit compare` reads the children back: one row per scheme, under the parent run
    table = comparison_across_runs("tierkit-test", tracking_uri=uri)
    assert set(table["run_id"]) == {result.run_id}
    assert dict(zip(table["scheme"], table["scheme_run_id"], strict=True)) == result.scheme_run_ids
    assert table["scheme"].iloc[0] == best
    pd.testing.assert_series_equal(
        table.set_index("scheme")["variance_share"].sort_index(),
        result.comparison["variance_share"].astype(float).sort_index(), check_names=False)


def test_compare_still_reads_runs_logged_with_scheme_dot_metric_names(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("old")
    with mlflow.start_run(run_name="before-child-runs") as run:
        mlflow.log_metrics({"abc_tier.variance_share": 0.4, "abc_tier.top_tier_lift": 3.0,
                            "rfm_class.variance_share": 0.3, "customers": 10.0})
    table = comparison_across_runs("old", tracking_uri=uri)
    assert table["scheme"].tolist() == ["abc_tier", "rfm_class"]
    assert table["run_id"].tolist() == [run.info.run_id] * 2
    assert table["top_tier_lift"].iloc[0] == 3.0 and table["scheme_run_id"].isna().all()
