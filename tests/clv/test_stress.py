"""The frozen CLV stress suite (``stress_data.py``): the generator, and every CLV fit on it.

Fast tests check the generator: deterministic, frozen (:func:`stress_data.fingerprint`), over 300
sets of every kind, each showing what its kind is for. The slow tests fit
``CLVModel(model=m)`` for m in BG/NBD, MBG/NBD and Pareto/NBD on every set where CLV is defined
(at least 10 repeat customers with positive spend) and require finite parameters, finite
standard errors of both models and finite predictions; the sets without any repeat customer
must be refused with a one-line ``DataError``.

One slow test per (model, kind): it runs the kind's sets in a child process
(``python test_stress.py <model> <kind>``) that gives each fit :data:`FIT_TIMEOUT` seconds (a
``SIGALRM``), and the whole child a deadline, so a fit that hangs fails the test instead of
blocking CI. The failures of all the kind's sets are collected into one assertion message,
one line per set. ``STRESS_SETS_PER_KIND=3`` runs only the first 3 sets of each kind (a quick
check).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stress_data import COLUMNS, DAYS_PER_UNIT, KINDS, MIN_REPEAT_SPENDERS, fingerprint, stress_sets, summary

from tierkit.clv import CLVModel
from tierkit.errors import DataError

HERE = Path(__file__).resolve()
#: Seconds one fit may take.
FIT_TIMEOUT = 60
#: Purchase models every defined set must fit.
MODELS = ("mbgnbd", "bgnbd", "pareto_nbd")
#: Kinds where CLV is defined (every kind but "undefined").
DEFINED = tuple(kind for kind in KINDS if kind != "undefined")
#: :func:`stress_data.fingerprint` of the suite. Change it only when the suite is changed on purpose
#: (and say so where the figures measured on the old suite are quoted).
FROZEN_FINGERPRINT = "d4b0e4194cda802fb2e8f3b3e2d10f623ebd1b5db88066cfdc94a3d692318d72"
#: Marks the child's JSON line on its stdout.
RESULT_MARK = "STRESS-RESULT "


def _per_kind() -> int | None:
    value = os.environ.get("STRESS_SETS_PER_KIND")
    return int(value) if value else None


def _horizon(features: pd.DataFrame) -> str:
    return "365D" if features.attrs["time_unit"] == "D" else "52W"


@pytest.fixture(scope="module")
def suite():
    return stress_sets()


# ---------------------------------------------------------------------------------------------
# the generator


def test_the_generator_is_deterministic(suite):
    again = stress_sets()
    assert [(s.name, s.kind, s.seed, s.time_unit) for s in again] == [(s.name, s.kind, s.seed, s.time_unit)
                                                                     for s in suite]
    for first, second in zip(suite, again, strict=True):
        pd.testing.assert_frame_equal(first.features, second.features, check_exact=True)
        assert first.features.attrs == second.features.attrs == {"time_unit": first.time_unit}
        assert first.truth == second.truth


def test_the_suite_is_frozen(suite):
    assert fingerprint(suite) == FROZEN_FINGERPRINT, (
        "the stress suite changed: figures measured on it are no longer comparable; if on purpose, update "
        "FROZEN_FINGERPRINT")


def test_the_suite_has_every_kind(suite):
    counts = summary(suite)
    assert sum(counts.values()) >= 300
    assert counts == {kind: n for kind, (_, n) in KINDS.items()}
    assert 4 <= counts["undefined"] <= 6
    assert len({s.name for s in suite}) == len(suite)
    assert {s.time_unit for s in suite} == {"D", "W"}
    # round-robin: the first sets already cover every kind
    assert {s.kind for s in suite[:len(KINDS)]} == set(KINDS)


def test_every_set_is_a_valid_feature_table(suite):
    for s in suite:
        f = s.features
        assert tuple(f.columns) == COLUMNS, s.name
        assert f.attrs["time_unit"] == s.time_unit in DAYS_PER_UNIT, s.name
        assert np.isfinite(f.to_numpy(dtype="float64")).all(), s.name
        x, t_x, T, m = (f[c].to_numpy(dtype="float64") for c in ("frequency_btyd", "recency_btyd", "T",
                                                                  "monetary_btyd"))
        assert (x >= 0).all() and (x == np.round(x)).all(), s.name
        assert (t_x >= 0).all() and (t_x <= T).all() and (t_x[x == 0] == 0).all(), s.name
        assert (m[x == 0] == 0).all(), s.name
        # purchase days: at most one repeat purchase a day
        unit = DAYS_PER_UNIT[s.time_unit]
        assert (x <= np.round(t_x * unit) + 1e-9).all(), s.name
        assert f["holdout_duration"].nunique() == 1 and f["holdout_duration"].iloc[0] > 0, s.name
        assert (f["holdout_purchases"] >= 0).all(), s.name
        spenders = int(((x > 0) & (m > 0)).sum())
        if s.kind == "undefined":
            assert len(f) > 0 and not (x > 0).any(), s.name
        else:
            assert spenders >= MIN_REPEAT_SPENDERS, s.name


def test_every_kind_shows_what_it_is_for(suite):
    for s in suite:
        f, unit = s.features, DAYS_PER_UNIT[s.time_unit]
        x, m = f["frequency_btyd"].to_numpy(), f["monetary_btyd"].to_numpy()
        days = s.truth["days"]
        if s.kind == "short_period":
            assert 14 <= days <= 56 and f["T"].max() * unit <= 55, s.name
        elif s.kind == "retail_one_time":
            assert 0.6 <= np.mean(x == 0) <= 0.8 and 364 <= days <= 371, s.name
        elif s.kind == "heavy_buyers":
            assert (x >= 100).sum() >= min(5, len(x) // 10 + 1), s.name
        elif s.kind == "cohort":
            assert f["T"].nunique() == 1, s.name
        elif s.kind == "constant_spend":
            if s.truth["spend"]["spend"] == "constant_all":
                assert np.unique(m[x > 0]).size == 1, s.name
            else:
                assert s.truth["spend"]["spend"] == "constant_each", s.name
        elif s.kind == "outlier_spend":
            assert s.truth["outliers"] >= 1, s.name
            assert m.max() > 5 * np.median(m[x > 0]), s.name
        elif s.kind == "tiny":
            assert 10 <= len(f) <= 40, s.name
        elif s.kind == "large":
            assert 20_000 <= len(f) <= 50_000, s.name
        elif s.kind == "no_dropout":
            assert s.truth["process"] == "nbd" and "s" not in s.truth, s.name
        elif s.kind == "heavy_dropout":
            assert s.truth["process"] in ("pareto_nbd", "bgnbd", "mbgnbd"), s.name
        elif s.kind in ("periodic", "seasonal"):
            assert s.truth["process"] == s.kind, s.name
    heavy = [s.features["frequency_btyd"].max() for s in suite if s.kind == "heavy_buyers"]
    assert max(heavy) >= 300
    daily_ages = [s.features["T"].max() for s in suite if s.time_unit == "D"]
    assert 700 <= max(daily_ages) <= 730
    weekly_ages = [s.features["T"].max() for s in suite if s.time_unit == "W"]
    assert 100 <= max(weekly_ages) <= 105


# ---------------------------------------------------------------------------------------------
# the fits


class FitTimeout(BaseException):
    """A fit ran past :data:`FIT_TIMEOUT` (a BaseException: no ``except Exception`` in the fitting code swallows it)."""


def _on_alarm(signum, frame):
    raise FitTimeout()


def _problems(model: str, features: pd.DataFrame) -> str | None:
    """What is wrong with ``CLVModel(model=model)`` on ``features`` (None when nothing)."""
    fitted = CLVModel(model=model, horizon=_horizon(features)).fit(features)
    wrong = []
    params = {**fitted.params_, **{f"gg.{k}": v for k, v in fitted.gamma_gamma_params_.items()}}
    bad = {k: v for k, v in params.items() if not math.isfinite(v)}
    if bad:
        wrong.append(f"non-finite parameters {bad}")
    bad_se = {f"{name}.{k}": v for name, se in fitted.params_se_.items() for k, v in se.items()
              if not math.isfinite(v)}
    if bad_se:
        wrong.append(f"non-finite standard errors {bad_se}")
    values = fitted.predict(features).select_dtypes("number").to_numpy(dtype="float64")  # not clv_caveat
    if not np.isfinite(values).all():
        wrong.append(f"{int((~np.isfinite(values)).any(axis=1).sum())} customers with non-finite predictions")
    return "; ".join(wrong) or None


def run_kind(model: str, kind: str, per_kind: int | None = None, timeout: int = FIT_TIMEOUT) -> list[dict]:
    """Fit ``model`` on every set of ``kind``, each fit under a ``SIGALRM`` of ``timeout`` seconds (the main thread).

    Returns one ``{set, seconds, problem}`` per set; ``problem`` is None when the fit passed.
    """
    import warnings

    warnings.simplefilter("ignore")
    sets = stress_sets(kinds=(kind,))[:per_kind]
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    rows = []
    try:
        for s in sets:
            start = time.perf_counter()
            signal.alarm(timeout)
            try:
                problem = _problems(model, s.features)
            except FitTimeout:
                problem = f"hung: no result in {timeout} s"
            except Exception as exc:
                lines = str(exc).strip().splitlines()
                problem = f"{type(exc).__name__}: {lines[0] if lines else ''}"
            finally:
                signal.alarm(0)
            rows.append({"set": s.name, "seconds": round(time.perf_counter() - start, 2), "problem": problem})
    finally:
        signal.signal(signal.SIGALRM, previous)
    return rows


def _run_in_child(model: str, kind: str) -> list[dict]:
    """:func:`run_kind` in a child process with a deadline for the whole kind."""
    per_kind = _per_kind()
    n_sets = min(KINDS[kind][1], per_kind or KINDS[kind][1])
    deadline = n_sets * (FIT_TIMEOUT + 15) + 120
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, str(HERE), model, kind, str(per_kind or 0)], capture_output=True,
                              text=True, timeout=deadline, env=env, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{model} on the {kind} sets: the child did not finish in {deadline} s (a fit the alarm could "
                    "not interrupt)")
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        pytest.fail(f"{model} on the {kind} sets: the child failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(RESULT_MARK):])


@pytest.mark.slow
@pytest.mark.parametrize("kind", DEFINED)
@pytest.mark.parametrize("model", MODELS)
def test_clv_fits_every_defined_set(model, kind):
    rows = _run_in_child(model, kind)
    failed = [r for r in rows if r["problem"]]
    report = "\n".join(f"  {r['set']} ({r['seconds']:.1f} s): {r['problem']}" for r in failed)
    assert not failed, f"CLVModel(model={model!r}) failed on {len(failed)} of {len(rows)} {kind} sets:\n{report}"


@pytest.mark.parametrize("model", (*MODELS, "auto"))
def test_sets_without_a_repeat_customer_are_refused_in_one_line(model):
    for s in stress_sets(kinds=("undefined",)):
        with pytest.raises(DataError) as refused:
            CLVModel(model=model, horizon=_horizon(s.features)).fit(s.features)
        message = str(refused.value)
        assert message and "\n" not in message, (s.name, message)


if __name__ == "__main__":  # the child of _run_in_child: python test_stress.py <model> <kind> <sets per kind or 0>
    _model, _kind, _limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(RESULT_MARK + json.dumps(run_kind(_model, _kind, _limit or None)), flush=True)
