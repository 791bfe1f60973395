"""Experiment configs (tierkit.mlops.config): typed sections, one-line errors naming the file and
the key, and everything checked before any MLflow run is created."""

from pathlib import Path

import mlflow
import pytest

from conftest import SAMPLE_CONFIG
from tierkit.errors import TierkitError
from tierkit.mlops.config import ExperimentConfig, load_config
from tierkit.mlops.experiment import run_experiment

ROOT = Path(__file__).resolve().parents[2]

CONFIG = SAMPLE_CONFIG


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def changed(old, new):
    assert old in CONFIG, old
    return CONFIG.replace(old, new)


def test_the_example_config_loads_with_typed_sections_that_still_read_like_mappings():
    config = load_config(ROOT / "experiments" / "cdnow.yaml")
    assert isinstance(config, ExperimentConfig)
    assert config.name == "cdnow" and config.experiment_name == "tierkit-cdnow"
    assert config.dates.as_of == config.dates["as_of"] == "1998-06-30"
    assert config.schemes.rfm.n_bins == 5 and config.schemes.clusters.k_range == [2, 10]
    assert config.data["dataset"] == "cdnow" and "path" not in config.data and config.data_path() is None
    assert config.mlflow.get("alias", "x") == "champion" and config.mlflow.get("tracking_uri") is None
    assert config.satisfaction.synthetic is True and config.satisfaction["seed"] == 7
    # what build_segmentation takes: only the keys the file gave, as plain dicts
    assert config.scheme_params() == {"clv": {"horizon": "365D", "discount_rate": 0.10, "model": "auto"},
                                      "rfm": {"n_bins": 5}, "abc": {"scheme": "course", "basis": "rank"},
                                      "clusters": {"k_range": [2, 10]},
                                      "clv_cs": {}, "value_potential": {}}
    params = config.to_params()
    assert params["schemes.rfm.n_bins"] == 5 and params["dates.calibration_end"] == "1997-12-31"
    assert params["satisfaction.scale"] == "nps" and "mlflow.alias" not in params


def test_schemes_on_off_and_defaults_follow_build_segmentation(tmp_path):
    config = load_config(write(tmp_path, changed("abc: {scheme: abc}", "abc: {scheme: abc}\n  lifecycle: false\n"
                                                                        "  clv: true\n  clusters:"), "x.yaml"))
    assert config.schemes.enabled("rfm") and config.schemes.enabled("clv") and config.schemes.enabled("clusters")
    assert not config.schemes.enabled("lifecycle") and not config.schemes.enabled("value_potential")
    assert config.scheme_params() == {"clv": True, "abc": {"scheme": "abc"}, "lifecycle": False, "clusters": None}
    from tierkit.segmentation.chain import build_segmentation

    segmentation = build_segmentation(config.scheme_params())
    assert segmentation.lifecycle is False and segmentation.abc.scheme == "abc"


def test_toml_configs_read_like_yaml_and_their_dates_stay_text(tmp_path):
    toml = write(tmp_path, """name = "sample"
time_unit = "W"
[data]
dataset = "cdnow_sample"
[dates]
calibration_end = 1997-09-30
holdout_end = 1998-06-30
as_of = "1998-06-30"
[schemes.abc]
scheme = "abc"
[mlflow]
experiment = "tierkit-test"
registered_model = "tierkit-test"
alias = "champion"
""", "x.toml")
    yaml = write(tmp_path, CONFIG, "x.yaml")
    assert load_config(toml).as_dict() == load_config(yaml).as_dict()
    assert load_config(toml).dates.calibration_end == "1997-09-30"
    bad = write(tmp_path, 'name = "x"\n[data]\ndataset = "cdnow"\n[dates]\nas_of = 19980630\n', "bad.toml")
    with pytest.raises(TierkitError, match=r"bad\.toml: dates\.as_of: expected a date YYYY-MM-DD"):
        load_config(bad)


def test_yaml_dates_stay_text_so_strict_date_parsing_decides(tmp_path):
    # YAML itself would read 1998-6-30 as a date; tierkit wants YYYY-MM-DD
    with pytest.raises(TierkitError, match=r"bad\.yaml: dates\.as_of: '1998-6-30' is not a date; expected YYYY-MM-DD"):
        load_config(write(tmp_path, changed("as_of: 1998-06-30", "as_of: 1998-6-30")))


