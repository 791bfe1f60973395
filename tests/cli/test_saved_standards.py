"""Month over month: ``segment``, ``report`` and ``migrate`` grade with a saved model's standards.

The model is fitted and saved on CDNOW as of 1998-03-31 (``segment --save-model``); June is
then graded by it with ``--model``, and compared with the loaded segmentation's ``transform``
of the June features (a differential test) and with a refit on June (whose standards moved).
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data import ColumnMap
from tierkit.datasets import cdnow_path
from tierkit.evaluation.migration import read_snapshot, transition_matrix
from tierkit.features import file_features
from tierkit.scoring.model_spec import load_segmentation

MARCH, JUNE = "1998-03-31", "1998-06-30"
AMOUNT = ["--amount-col", "dollar_value"]
TIERS = ["r_score", "f_score", "m_score", "rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage", "cluster",
         "cluster_name", "value_potential"]


def run(args):
    """Exit status of ``tierkit ARGS`` (warnings of the grading are not what these tests look at)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main([str(a) for a in args])


def june_features():
    features, _ = file_features(cdnow_path(), JUNE, columns=ColumnMap(amount="dollar_value"))
    return features


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Fit every scheme on CDNOW as of March, write the graded table and save the standards."""
    root = tmp_path_factory.mktemp("standards")
    (root / "models").mkdir()
    status = run(["segment", cdnow_path(), "--as-of", MARCH, *AMOUNT, "--out", root / "march.parquet",
                  "--save-model", root / "models" / "march"])
    assert status == 0
    return root


@pytest.fixture(scope="module")
def june_by_model(saved):
    out = saved / "june-by-model.parquet"
    assert run(["segment", cdnow_path(), "--as-of", JUNE, *AMOUNT, "--model", saved / "models" / "march",
                "--out", out]) == 0
    return read_snapshot(out)


@pytest.fixture(scope="module")
def loaded(saved):
    spec, segmentation = load_segmentation(str(saved / "models" / "march"), saved / "fetched")
    return segmentation


def test_segment_with_a_model_is_the_saved_segmentations_transform(june_by_model, loaded):
    expected = loaded.transform(june_features())
    expected.index = expected.index.astype("str")
    assert len(june_by_model) == 23570 and set(TIERS) <= set(june_by_model.columns)
    got = june_by_model.loc[expected.index]
    for column in TIERS + ["clv", "p_alive"]:
        if expected[column].dtype.kind == "f":
            np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-12)
        else:
            assert got[column].astype(str).tolist() == expected[column].astype(str).tolist(), column


def test_no_refit_happened_the_saved_rfm_edges_grade_june(june_by_model, loaded):
    refit = tk.Segmentation().fit(june_features())
    saved_edges = loaded.named_step("rfm").bin_edges_
    refit_edges = refit.named_step("rfm").bin_edges_
    moved = [name for name in saved_edges if not np.allclose(saved_edges[name], refit_edges[name])]
    assert moved, "the June base should move at least one RFM bin edge"
    # June's scores are cut by March's edges, not June's: where the edges moved, scores differ
    by_refit = refit.transform(june_features())
    by_refit.index = by_refit.index.astype("str")
    score = {"recency": "r_score", "frequency": "f_score", "monetary": "m_score"}[moved[0]]
    assert (june_by_model.loc[by_refit.index, score] != by_refit[score]).any()


def test_migrate_with_a_model_grades_both_periods_by_one_set_of_standards(saved, june_by_model, loaded, capsys):
    capsys.readouterr()
    status = run(["migrate", cdnow_path(), "--model", saved / "models" / "march", "--old-as-of", MARCH,
                  "--new-as-of", JUNE, *AMOUNT, "--scheme", "abc_tier", "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["old_as_of"], result["new_as_of"]) == (MARCH, JUNE)
    march = read_snapshot(saved / "march.parquet")  # graded by the very standards the model saved
    expected = transition_matrix(march, june_by_model, "abc_tier")
    assert result["rows"] == [str(r) for r in expected.index]
    assert result["columns"] == [str(c) for c in expected.columns]
    assert result["matrix"] == {str(r): {str(c): int(v) for c, v in row.items()} for r, row in expected.iterrows()}
    # monetary is total spend: under fixed ABC thresholds nobody moves down
    assert "down" not in result["summary"] and result["summary"]["up"] > 0


def test_migrate_of_refitted_snapshots_moves_the_cut_offs(saved, capsys):
    refit = saved / "june-refit.parquet"
    assert run(["segment", cdnow_path(), "--as-of", JUNE, *AMOUNT, "--no-clv", "--no-clusters", "--out", refit]) == 0
    capsys.readouterr()
    assert run(["migrate", saved / "march.parquet", refit, "--scheme", "abc_tier", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["down"] > 0  # the thresholds rose with the base: customers "fell" without spending less


def test_report_with_a_previous_period_shows_the_migration(saved, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert run(["report", cdnow_path(), "--as-of", JUNE, "--previous-as-of", MARCH, *AMOUNT,
                "--model", saved / "models" / "march", "--out", out]) == 0
    page = Path(out).read_text(encoding="utf-8")
    assert 'id="migration"' in page and 'href="#migration"' in page
    assert "from 1998-03-31 (rows) to 1998-06-30 (columns)" in page
    assert "saved standards" in page


def test_a_weekly_model_grades_weekly_features_without_being_told(tmp_path):
    tx = tk.load_cdnow(sample=True)
    tx.to_csv(tmp_path / "tx.csv", index=False)
    weekly = tk.rfm_features(tx, as_of=MARCH, time_unit="W")
    segmentation = tk.Segmentation().fit(weekly)
    from tierkit.mlops.export import save_segmentation_model

    model = save_segmentation_model(segmentation, weekly, tmp_path / "weekly")
    assert run(["segment", tmp_path / "tx.csv", "--as-of", JUNE, "--model", model, "--out", tmp_path / "w.csv"]) == 0
    got = read_snapshot(tmp_path / "w.csv")
    june = tk.rfm_features(tx, as_of=JUNE, time_unit="W")
    expected = segmentation.transform(june)
    expected.index = expected.index.astype("str")
    np.testing.assert_allclose(got.loc[expected.index, "recency"], expected["recency"])
    assert got.loc[expected.index, "rfm_class"].tolist() == expected["rfm_class"].tolist()


def _one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tierkit: error:") and "Traceback" not in err[0]
    return err[0]


@pytest.mark.parametrize("extra, named", [
    (["--k", "4"], ["--k"]),
    (["--no-clv", "--clv-model", "auto"], ["--no-clv", "--clv-model"]),
    (["--bgnbd-penalizer", "0.001", "--at-risk-after", "60D"], ["--bgnbd-penalizer", "--at-risk-after"]),
    (["--cs-threshold", "60"], ["--cs-threshold"]),
    (["--save-model", "elsewhere"], ["--save-model"]),
])
def test_fitting_options_with_a_model_are_refused_in_one_line(saved, tmp_path, capsys, extra, named):
    capsys.readouterr()
    status = run(["segment", cdnow_path(), "--as-of", JUNE, *AMOUNT, "--model", saved / "models" / "march",
                  "--out", tmp_path / "x.csv", *extra])
    assert status == 2
    line = _one_line_error(capsys)
    assert all(flag in line for flag in named) and "--model" in line
    assert not (tmp_path / "x.csv").exists()


def test_a_model_of_another_time_unit_names_time_unit(saved, tmp_path, capsys):
    capsys.readouterr()
    assert run(["report", cdnow_path(), "--as-of", JUNE, *AMOUNT, "--model", saved / "models" / "march",
                "--time-unit", "W", "--out", tmp_path / "r.html"]) == 2
    line = _one_line_error(capsys)
    assert "--time-unit W" in line and "time unit D" in line


@pytest.mark.parametrize("args, message", [
    (["report", "TX", "--as-of", JUNE, "--previous-as-of", MARCH, "--out", "OUT.html"],
     "--previous-as-of: needs --model"),
    (["report", "TX", "--as-of", MARCH, "--previous-as-of", JUNE, "--model", "M", "--out", "OUT.html"],
     "must be before --as-of"),
    (["migrate", "TX", "--model", "M", "--old-as-of", MARCH], "missing option --new-as-of"),
    (["migrate", "OLD", "NEW", "--amount-col", "dollar_value"], "--amount-col: only used with --model"),
    (["migrate", "OLD"], "missing argument NEW"),
    (["segment", "TX", "--as-of", JUNE, "--model", "no-such-model", "--out", "OUT.csv"], "model 'no-such-model'"),
])
def test_wrong_combinations_are_one_line_errors(saved, tmp_path, capsys, args, message):
    names = {"TX": cdnow_path(), "M": saved / "models" / "march", "OLD": saved / "march.parquet",
             "NEW": saved / "march.parquet", "OUT.html": tmp_path / "r.html", "OUT.csv": tmp_path / "s.csv"}
    capsys.readouterr()
    assert run([names.get(a, a) for a in args]) == 2
    assert message in _one_line_error(capsys)
