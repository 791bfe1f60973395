"""Generated bad files and frames through saved standards: ``tierkit score``, the served model, and the three
paths side by side.

Two models are saved once per module with ``tierkit segment --save-model`` (one counting
purchase days, one counting orders). ``tierkit score`` (35 files) must write the tiers those
standards give the oracle's features, or refuse in one line with nothing written. The served
model (``mlflow.pyfunc.load_model`` of the saved folder, ``input="transactions"``; 50 frames,
text or typed columns, odd indexes) must answer the same tiers or a one-line refusal.

The differential (40 CSV files) reads each case as a file (``read_transactions``), as the
same cells in a frame under an odd index (``normalize_transactions``) and through the served
model: the three must agree on refused or read, on the message (the file's ``line N`` is the
frame's ``row N-1``), on the warnings, the counts, the features and the tiers.
"""

from __future__ import annotations

import warnings

import mlflow
import numpy as np
import pandas as pd
import pytest
from fuzz_cases import assert_features_equal, frame_of, write_case
from fuzz_paths import (
    assert_refused,
    check_answer,
    check_named,
    check_refused_by_command,
    check_rejects,
    check_success,
    normalized,
    read_file,
    read_frame,
    run_command,
    serve,
)
from fuzz_plan import expectation, params

#: Saved standards, the command line and MLflow: the heavier part of the suite.
pytestmark = pytest.mark.slow

TRAIN_AS_OF = "2021-06-30"


def training_file(path) -> None:
    """Eighty customers over 18 months: repeat buyers, one-time buyers, returns, orders of several lines."""
    rng = np.random.default_rng(2021)
    rows = []
    for c in range(80):
        first = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
        for k in range(int(rng.integers(1, 7))):
            day = first + pd.Timedelta(days=int(rng.integers(0, 180)))
            amount = round(float(rng.lognormal(4, 1)), 2) * (-1 if rng.random() < 0.05 else 1)
            for _ in range(int(rng.integers(1, 3))):
                rows.append((f"T{c:03d}", day.strftime("%Y-%m-%d"), amount, f"T{c:03d}-{k}"))
    pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id"]).to_csv(path, index=False)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """``{"days": (folder, pyfunc model), "orders": ...}``: standards saved by ``tierkit segment --save-model``."""
    root = tmp_path_factory.mktemp("fuzz-models")
    training_file(root / "train.csv")
    out = {}
    for name, extra in (("days", []), ("orders", ["--order-col", "order_id"])):
        run = run_command(["segment", root / "train.csv", "--as-of", TRAIN_AS_OF, "--out", root / f"{name}.parquet",
                           "--no-clv", "--no-clusters", "--save-model", root / name, *extra], root)
        assert run.status == 0, run.stderr
        out[name] = (root / name, mlflow.pyfunc.load_model(str(root / name)))
    return out


def model_for(models, case):
    return models["orders" if "order_id" in case.fields else "days"]


def tiers_of(model, features: pd.DataFrame) -> pd.DataFrame:
    """The tiers the saved standards give ``features`` (the oracle's), as the model outputs them."""
    inner = model.unwrap_python_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = inner.segmentation.transform(features)
    columns = [c for c in inner.output_columns if c in table.columns]
    return table[columns].reset_index().sort_values("customer_id", ignore_index=True)


def assert_same_tiers(got: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    got = got.sort_values("customer_id", ignore_index=True)
    assert list(got.columns) == list(expected.columns), what
    got = got.astype({c: t for c, t in expected.dtypes.items() if c != "customer_id"})
    got["customer_id"] = got["customer_id"].astype("str")
    expected = expected.assign(customer_id=expected["customer_id"].astype("str"))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=what)


@pytest.mark.parametrize("case", params("score"))
def test_score_writes_the_tiers_of_the_oracles_features_or_refuses_in_one_line(case, models, tmp_path):
    folder, model = model_for(models, case)
    path, _ = write_case(case, tmp_path / "in")
    expected, _ = expectation(case)
    out, rejects = tmp_path / "scores.parquet", tmp_path / "rejects.csv"
    run = run_command(["score", path, "--model", folder, "--as-of", case.as_of, "--out", out, "--no-progress",
                       *case.cli_args(), *(["--rejects", rejects] if case.rejects else [])], tmp_path)
    if not expected.graded:
        check_refused_by_command(case, run, expected, case.name)
        return
    check_success(run, case.name)
    assert out.name in run.new_files
    assert_same_tiers(pd.read_parquet(out), tiers_of(model, expected.features), case.name)
    if case.rejects:
        check_rejects(case, rejects, expected, case.name)


@pytest.mark.parametrize("case", params("served"))
def test_the_served_model_answers_the_tiers_of_the_oracles_features_or_one_line(case, models):
    _, model = model_for(models, case)
    expected, _ = expectation(case)
    answer = serve(model, case, frame_of(case))
    if expected.refused is not None:
        message = assert_refused(answer, f"{case.name} (oracle: {expected.refused})")
        check_named(case, expected, message, case.name)
        return
    assert answer.error is None, f"{case.name}: refused, but the oracle reads it: {answer.error}"
    if expected.graded:
        assert_same_tiers(answer.table, tiers_of(model, expected.features), case.name)
    else:
        assert len(answer.table) == 0, f"{case.name}: no customer bought, yet {len(answer.table)} graded"


@pytest.mark.parametrize("case", params("differential"))
def test_a_file_a_frame_and_the_served_model_give_the_same_rows_features_and_messages(case, models, tmp_path):
    _, model = model_for(models, case)
    path, _ = write_case(case, tmp_path)
    expected, _ = expectation(case)
    by_file = read_file(case, path)
    check_answer(case, by_file, expected, f"{case.name} (file)")
    frame = frame_of(case)
    by_frame = read_frame(case, frame, source="frame")
    by_model = serve(model, case, frame)

    def same(message: str, source: str, header_line: bool = False) -> str:
        return normalized(message, source, header_line)

    if by_file.error is not None:
        file_message = same(by_file.error, str(path), header_line=True)
        assert by_frame.error is not None and same(by_frame.error, "frame") == file_message, \
            (by_frame.error, by_file.error)
        assert by_model.error is not None and same(by_model.error, "model input") == file_message, \
            (by_model.error, by_file.error)
        return
    assert by_frame.error is None and by_model.error is None, (by_frame.error, by_model.error)
    assert_features_equal(by_frame.features, by_file.features, f"{case.name} (frame)")

    def report(answer, source, header_line=False):
        out = {k: v for k, v in answer.report.items() if k != "source"}
        out["notes"] = [same(n, source, header_line) for n in out["notes"]]
        return out

    assert report(by_frame, "frame") == report(by_file, str(path), True)
    file_warnings = [same(w, str(path), True) for w in by_file.warnings]
    assert [same(w, "frame") for w in by_frame.warnings] == file_warnings
    assert [same(w, "model input") for w in by_model.warnings] == file_warnings
    if len(by_file.features):
        assert_same_tiers(by_model.table, tiers_of(model, by_file.features), f"{case.name} (served)")
    else:
        assert len(by_model.table) == 0
