"""Training from files in chunks (``tierkit.grading.grade_file``, what ``tierkit segment`` runs) against the
in-memory library path.

The differential: the same file graded by ``grade_file`` (features written by DuckDB, standards learned,
customers graded chunk by chunk through the score writer) and by the DataFrame API
(``file_features`` -> ``Segmentation.fit`` -> ``transform`` -> ``add_labels``) gives the same standards
(every one, as JSON) and the same row for every customer, every column, exactly; and the same alerts.
"""

from __future__ import annotations

import copy
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tierkit as tk
from tierkit.data import ColumnMap
from tierkit.datasets import cdnow_path
from tierkit.evaluation.alerts import grading_alerts
from tierkit.features import file_features
from tierkit.features.columns import FeatureColumns
from tierkit.grading import grade_file
from tierkit.output import write_table
from tierkit.tiers._base import FrameStatistics
from tierkit.tiers.schemes import add_labels

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
CDNOW = ColumnMap(amount="dollar_value")


def _segmentation():
    """What ``tierkit segment`` fits by default: every rule scheme, CLV, clusters and the value-potential matrix."""
    return tk.Segmentation(clv=tk.CLVModel(), clusters=tk.KMeansSegmenter(random_state=0), value_potential=True,
                           optional_steps=("clv", "clusters"))


def _standards(segmentation) -> str:
    return json.dumps(segmentation.standards(), sort_keys=True, default=str)


