import json
import os
import subprocess
import sys
import textwrap

import mlflow
import pandas as pd
import pytest

import tierkit as tk
from conftest import SAMPLE_CONFIG
from mlflow_server import mlflow_server
from tierkit.errors import ModelError
from tierkit.mlops.experiment import fit_experiment, log_experiment, run_experiment
from tierkit.mlops.pyfunc import model_input

CONFIG = SAMPLE_CONFIG


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(CONFIG)
    return path


def test_run_logs_params_metrics_dataset_tables_and_model_to_a_local_store(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_experiment(config, tracking_uri_override=f"sqlite:///{tmp_path / 'mlflow.db'}")
    run = mlflow.get_run(result.run_id)
    assert run.data.params["time_unit"] == "W"
    assert run.data.metrics["customers"] == 2357.0
    # the schemes' held-out metrics are in one child run per scheme (tests/mlops/test_mlflow_runs.py)
    assert set(result.scheme_run_ids) >= {"rfm_class", "abc_tier", "rfm_segment", "lifecycle_stage"}
    for scheme, child in result.scheme_run_ids.items():
        child = mlflow.get_run(child)
        assert child.info.run_name == scheme and "variance_share" in child.data.metrics
        assert child.data.tags["mlflow.parentRunId"] == result.run_id
    assert run.inputs.dataset_inputs and run.inputs.dataset_inputs[0].dataset.name == "CDNOW_sample.txt"
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id, "profiles")}
    assert "profiles/rfm_class.json" in artifacts
    # Registered with the alias; loads and predicts what the in-process segmentation does.
    model = mlflow.pyfunc.load_model("models:/tierkit-test@champion")
    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30", time_unit="W")
    predicted = model.predict(model_input(features))
    assert len(predicted) == 2357
    assert predicted["rfm_class"].tolist() == result.table["rfm_class"].tolist()
    assert predicted["abc_tier"].tolist() == result.table["abc_tier"].tolist()