def test_config_errors_name_the_key_and_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG.replace("time_unit: W", "time_unit: W\nhorizn: 12"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: horizn: unknown key; expected one of: name, description"):
        load_config(bad)
    bad.write_text(CONFIG.replace("abc: {scheme: abc}", "abcd: {scheme: abc}"))
    with pytest.raises(TierkitError,
                       match=r"bad\.yaml: schemes\.abcd: unknown key; expected one of: schemes\.clv, schemes\.rfm, "):
        load_config(bad)
    bad.write_text(CONFIG.replace("1997-09-30", "1997-09-31"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: dates\.calibration_end: '1997-09-31' is not a date"):
        load_config(bad)
    bad.write_text(CONFIG.replace("registered_model: tierkit-test", "registered_model: shop/tiers"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: mlflow\.registered_model 'shop/tiers': a registered model "
                                           r"name cannot be empty or contain '/' or ':'"):
        load_config(bad)
    bad.write_text(CONFIG.replace("alias: champion", "alias: latest"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: mlflow\.alias 'latest': an alias is"):
        load_config(bad)


#: (old text, new text, how the error goes on after "bad.yaml: ", {dir} the config's folder) -- one per kind of mistake.
MISTAKES = {
    "unknown scheme parameter": ("abc: {scheme: abc}", "rfm: {n_binz: 5}",
                                 "schemes.rfm.n_binz: unknown key; expected one of: schemes.rfm.n_bins, "
                                 "schemes.rfm.edges, schemes.rfm.weights"),
    "parameter of the wrong type": ("abc: {scheme: abc}", "rfm: {n_bins: five}",
                                    "schemes.rfm.n_bins: expected an integer >= 2 and <= 9, got 'five'"),
    "parameter out of range": ("abc: {scheme: abc}", "clv: {horizon: -1}",
                               "schemes.clv.horizon=-1; expected a duration > 0, e.g. '365D' or '52W'"),
    "bare horizon with weekly features": ("abc: {scheme: abc}", "clv: {horizon: 365}",
                                          'schemes.clv.horizon=365 is ambiguous for features in weeks: write "365W" '
                                          '(365 weeks) or "365D" (365 days)'),
    "horizon in months": ("abc: {scheme: abc}", "clv: {horizon: 12M}",
                          "schemes.clv.horizon='12M' is in months, which have no exact number of days; write days "
                          "or weeks, e.g. '365D' or '52W'"),
    "horizon not a duration": ("abc: {scheme: abc}", "clv: {horizon: abc}",
                               "schemes.clv.horizon='abc' is not a duration"),
    "bare lifecycle threshold with weekly features": ("abc: {scheme: abc}", "lifecycle: {at_risk_after: 30}",
                                                      "schemes.lifecycle.at_risk_after=30 is ambiguous for features "
                                                      'in weeks: write "30W"'),
    "parameters the estimator refuses together": ("abc: {scheme: abc}", "abc: {scheme: abc, cutoffs: [0.5, 1.0]}",
                                                  "schemes.abc.cutoffs: [0.5, 1.0] must be 3 increasing shares"),
    "value outside the estimator's options": ("abc: {scheme: abc}", "abc: {scheme: xyz}",
                                    "schemes.abc.scheme: expected one of 'course', 'abc', 'pyramid', got 'xyz'"),
    "k range backwards": ("abc: {scheme: abc}", "clusters: {k_range: [5, 3]}",
                          "schemes.clusters.k_range: [5, 3]; expected 2 <= low < high"),
    "scheme that is not a mapping": ("abc: {scheme: abc}", "rfm: 5",
                                     "schemes.rfm: expected a mapping of parameters, true or false, got 5"),
    "scheme needing clv without it": ("abc: {scheme: abc}", "clv_cs: {}",
                                      "schemes.clv_cs: needs predicted CLV; add schemes.clv"),
    "lifecycle thresholds crossed": ("abc: {scheme: abc}", "lifecycle: {at_risk_after: 8W, churned_after: 50D}",
                                     "schemes.lifecycle.churned_after: '50D' must not be below at_risk_after '8W'"),
    "dates out of order": ("holdout_end: 1998-06-30", "holdout_end: 1997-06-30",
                           "dates.holdout_end: 1997-06-30 must come after dates.calibration_end 1997-09-30"),
    "as_of before the calibration end": ("as_of: 1998-06-30", "as_of: 1997-01-01",
                                         "dates.as_of: 1997-01-01 must not come before dates.calibration_end"),
    "calibration without holdout": ("holdout_end: 1998-06-30, ", "",
                                    "dates.calibration_end and dates.holdout_end go together"),
    "no date at all": ("dates: {calibration_end: 1997-09-30, holdout_end: 1998-06-30, as_of: 1998-06-30}",
                       "dates: {}", "dates: needs dates.as_of (or dates.holdout_end)"),
    "time unit": ("time_unit: W", "time_unit: M", "time_unit: expected 'D' (days) or 'W' (weeks), got 'M'"),
    "language": ("time_unit: W", "time_unit: W\nlang: fr", "lang: expected one of 'en', 'zh', got 'fr'"),
    "seed not an integer": ("time_unit: W", "time_unit: W\nseed: 1.5", "seed: expected an integer, got 1.5"),
    "name missing": ("name: sample\n", "", "name: missing key; expected text"),
    "unknown dataset": ("dataset: cdnow_sample", "dataset: cdnow_big",
                        "data.dataset: expected one of 'cdnow', 'cdnow_sample', got 'cdnow_big'"),
    "dataset and path": ("dataset: cdnow_sample", "dataset: cdnow_sample, path: bad.yaml",
                         "data: needs exactly one of data.dataset (cdnow, cdnow_sample) or data.path"),
    "data file missing": ("dataset: cdnow_sample", "path: nope.csv", "data.path: file '{dir}/nope.csv' does not exist"),
    "reading option": ("dataset: cdnow_sample", "dataset: cdnow_sample, on_bad_rows: ignore",
                       "data.on_bad_rows: expected one of 'error', 'skip', got 'ignore'"),
    "time zone": ("dataset: cdnow_sample", "dataset: cdnow_sample, timezone: Mars/Base",
                  "data.timezone 'Mars/Base': not a time zone"),
    "unknown data key": ("dataset: cdnow_sample", "dataset: cdnow_sample, amout: x",
                         "data.amout: unknown key; expected one of: data.dataset, data.path, data.customer_id, "
                         "data.date, data.amount, data.order_id"),
    "column map rule": ("dataset: cdnow_sample", "path: bad.yaml, price: p",
                        "data: price column 'p' needs a quantity column (amount = price x quantity)"),
    "reading key with a bundled dataset": ("dataset: cdnow_sample", "dataset: cdnow_sample, sep: ';'",
                                           "data.sep: a bundled dataset is read as it is; data.sep goes with "
                                           "data.path"),
    "columns as a mapping (earlier versions)": ("dataset: cdnow_sample", "path: bad.yaml, columns: {amount: Revenue}",
                                                "data.columns: unknown key; the source columns are keys of data "
                                                "itself (data.amount: Revenue)"),
    "sheet_name (earlier versions)": ("dataset: cdnow_sample", "path: bad.yaml, sheet_name: 1",
                                      "data.sheet_name: unknown key; the worksheet is data.sheet (a name, or a "
                                      "position counted from 0)"),
    "negative sheet": ("dataset: cdnow_sample", "path: bad.yaml, sheet: -1",
                       "data.sheet: expected a worksheet name or a position counted from 0 (the first), got -1"),
    "survey file missing": ("time_unit: W", "time_unit: W\nsatisfaction: {path: survey.csv}",
                            "satisfaction.path: survey file '{dir}/survey.csv' does not exist"),
    "survey scale": ("time_unit: W", "time_unit: W\nsatisfaction: {synthetic: true, scale: ten}",
                     "satisfaction.scale: 'ten' is not supported"),
    "registered model name": ("registered_model: tierkit-test", "registered_model: shop/tiers",
                              "mlflow.registered_model 'shop/tiers': a registered model name cannot"),
    "alias": ("alias: champion", "alias: v1", "mlflow.alias 'v1': an alias is"),
    "unknown mlflow key": ("mlflow: {", "mlflow: {trackin_uri: x, ",
                           "mlflow.trackin_uri: unknown key; expected one of: mlflow.experiment, "
                           "mlflow.registered_model"),
}


@pytest.mark.parametrize("old, new, expected", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_kind_of_mistake_is_one_line_naming_the_file_and_the_key(tmp_path, old, new, expected):
    path = write(tmp_path, changed(old, new))
    with pytest.raises(TierkitError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: " + expected.format(dir=tmp_path)), message
    assert "\n" not in message and "pydantic" not in message and "Input should" not in message


def test_all_mistakes_of_a_file_are_reported_on_one_line(tmp_path):
    path = write(tmp_path, changed("abc: {scheme: abc}", "clusters: {k: 1, features: [recency, foo]}"))
    with pytest.raises(TierkitError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}: schemes.clusters.features[1]: expected 'recency', 'frequency', 'monetary', "
                               "'tenure' or 'clv', got 'foo'; schemes.clusters.k: expected an integer >= 2, got 1")


def test_a_file_that_is_not_a_config(tmp_path):
    with pytest.raises(TierkitError, match=r"missing\.yaml: no such config file"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(TierkitError, match=r"bad\.yaml: not valid yaml: "):
        load_config(write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: expected a mapping of sections \(name, description, data"):
        load_config(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(TierkitError, match=r"bad\.yaml: data: expected a mapping, got 'cdnow'"):
        load_config(write(tmp_path, changed("data: {dataset: cdnow_sample}", "data: cdnow")))


def test_relative_data_and_survey_paths_are_resolved_against_the_config_folder(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tx.csv").write_text("customer_id,date,amount\na,2021-01-01,1\n")
    (tmp_path / "in" / "survey.csv").write_text("customer_id,date,score\na,2021-01-01,9\n")
    monkeypatch.chdir(ROOT)  # not the config's folder
    path = write(tmp_path / "in", changed("dataset: cdnow_sample", "path: tx.csv").replace(
        "time_unit: W", "time_unit: W\nsatisfaction: {path: survey.csv, scale: nps}"), "x.yaml")
    config = load_config(path)
    assert config.data_path() == tmp_path / "in" / "tx.csv"
    assert config.survey_path() == tmp_path / "in" / "survey.csv"


# ----------------------------------------------------------------- no MLflow run for a wrong config


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One SQLite tracking store for these tests (a new store takes seconds to create); none may log a run."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('store') / 'mlflow.db'}"
    assert count_runs(uri) == 0
    return uri


def count_runs(uri: str) -> int:
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiments = [e.experiment_id for e in client.search_experiments()]
    return len(client.search_runs(experiments)) if experiments else 0


@pytest.mark.parametrize("kind", ["parameter of the wrong type", "parameters the estimator refuses together",
                                  "scheme needing clv without it", "dates out of order", "time unit", "language",
                                  "data file missing", "survey file missing", "registered model name", "alias",
                                  "unknown scheme parameter", "reading option"])
def test_no_mlflow_run_is_created_for_a_wrong_config(tmp_path, monkeypatch, store, kind):
    monkeypatch.chdir(tmp_path)
    old, new, expected = MISTAKES[kind]
    path = write(tmp_path, changed(old, new))
    uri = store
    with pytest.raises(TierkitError) as info:
        run_experiment(path, tracking_uri_override=uri)
    assert str(info.value).startswith(f"{path}: " + expected.format(dir=tmp_path))
    assert count_runs(uri) == 0


def test_a_loaded_config_changed_or_outdated_is_checked_again_before_the_run(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    uri = store
    config = load_config(write(tmp_path, CONFIG, "x.yaml"))
    config.lang = "fr"  # as tierkit demo --lang does, but wrong
    with pytest.raises(TierkitError, match=r"x\.yaml: lang: expected one of 'en', 'zh', got 'fr'"):
        run_experiment(config, tracking_uri_override=uri)
    (tmp_path / "tx.csv").write_text("customer_id,date,amount\na,2021-01-01,1\n")
    config = load_config(write(tmp_path, changed("dataset: cdnow_sample", "path: tx.csv"), "y.yaml"))
    (tmp_path / "tx.csv").unlink()  # gone since the config was loaded
    with pytest.raises(TierkitError, match=r"y\.yaml: data\.path: file '.*tx\.csv' does not exist"):
        run_experiment(config, tracking_uri_override=uri)
    assert count_runs(uri) == 0


def test_tierkit_run_shows_the_one_line_and_exits_2(tmp_path, monkeypatch, capsys, store):
    from tierkit.cli.main import main

    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, changed("abc: {scheme: abc}", "rfm: {n_bins: five}"))
    uri = store
    assert main(["run", str(path), "--tracking-uri", uri]) == 2
    err = capsys.readouterr().err
    assert err == f"tierkit: error: {path}: schemes.rfm.n_bins: expected an integer >= 2 and <= 9, got 'five'\n"
    assert count_runs(uri) == 0


def test_weekly_configs_give_the_same_clv_for_52w_and_364d(tmp_path):
    from tierkit.segmentation.chain import build_segmentation

    models = [build_segmentation(load_config(write(tmp_path, changed("abc: {scheme: abc}", f"clv: {{horizon: {h}}}"),
                                                   f"{h}.yaml")).scheme_params()).clv for h in ("52W", "364D")]
    assert [m.horizon for m in models] == ["52W", "364D"]
    daily = load_config(write(tmp_path, changed("time_unit: W", "time_unit: D").replace(
        "abc: {scheme: abc}", "clv: {horizon: 365}\n  lifecycle: {at_risk_after: 30, churned_after: 8W}"), "d.yaml"))
    assert daily.schemes.clv.horizon == 365 and daily.schemes.lifecycle.churned_after == "8W"


def test_the_clv_model_option_is_checked_and_reaches_the_estimator():
    from tierkit.mlops.config import CLVParams

    assert CLVParams(model="auto").model == "auto" and CLVParams().model == "mbgnbd"
    with pytest.raises(ValueError, match="model"):
        CLVParams(model="bgbb")
    demo = load_config(ROOT / "experiments" / "cdnow.yaml")
    assert demo.schemes["clv"]["model"] == "auto"


# ------------------------------------------------------------------------ your own data (issue 21)


@pytest.mark.parametrize("example", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_config_validates(example):
    config = load_config(example)
    assert config.data.get("path") is None or config.data_path().exists()


#: A valid value of each keyword parameter of tierkit.read_transactions, as a config's ``data`` gives it.
READER_VALUES = {
    "customer_id": {"customer_id": "CustomerID"}, "date": {"date": "InvoiceDate"}, "amount": {"amount": "Revenue"},
    "order_id": {"order_id": "InvoiceNo"}, "quantity": {"quantity": "Quantity"}, "profit": {"profit": "Margin"},
    "price": {"price": "UnitPrice", "quantity": "Quantity"}, "sep": {"sep": ";"}, "encoding": {"encoding": "latin-1"},
    "sheet": {"sheet": "Sales"}, "header": {"header": False}, "date_format": {"date_format": "%d/%m/%Y %H:%M"},
    "timezone": {"timezone": "Europe/London"}, "missing_customers": {"missing_customers": "drop"},
    "on_bad_rows": {"on_bad_rows": "skip"}, "rejects": {"rejects": "rejects.csv"},
    "drop_duplicates": {"drop_duplicates": True},
}


def reader_parameters():
    """The keyword parameters of tierkit.read_transactions (``sheet_name``: its older name of ``sheet``)."""
    import inspect

    import tierkit

    parameters = inspect.signature(tierkit.read_transactions).parameters
    return {name: p for name, p in parameters.items() if name not in ("path", "sheet_name")}


def test_the_data_keys_are_the_reader_parameters_with_their_defaults():
    from tierkit.mlops.config import DataSection

    parameters = reader_parameters()
    assert set(DataSection.model_fields) == {"dataset", "path", *parameters}
    assert set(READER_VALUES) == set(parameters)  # a new reader parameter needs a value here too
    for name, parameter in parameters.items():
        assert DataSection.model_fields[name].default == parameter.default, name


@pytest.mark.parametrize("name", READER_VALUES)
def test_each_reader_parameter_is_accepted_under_data_and_passed_on_as_given(tmp_path, name):
    (tmp_path / "tx.csv").write_text("customer_id,date,amount\na,2021-01-01,1\n")
    given = READER_VALUES[name]
    data = "".join(f"\n  {key}: {value!r}" if isinstance(value, str) else f"\n  {key}: {str(value).lower()}"
                   for key, value in given.items())
    config = load_config(write(tmp_path, changed("data: {dataset: cdnow_sample}", f"data:\n  path: tx.csv{data}")))
    assert config.data.read_arguments() == given
    assert config.data[name] == getattr(config.data, name) == given[name]


def test_an_unknown_data_key_lists_config_keys_only_also_on_the_command_line(tmp_path, monkeypatch, capsys, store):
    from tierkit.cli.main import main

    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, changed("data: {dataset: cdnow_sample}", "data: {dataset: cdnow_sample, sheet_nam: 1}"))
    keys = ", ".join(f"data.{key}" for key in ["dataset", "path", *reader_parameters()])  # in the reader's order
    expected = f"{path}: data.sheet_nam: unknown key; expected one of: {keys}"
    with pytest.raises(TierkitError) as info:
        load_config(path)
    assert str(info.value) == expected
    assert main(["run", str(path), "--tracking-uri", store]) == 2
    err = capsys.readouterr().err
    assert err == f"tierkit: error: {expected}\n"
    assert "--" not in err and "sheet_name" not in err and "data.date_format" in err and "data.sheet," in err
    # the keys the command line also has as flags stay config keys in every section
    path = write(tmp_path, changed("abc: {scheme: abc}", "clv: {bgnbd_penalty: 0.1}"))
    assert main(["run", str(path), "--tracking-uri", store]) == 2
    err = capsys.readouterr().err
    assert "schemes.clv.bgnbd_penalizer, schemes.clv.gg_penalizer" in err and "--" not in err
    assert count_runs(store) == 0


def online_retail_lines():
    """Every 541st line of the Online Retail file (guests and cancellations included), raw columns."""
    import pandas as pd

    raw = pd.read_parquet(ROOT / "tests" / "data" / "online_retail.parquet")
    sample = raw.iloc[::541].reset_index(drop=True)
    assert sample["CustomerID"].isna().any() and sample["InvoiceNo"].str.startswith("C").any()
    assert (sample.loc[sample["InvoiceNo"].str.startswith("C"), "Quantity"] < 0).all()
    return sample


def example_config(tmp_path, path, uncomment=False):
    """``experiments/online_retail.yaml`` reading ``path``; ``uncomment``: with its commented CSV keys given."""
    import re

    text = (ROOT / "experiments" / "online_retail.yaml").read_text()
    assert "  path: ../tests/data/online_retail.parquet\n" in text
    text = text.replace("  path: ../tests/data/online_retail.parquet\n", f"  path: {path}\n")
    if uncomment:
        text, n = re.subn(r"(?m)^  #   (\w+: )", r"  \1", text)
        assert n == 5, text
    config = tmp_path / "retail.yaml"
    config.write_text(text)
    return config


def data_keywords(config_path):
    """The ``data`` section of a config file as keyword arguments, read with plain YAML (not the config loader)."""
    import yaml

    data = yaml.safe_load(config_path.read_text())["data"]
    return {key: value for key, value in data.items() if key != "path"}


def assert_same_transactions(got, want):
    import pandas as pd

    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs


@pytest.mark.filterwarnings("ignore:.*without a customer id left out")
def test_the_raw_column_example_reads_what_read_transactions_reads(tmp_path):
    from tierkit import read_transactions
    from tierkit.mlops.experiment import load_experiment_transactions

    small = tmp_path / "retail.parquet"
    lines = online_retail_lines()
    lines.to_parquet(small)
    config = example_config(tmp_path, small)
    keywords = data_keywords(config)
    assert keywords == {"customer_id": "CustomerID", "date": "InvoiceDate", "order_id": "InvoiceNo",
                        "price": "UnitPrice", "quantity": "Quantity", "missing_customers": "drop"}
    got = load_experiment_transactions(load_config(config))
    want = read_transactions(small, **keywords)
    assert_same_transactions(got, want)
    # what the example's comments promise: guests left out and counted, cancellations as returns
    guests = int(lines["CustomerID"].isna().sum())
    assert len(got) == len(lines) - guests and got.attrs["read_report"]["rejected"] == {"missing customer": guests}
    cancelled = got["order_id"].str.startswith("C")
    assert (got.loc[cancelled, "amount"] < 0).all() and (got.loc[~cancelled, "amount"] >= 0).all()
    assert got["amount"].sum() == pytest.approx((lines["Quantity"] * lines["UnitPrice"])[lines["CustomerID"].notna()]
                                                .sum())


@pytest.mark.filterwarnings("ignore:.*without a customer id left out", "ignore:.*bad row")
def test_the_examples_csv_keys_read_a_csv_export_as_read_transactions_does(tmp_path, monkeypatch):
    from tierkit import read_transactions
    from tierkit.mlops.experiment import load_experiment_transactions

    monkeypatch.chdir(tmp_path)  # rejects: retail_rejects.csv is written to the working folder
    lines = online_retail_lines()
    written = [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in lines["InvoiceDate"]]  # 12/1/2010 8:26
    csv = lines.assign(InvoiceDate=written)
    csv.loc[len(csv)] = csv.loc[0].to_dict() | {"InvoiceDate": "31/31/2011 9:00"}  # a bad date: left out, rejected
    assert "12/1/2010 8:26" in set(csv["InvoiceDate"])
    small = tmp_path / "retail.csv"
    csv.to_csv(small, index=False, encoding="latin-1")
    config = example_config(tmp_path, small, uncomment=True)
    keywords = data_keywords(config)
    assert {"encoding": "latin-1", "date_format": "%m/%d/%Y %H:%M", "sep": ",", "on_bad_rows": "skip",
            "rejects": "retail_rejects.csv"}.items() <= keywords.items()
    got = load_experiment_transactions(load_config(config))
    rejected = (tmp_path / "retail_rejects.csv").read_text(encoding="utf-8")
    (tmp_path / "retail_rejects.csv").unlink()
    want = read_transactions(small, **keywords)
    assert_same_transactions(got, want)
    assert (tmp_path / "retail_rejects.csv").read_text(encoding="utf-8") == rejected
    guests = int(lines["CustomerID"].isna().sum())
    assert got.attrs["read_report"]["rejected"] == {"missing customer": guests, "bad date": 1}
    assert len(got) == len(lines) - guests


def test_currency_is_a_top_level_key_checked_in_one_line(tmp_path):
    """Issue 21: every money figure with its currency; the config spells it `currency:` at the top level."""
    assert load_config(write(tmp_path, CONFIG, "x.yaml")).currency is None
    config = load_config(write(tmp_path, changed("time_unit: W", "time_unit: W\ncurrency: USD"), "y.yaml"))
    assert config.currency == "USD" and config.as_dict()["currency"] == "USD"
    assert load_config(write(tmp_path, changed("time_unit: W", "time_unit: W\ncurrency: ¥"), "z.yaml")).currency == "¥"
    with pytest.raises(TierkitError, match=r"^\S*bad\.yaml: currency: 'US dollars' is not a currency; expected a code "
                                           r"or sign of 1 to 5 letters"):
        load_config(write(tmp_path, changed("time_unit: W", "time_unit: W\ncurrency: US dollars")))


def test_lifecycle_new_within_is_a_duration_not_above_churned_after(tmp_path):
    lifecycle = "abc: {scheme: abc}\n  lifecycle: {at_risk_after: 4W, churned_after: 8W, new_within: %s}"
    config = load_config(write(tmp_path, changed("abc: {scheme: abc}", lifecycle % "2W"), "x.yaml"))
    assert config.schemes.lifecycle.new_within == "2W"
    with pytest.raises(TierkitError, match=r"new_within: '10W' must not be above churned_after '8W'"):
        load_config(write(tmp_path, changed("abc: {scheme: abc}", lifecycle % "10W")))
    with pytest.raises(TierkitError, match=r"schemes\.lifecycle\.new_within=3 is ambiguous for features in weeks"):
        load_config(write(tmp_path, changed("abc: {scheme: abc}", lifecycle % "3")))