def _in_memory(path, columns, as_of, lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        features, _ = file_features(path, as_of, columns=columns)
        segmentation = _segmentation().fit(features)
        table = segmentation.transform(features)
    alerts = grading_alerts(segmentation, table, lang)
    return segmentation, add_labels(table, lang), alerts, [str(w.message) for w in caught]


def _from_file(path, out, columns, as_of, lang, chunk_size=100_000):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = grade_file(path, out, as_of=as_of, segmentation=_segmentation(), columns=columns, lang=lang,
                          chunk_size=chunk_size)
    return done, [str(w.message) for w in caught]


def _assert_same(done, out, memory_seg, memory_table, memory_alerts):
    """Same standards, alerts and file: read back, the chunked Parquet equals the in-memory table's."""
    assert _standards(done.segmentation) == _standards(memory_seg)
    memory_out = write_table(memory_table, out.with_name("in-memory.parquet"))
    written, expected = pd.read_parquet(out), pd.read_parquet(memory_out)
    assert written.attrs["as_of"] == expected.attrs["as_of"]
    written.attrs, expected.attrs = {}, {}
    pd.testing.assert_frame_equal(written, expected, check_exact=True)
    assert done.alerts == memory_alerts
    assert done.customers == len(memory_table)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cdnow_graded_from_the_file_in_chunks_equals_the_in_memory_grading(tmp_path, lang):
    out = tmp_path / "tiers.parquet"
    memory_seg, memory_table, memory_alerts, memory_warnings = _in_memory(cdnow_path(), CDNOW, "1998-06-30", lang)
    done, file_warnings = _from_file(cdnow_path(), out, CDNOW, "1998-06-30", lang, chunk_size=5_000)
    assert {"clv", "clusters", "abc", "lifecycle", "rfm"} <= {name for name, _ in done.segmentation.steps_}
    _assert_same(done, out, memory_seg, memory_table, memory_alerts)
    # the fit's own warnings are said once, as in memory; the alerts are warned after the last chunk
    assert file_warnings == memory_warnings + memory_alerts


def test_the_output_does_not_depend_on_the_chunk_size(tmp_path):
    outs = []
    for chunk_size in (997, 100_000):
        outs.append(tmp_path / f"tiers-{chunk_size}.csv")
        _from_file(cdnow_path(), outs[-1], CDNOW, "1998-06-30", "en", chunk_size=chunk_size)
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_aggregating_in_customer_partitions_trains_and_grades_the_same(tmp_path, monkeypatch):
    """Past ROWS_PER_PASS lines the features are aggregated one hash partition at a time: the same file out."""
    import tierkit.features.engines as engines

    one, several = tmp_path / "one.csv", tmp_path / "several.csv"
    _from_file(cdnow_path(), one, CDNOW, "1998-06-30", "en")
    monkeypatch.setattr(engines, "ROWS_PER_PASS", 10_000)  # 69,659 lines: 7 partitions
    _from_file(cdnow_path(), several, CDNOW, "1998-06-30", "en")
    assert one.read_bytes() == several.read_bytes()


def test_the_tier_alerts_of_a_tally_equal_those_of_the_whole_table():
    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    segmentation = tk.Segmentation().fit(features)
    table = segmentation.transform(features)
    from tierkit.evaluation.alerts import TierTally

    tally = TierTally()
    for start in range(0, len(table), 100):
        tally.add(table.iloc[start:start + 100])
    for lang in ("en", "zh"):
        assert grading_alerts(segmentation, tally, lang) == grading_alerts(segmentation, table, lang)
    # hand-made: every customer in one tier gives the one-tier alert, from counts alone
    one = table.assign(abc_tier="C")
    assert any(a.startswith("abc_tier: 100%") for a in grading_alerts(segmentation, TierTally.of(one)))


def test_a_failed_write_leaves_the_previous_output(tmp_path):
    out = tmp_path / "tiers.csv"
    out.write_text("previous\n")
    with pytest.raises(tk.DataError):
        grade_file(tmp_path / "missing.csv", out, as_of="1998-06-30", segmentation=_segmentation())
    assert out.read_text() == "previous\n"


@pytest.mark.slow
def test_a_million_synthetic_customers_graded_from_files_equal_the_in_memory_grading(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from synthetic import AS_OF, transactions
    finally:
        sys.path.remove(str(BENCHMARKS))
    tx = transactions(n_customers=1_000_000, n_transactions=3_000_000, seed=7)
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path)
    del tx
    out = tmp_path / "tiers.parquet"
    memory_seg, memory_table, memory_alerts, _ = _in_memory(path, None, AS_OF, "en")
    done, _ = _from_file(path, out, None, AS_OF, "en")
    assert done.customers > 990_000  # the customers whose every line is a return have no features
    assert {"rfm", "abc", "lifecycle", "clusters"} <= {name for name, _ in done.segmentation.steps_}
    _assert_same(done, out, memory_seg, memory_table, memory_alerts)


def _whole_table_fit(features, steps):
    """The oracle: each step fitted, in order, on the features plus every column of the steps before it."""
    from sklearn.base import clone

    table, fitted = features, []
    for name, step in steps:
        step = clone(step).fit(table)
        out = step.transform(table)
        table = pd.concat([table, out[[c for c in out.columns if c not in table.columns]]], axis=1)
        table.attrs = dict(features.attrs)
        fitted.append((name, step))
    return fitted, table


@pytest.mark.parametrize("chunk_size, profit", [(None, False), (300, False), (None, True)])
def test_fitting_column_by_column_learns_the_standards_of_the_whole_table(chunk_size, profit):
    """Each step sees only the columns it reads (graded in chunks); the standards are those of the whole table."""
    from tierkit.features.columns import FeatureColumns
    from tierkit.segmentation.standards import segmentation_standards

    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    rng = np.random.default_rng(0)
    survey = pd.Series(rng.uniform(0, 100, len(features)), index=features.index).iloc[::3]
    features = tk.with_satisfaction(features, survey)
    if profit:  # read, when there, by ABC, the value-potential matrix and the cluster profiles
        features["profit"] = features["monetary"] * rng.uniform(0.1, 0.4, len(features))
    segmentation = tk.Segmentation(clv=tk.CLVModel(), clusters=tk.KMeansSegmenter(random_state=0), clv_cs=True,
                                   value_potential=True, lifecycle=tk.LifecycleStager(use_p_alive=True))
    if chunk_size is None:
        segmentation.fit(features)
    else:
        segmentation.fit_columns(FeatureColumns.of_frame(features), chunk_size=chunk_size)
    steps = segmentation._steps()
    assert [n for n, _ in steps] == [n for n, _ in segmentation.steps_]  # nothing left out on CDNOW
    oracle_steps, oracle_table = _whole_table_fit(features, steps)
    oracle = copy.copy(segmentation)
    oracle.steps_ = oracle_steps
    assert json.dumps(segmentation_standards(segmentation), sort_keys=True, default=str) == json.dumps(
        segmentation_standards(oracle), sort_keys=True, default=str)
    graded = segmentation.transform(features)
    pd.testing.assert_frame_equal(graded, oracle_table[graded.columns], check_exact=True)


def test_the_lean_table_keeps_what_later_steps_read_and_drops_the_rest():
    import tierkit.segmentation.chain as chain

    later = [("lifecycle", tk.LifecycleStager(use_p_alive=True)), ("rfm_segments", tk.RFMSegmenter())]
    produced = ["expected_purchases", "p_alive", "clv", "r_score", "rfm_cell"]
    assert chain._needed_later(later, ["recency", *produced], produced) == ["p_alive", "r_score"]
    # from a source that counts, a step learning from counts needs only what its fit reads: the
    # segments' grid is given, so r_score is not kept; lifecycle's p_alive is read (not a feature there)
    f = pd.DataFrame({"recency": [1.0, 2.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    counting = FeatureColumns.of_frame(f)
    counting.statistics = FrameStatistics(f)
    assert chain._needed_later(later, ["recency", *produced], produced, counting) == ["p_alive"]


def test_a_sample_drawn_from_the_feature_file_is_the_hash_sample_of_the_table(tmp_path):
    """ParquetStatistics.sample (a top-n key threshold, then the customers up to it) = FrameStatistics.sample."""
    from tierkit.features.statistics import ParquetStatistics

    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    path = tmp_path / "features.parquet"
    features.reset_index().to_parquet(path)
    columns = ["recency", "frequency", "monetary"]
    on_file, in_memory = ParquetStatistics(path, attrs={}), FrameStatistics(features)
    for size in (1, 500, len(features) - 1, len(features), None):
        drawn, expected = on_file.sample(columns, size), in_memory.sample(columns, size)
        assert drawn.index.tolist() == expected.index.astype(str).tolist()
        np.testing.assert_array_equal(drawn.to_numpy(), expected.to_numpy())


@pytest.mark.parametrize("survey", [False, True])
def test_the_chunks_read_from_the_feature_file_are_the_rows_of_the_whole_table(tmp_path, survey):
    """FeatureColumns.frames reads the file a chunk at a time: each chunk equals those rows of frame()."""
    features = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    path = tmp_path / "features.parquet"
    features.reset_index().to_parquet(path)
    given = None
    if survey:
        rng = np.random.default_rng(0)
        given = pd.Series(rng.uniform(0, 100, len(features)), index=features.index.astype(str)).iloc[::3]
    source = FeatureColumns.of_parquet(path, attrs=dict(features.attrs), survey=given)
    names = ["monetary", "first_purchase", "frequency", "clv", *(["cs_index"] if survey else [])]
    extra = {"clv": pd.Series(np.arange(len(source), dtype="float64"), index=source.index)}
    whole = source.frame(names, extra)
    chunks = list(source.frames(names, extra, chunk_size=97))
    assert [len(c) for c in chunks[:-1]] == [97] * (len(chunks) - 1)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole, check_exact=True)
    assert all(c.attrs == whole.attrs for c in chunks)