def test_fitting_an_experiment_needs_no_tracking_store_and_logging_it_needs_no_refit(config, tmp_path, monkeypatch):
    """Issue 22.1: run_experiment is fit_experiment (no MLflow) then log_experiment (no fitting)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens: any MLflow call fails
    fitted = fit_experiment(config)
    assert not list(tmp_path.glob("mlflow.db*")) and not (tmp_path / "mlruns").exists()
    assert len(fitted.table) == 2357 and fitted.best in fitted.comparison.index
    assert fitted.segmentation is fitted.graded.segmentation and set(fitted.alerts) == {"en", "zh"}
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    mlflow.set_experiment("split")
    fit_calls = []
    monkeypatch.setattr(tk.Segmentation, "fit", lambda *a, **k: fit_calls.append(a))
    result = log_experiment(fitted, register=False)
    assert fit_calls == [] and result.table is fitted.table
    run = mlflow.get_run(result.run_id)
    assert run.data.metrics["customers"] == 2357.0 and run.data.tags["best_scheme"] == fitted.best


def test_incompatible_model_format_is_refused(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_experiment(config, tracking_uri_override=f"sqlite:///{tmp_path / 'mlflow.db'}", register=False)
    local = mlflow.artifacts.download_artifacts(result.model_uri, dst_path=str(tmp_path / "copy"))
    standards_path = next(p for p in __import__("pathlib").Path(local).rglob("standards.json"))
    standards = json.loads(standards_path.read_text())
    standards.update(model_format=99, tierkit_version="9.0.0")
    standards_path.write_text(json.dumps(standards))
    with pytest.raises(ModelError, match="saved by tierkit 9.0.0 in model format 99; this tierkit .* reads format 2"):
        mlflow.pyfunc.load_model(local)


@pytest.mark.server
@pytest.mark.slow
def test_real_server_log_register_alias_and_load_in_a_fresh_process(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with mlflow_server(tmp_path) as uri:
        result = run_experiment(config, tracking_uri_override=uri)
        assert result.registered_version == "1"
        client = mlflow.MlflowClient(tracking_uri=uri)
        version = client.get_model_version_by_alias("tierkit-test", "champion")
        assert version.version == "1"
        # the version's description and tags, read back through the server
        assert version.tags["as_of"] == "1998-06-30" and version.tags["customers"] == "2357"
        assert version.tags["time_unit"] == "W" and version.tags["run_id"] == result.run_id
        assert version.tags["best_scheme"] == result.best_scheme == result.comparison.index[0]
        assert version.tags["config"] == "sample.yaml" and "as of 1998-06-30" in version.description
        children = client.search_runs([result.experiment_id],
                                      filter_string=f"tags.mlflow.parentRunId = '{result.run_id}'")
        assert sorted(c.info.run_name for c in children) == sorted(result.comparison.index)
        assert all(set(c.data.metrics) == set(children[0].data.metrics) for c in children)
        features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30", time_unit="W")
        model_input(features).to_parquet(tmp_path / "input.parquet")
        in_process = mlflow.pyfunc.load_model("models:/tierkit-test@champion").predict(model_input(features))
        script = textwrap.dedent(f"""
            import sys, mlflow, pandas as pd
            assert "tierkit" not in sys.modules
            mlflow.set_tracking_uri({uri!r})
            model = mlflow.pyfunc.load_model("models:/tierkit-test@champion")
            out = model.predict(pd.read_parquet({str(tmp_path / 'input.parquet')!r}))
            out.to_parquet({str(tmp_path / 'fresh.parquet')!r})
            print(sys.modules["tierkit"].__file__)
        """)
        env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                             timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        fresh = pd.read_parquet(tmp_path / "fresh.parquet")
        pd.testing.assert_frame_equal(fresh, in_process.reset_index(drop=True), check_dtype=False)
        # The tierkit the fresh process ran is the code that travelled inside the model.
        assert "code" in run.stdout.strip().split(os.sep)


def test_compare_cli_reads_runs_back_from_mlflow(config, tmp_path, monkeypatch):
    from tierkit.cli.main import main

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run_experiment(config, tracking_uri_override=uri, register=False)
    code = main(["compare", "--experiment", "tierkit-test", "--tracking-uri", uri, "--out", str(tmp_path / "c.csv")])
    assert code == 0
    table = pd.read_csv(tmp_path / "c.csv")
    assert set(table["scheme"]) >= {"rfm_class", "abc_tier", "rfm_segment", "lifecycle_stage"}
    assert table["variance_share"].is_monotonic_decreasing
    assert main(["compare", "--experiment", "nope", "--tracking-uri", uri]) == 2


def test_register_cli_finds_the_model_of_a_run_made_by_tierkit_run(config, tmp_path, monkeypatch, capsys):
    from tierkit.cli.main import main

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    result = run_experiment(config, tracking_uri_override=uri, register=False)
    assert main(["register", result.run_id, "--name", "tierkit-registered", "--tracking-uri", uri]) == 0
    assert "models:/tierkit-registered/1 registered" in capsys.readouterr().out
    client = mlflow.MlflowClient(tracking_uri=uri)
    assert str(client.get_model_version_by_alias("tierkit-registered", "champion").version) == "1"
    assert main(["register", "x' OR '1'='1", "--name", "n", "--tracking-uri", uri]) == 2
    assert "not a run id" in capsys.readouterr().err
    # a scheme's child run has no model: the message names the parent run to register
    assert main(["register", result.scheme_run_ids["abc_tier"], "--name", "n", "--tracking-uri", uri]) == 2
    assert f"register its parent run {result.run_id}" in capsys.readouterr().err.replace("\n", " ")


@pytest.mark.slow
def test_two_first_runs_at_once_on_a_new_sqlite_store_both_succeed(config, tmp_path):
    import subprocess
    import sys

    uri = f"sqlite:///{tmp_path / 'new.db'}"
    runs = [subprocess.Popen([sys.executable, "-m", "tierkit", "run", str(config), "--tracking-uri", uri],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-600:] for _, err in results]
    client = mlflow.MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("tierkit-test").experiment_id])
    assert len([r for r in runs if "mlflow.parentRunId" not in r.data.tags]) == 2  # the parents; children apart


def test_pyfunc_horizon_parameter_is_a_duration_and_the_unit_is_checked_on_numbers_alone(tmp_path):
    import warnings

    from tierkit.errors import DataError, TierkitError
    from tierkit.mlops.export import save_segmentation_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weekly = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30", time_unit="W")
        daily = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30", time_unit="D")
    seg = tk.Segmentation(clv=tk.CLVModel(horizon="52W")).fit(weekly)
    with pytest.raises(TierkitError, match='horizon=52 is ambiguous for features in weeks'):
        save_segmentation_model(seg, weekly, tmp_path / "bare", horizon=52)
    folder = save_segmentation_model(seg, weekly, tmp_path / "m", horizon=seg.named_step("clv").horizon)
    model = mlflow.pyfunc.load_model(str(folder))
    assert model.metadata.get_params_schema().to_dict()[0]["default"] == "52W"
    rows = model_input(weekly).head(50)
    weeks = model.predict(rows, params={"horizon": "26W"})
    pd.testing.assert_frame_equal(weeks, model.predict(rows, params={"horizon": "182D"}))
    assert (weeks["clv"] < model.predict(rows)["clv"]).all()
    with pytest.raises(TierkitError, match=r'horizon=26 is ambiguous for features in weeks: write "26W"'):
        model.predict(rows, params={"horizon": "26"})
    # daily numbers (no attrs, no dates) into the weekly model: refused, naming the time unit
    with pytest.raises(DataError, match=r"look like days .* time_unit='W'"):
        model.predict(model_input(daily))


@pytest.mark.slow
def test_a_run_with_clv_logs_the_holdout_diagnostics_of_every_model_and_reports_them(tmp_path, monkeypatch):
    """FHL 2005's split of the CDNOW sample: 39 weeks of calibration, 39 of holdout."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "clv.yaml"
    config.write_text(SAMPLE_CONFIG.replace("  abc: {scheme: abc}", "  abc: {scheme: abc}\n  clv: {horizon: 52W}")
                      .replace("registered_model: tierkit-test, ", ""))
    result = run_experiment(config, tracking_uri_override=f"sqlite:///{tmp_path / 'mlflow.db'}",
                            out_dir=tmp_path / "out")
    metrics = mlflow.get_run(result.run_id).data.metrics
    # BG/NBD's cumulative repeat purchases at week 78 fall 3.99 % short of the 4,339 observed
    # (lifetimes' expected_cumulative_transactions at the same parameters: tests/clv/test_diagnostics.py)
    assert metrics["clv_holdout.bgnbd.tracking_error"] == pytest.approx(-0.0399, abs=5e-5)
    assert {f"clv_holdout.{m}.pearson_corr" for m in ("bgnbd", "mbgnbd", "pareto_nbd")} <= set(metrics)
    assert metrics["clv_holdout.pareto_nbd.log_likelihood"] == pytest.approx(-9595.0, abs=0.05)  # FHL 2005 note
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="clv_validation"' in page and "<h3>Pareto/NBD</h3>" in page
