import warnings

import pytest
from sklearn.exceptions import NotFittedError

import tierkit as tk
from tierkit.segmentation.chain import Segmentation


def test_standards_learned_on_one_month_grade_the_next_unchanged(cdnow_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        march = tk.rfm_features(cdnow_tx, as_of="1998-03-31")
        june = tk.rfm_features(cdnow_tx, as_of="1998-06-30")
    seg = Segmentation().fit(march)
    edges = {k: v.copy() for k, v in seg.named_step("rfm").bin_edges_.items()}
    out = seg.transform(june)
    assert len(out) == len(june)
    # Transform does not refit: the standards are March's.
    for k, v in seg.named_step("rfm").bin_edges_.items():
        assert (v == edges[k]).all()
    refit = Segmentation().fit(june).transform(june)
    assert not out["r_score"].equals(refit["r_score"])  # June's own standards differ
    # June graded by March's mean: the threshold check by hand.
    mean_recency = march["recency"].mean()
    assert (out["r_high"] == (june["recency"] <= mean_recency)).all()


def test_unfitted_segmentation_refuses_to_transform(cdnow_features):
    with pytest.raises(NotFittedError):
        Segmentation().transform(cdnow_features)


def test_steps_can_be_left_out(cdnow_features):
    out = Segmentation(abc=False, lifecycle=False).fit_transform(cdnow_features)
    assert "abc_tier" not in out and "lifecycle_stage" not in out and "rfm_class" in out


def test_deterministic_byte_for_byte(cdnow_features, tmp_path):
    a = tk.add_labels(Segmentation().fit_transform(cdnow_features), "zh")
    b = tk.add_labels(Segmentation().fit_transform(cdnow_features), "zh")
    tk_out = __import__("tierkit.output", fromlist=["write_table"])
    tk_out.write_table(a, tmp_path / "a.csv")
    tk_out.write_table(b, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
