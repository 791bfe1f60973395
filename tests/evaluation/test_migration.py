import json

import numpy as np
import pandas as pd
import pytest

from tierkit.cli.main import main
from tierkit.errors import DataError, TierkitError
from tierkit.evaluation.migration import (
    abc_thresholds_from_snapshot,
    migration_summary,
    next_tier_gaps,
    read_snapshot,
    tier_moves,
    tier_order,
    transition_matrix,
)
from tierkit.tiers.abc_tiers import ABCClassifier
from tierkit.tiers.rfm_classes import RFMClassifier


def snapshots():
    old = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e", "f"],
                        "abc_tier": ["high_end", "important", "ordinary", "small", "small", "ordinary"]})
    new = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e", "g"],
                        "abc_tier": ["important", "important", "high_end", "small", "ordinary", "small"]})
    return old, new


def test_moves_up_down_same_entered_left():
    old, new = snapshots()
    moves = tier_moves(old, new, "abc_tier")
    assert moves["direction"].to_dict() == {"a": "down", "b": "same", "c": "up", "d": "same", "e": "up",
                                            "f": "left", "g": "entered"}
    assert moves.loc["c", "steps"] == 2 and moves.loc["a", "steps"] == -1 and moves.loc["e", "steps"] == 1
    assert migration_summary(moves) == {"up": 2, "down": 1, "same": 2, "entered": 1, "left": 1}


def test_transition_matrix_counts_and_row_percent():
    old, new = snapshots()
    counts = transition_matrix(old, new, "abc_tier")
    assert counts.index.tolist() == ["high_end", "important", "ordinary", "small", "(entered)"]
    assert counts.columns.tolist() == ["high_end", "important", "ordinary", "small", "(left)"]
    assert counts.loc["ordinary"].tolist() == [1, 0, 0, 0, 1]
    assert counts.loc["small"].tolist() == [0, 0, 1, 1, 0]
    assert counts.loc["(entered)", "small"] == 1
    assert counts.to_numpy().sum() == 7
    pct = transition_matrix(old, new, "abc_tier", normalize=True)
    assert pct.loc["small"].tolist() == [0.0, 0.0, 50.0, 50.0, 0.0]
    assert pct.loc["high_end", "important"] == 100.0


def test_rfm_class_order_is_the_course_table_order():
    assert tier_order("rfm_class")[0] == "important_value" and tier_order("rfm_class")[-1] == "general_winback"
    old = pd.DataFrame({"rfm_class": ["general_value", "important_winback"]}, index=["x", "y"])
    new = pd.DataFrame({"rfm_class": ["important_winback", "general_value"]}, index=["x", "y"])
    assert tier_moves(old, new, "rfm_class")["direction"].tolist() == ["up", "down"]


def test_unordered_scheme_counts_changes():
    old = pd.DataFrame({"cluster_name": ["big spenders", "occasional"]}, index=["x", "y"])
    new = pd.DataFrame({"cluster_name": ["occasional", "occasional"]}, index=["x", "y"])
    assert tier_moves(old, new, "cluster_name")["direction"].tolist() == ["changed", "same"]
    assert transition_matrix(old, new, "cluster_name").loc["big spenders", "occasional"] == 1


def test_bad_snapshots():
    old, new = snapshots()
    with pytest.raises(DataError, match="new snapshot: no column 'rfm_class'"):
        tier_moves(old.assign(rfm_class="general_value"), new, "rfm_class")
    with pytest.raises(DataError, match="customer 'a' appears more than once"):
        tier_moves(pd.concat([old, old]), new, "abc_tier")
    with pytest.raises(DataError, match="match no ABC scheme"):
        tier_moves(old.assign(abc_tier="gold"), new, "abc_tier")


def abc_base():
    # 20 customers spending 100, 99, ..., 81: course tiers by rank 1 / 3 / 6 / 10 customers.
    return pd.DataFrame({"monetary": [100.0 - i for i in range(20)]},
                        index=pd.Index([f"c{i:02d}" for i in range(20)], name="customer_id"))


def test_next_tier_gap_from_the_fitted_abc_thresholds():
    features = abc_base()
    abc = ABCClassifier().fit(features)
    assert abc.thresholds_ == {"high_end": 100.0, "important": 97.0, "ordinary": 91.0, "small": -np.inf}
    table = features.join(abc.transform(features))
    gaps = next_tier_gaps(table, thresholds=abc.thresholds_)
    assert gaps.loc["c10", ["tier", "next_tier", "gap"]].tolist() == ["small", "ordinary", 1.0]  # 90 -> 91
    assert gaps.loc["c05", ["next_tier", "gap"]].tolist() == ["important", 2.0]  # 95 -> 97
    assert gaps.loc["c02", ["next_tier", "gap"]].tolist() == ["high_end", 2.0]  # 98 -> 100
    assert gaps.loc["c05", "message"] == "spend 2.00 more to reach Important"
    assert pd.isna(gaps.loc["c00", "next_tier"]) and np.isnan(gaps.loc["c00", "gap"])
    zh = next_tier_gaps(table, thresholds=abc.thresholds_, lang="zh")
    assert zh.loc["c05", "message"] == "再消费 2.00 即可升级为重要客户"


def test_thresholds_read_back_from_a_snapshot_equal_the_fitted_ones():
    features = abc_base()
    for scheme in ("course", "abc", "pyramid"):
        abc = ABCClassifier(scheme=scheme).fit(features)
        snapshot = features.join(abc.transform(features))
        assert abc_thresholds_from_snapshot(snapshot) == abc.thresholds_


def test_a_tier_nobody_reached_is_skipped_to_the_next_one_up():
    table = pd.DataFrame({"monetary": [50.0, 10.0], "abc_tier": ["important", "small"]}, index=["x", "y"])
    gaps = next_tier_gaps(table, thresholds={"high_end": np.inf, "important": 50.0, "ordinary": np.inf,
                                             "small": -np.inf})
    assert gaps.loc["y", ["next_tier", "gap"]].tolist() == ["important", 40.0]
    assert pd.isna(gaps.loc["x", "next_tier"])


def test_rfm_class_gap_to_the_important_counterpart():
    features = pd.DataFrame({"recency": [5.0, 5, 50, 50], "frequency": [5, 5, 1, 1], "monetary": [200.0, 50, 10, 60]},
                            index=["a", "b", "c", "d"])
    rfm = RFMClassifier().fit(features)  # mean monetary = 80
    table = features.join(rfm.transform(features))
    gaps = next_tier_gaps(table, "rfm_class", thresholds=rfm.thresholds_)
    assert gaps.loc["b", ["tier", "next_tier", "gap"]].tolist() == ["general_value", "important_value", 30.0]
    assert gaps.loc["c", ["next_tier", "gap"]].tolist() == ["important_winback", 70.0]
    assert gaps.loc["b", "message"] == "spend 30.00 more to reach Important value"
    assert pd.isna(gaps.loc["a", "next_tier"]) and pd.isna(gaps.loc["a", "message"])
    assert next_tier_gaps(table, "rfm_class")["gap"].equals(gaps["gap"])


def test_gaps_need_a_threshold_scheme():
    with pytest.raises(TierkitError, match="defined for 'abc_tier' and 'rfm_class'"):
        next_tier_gaps(pd.DataFrame({"lifecycle_stage": ["new"]}), "lifecycle_stage")


def write_snapshots(tmp_path):
    features = abc_base()
    old = features.join(ABCClassifier().fit(features).transform(features))
    grown = features.copy()
    grown.loc["c10", "monetary"] = 99.5  # small -> important
    grown.loc["c01", "monetary"] = 50.0  # important -> small
    new = grown.join(ABCClassifier().fit(grown).transform(grown))
    old_path, new_path = tmp_path / "old.csv", tmp_path / "new.parquet"
    old.reset_index().to_csv(old_path, index=False)
    new.reset_index().to_parquet(new_path, index=False)
    return old_path, new_path


def test_cli_migrate_writes_moves_and_gaps(tmp_path, capsys):
    old_path, new_path = write_snapshots(tmp_path)
    out = tmp_path / "moves.csv"
    assert main(["migrate", str(old_path), str(new_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "moved up (1" in printed and "c10: small -> important" in printed
    assert "moved down (1" in printed and "c01: important -> small" in printed
    moves = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    assert moves.loc["c10", "direction"] == "up" and moves.loc["c01", "direction"] == "down"
    # new base: 100 (c00), 99.5 (c10), 98, 97, 96 (c04) ...: the important tier (ranks 2-4 of 20)
    # starts at 97, so c04 needs 1 more.
    assert moves.loc["c04", "gap"] == 1.0 and moves.loc["c04", "next_tier"] == "important"


def test_cli_migrate_json(tmp_path, capsys):
    old_path, new_path = write_snapshots(tmp_path)
    assert main(["migrate", str(old_path), str(new_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["moved_up"] == ["c10"] and data["moved_down"] == ["c01"]
    assert data["matrix"]["small"]["important"] == 1
    assert data["percent"]["small"]["important"] == 10.0
    assert data["summary"] == {"up": 1, "down": 1, "same": 18}


def test_cli_migrate_errors(tmp_path, capsys):
    old_path, new_path = write_snapshots(tmp_path)
    assert main(["migrate", str(old_path), str(new_path), "--scheme", "rfm_class"]) == 2
    assert "no column 'rfm_class'" in capsys.readouterr().err
    assert main(["migrate", str(old_path), str(tmp_path / "missing.csv")]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("id,abc_tier\n1,A\n")
    assert main(["migrate", str(bad), str(new_path)]) == 2
    assert "no 'customer_id' column" in capsys.readouterr().err


def test_read_snapshot_keeps_leading_zeros(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("customer_id,abc_tier\n007,A\n")
    assert read_snapshot(path).index.tolist() == ["007"]


def test_two_periods_graded_by_one_fitted_segmentation_move_customers_not_cut_offs():
    """Month over month: both periods are transformed by the standards fitted on the first;
    a refit on the second would raise the cut-offs, and customers would fall without spending less."""
    from tierkit import Segmentation
    from tierkit.evaluation.migration import fitted_thresholds

    march = abc_base().assign(recency=np.arange(20.0) % 7 + 1, frequency=np.arange(20) % 4 + 1)
    june = march.copy()
    june["monetary"] = march["monetary"] + np.where(np.arange(len(march)) % 2 == 0, 30.0, 0.0)  # total spend grows
    june["recency"] = march["recency"] + 1
    seg = Segmentation(rfm_segments=False, lifecycle=False).fit(march)
    before, after = seg.transform(march), seg.transform(june)
    counts = transition_matrix(before, after, "abc_tier")
    assert counts.index.tolist()[:-1] == counts.columns.tolist()[:-1] == list(seg.named_step("abc").tier_keys_)
    assert migration_summary(tier_moves(before, after, "abc_tier")).get("down", 0) == 0
    refit = Segmentation(rfm_segments=False, lifecycle=False).fit(june)
    assert refit.named_step("abc").thresholds_ != seg.named_step("abc").thresholds_
    assert migration_summary(tier_moves(before, refit.transform(june), "abc_tier"))["down"] > 0

    thresholds, value = fitted_thresholds(seg, "abc_tier")
    assert (thresholds, value) == (seg.named_step("abc").thresholds_, "monetary")
    gaps = next_tier_gaps(after, thresholds=thresholds, value=value)
    small = after.index[after["abc_tier"] == "small"][0]
    assert gaps.loc[small, "gap"] == thresholds["ordinary"] - after.loc[small, "monetary"]
    assert fitted_thresholds(seg, "rfm_class")[0] == seg.named_step("rfm_classes").thresholds_
    assert fitted_thresholds(seg, "lifecycle_stage") == (None, None)


def test_a_blank_tier_is_refused_not_counted_as_entered_or_left():
    from tierkit.errors import DataError

    old = pd.DataFrame({"abc_tier": ["A", None, "C"]}, index=["x", "y", "z"])
    new = pd.DataFrame({"abc_tier": ["A", "B", "C"]}, index=["x", "y", "z"])
    for a, b, which in ((old, new, "old"), (new, old, "new")):
        with pytest.raises(DataError, match=rf"^{which} snapshot: column 'abc_tier' is blank \(customer 'y'\)"):
            transition_matrix(a, b, "abc_tier")
        with pytest.raises(DataError, match="neither an entrant nor a leaver"):
            tier_moves(a, b, "abc_tier")


def test_a_snapshot_written_with_a_currency_reads_its_money_columns_back(tmp_path):
    """``segment --currency USD`` writes ``monetary (USD)``: migrate must still find ``monetary``."""
    from tierkit.evaluation.migration import read_snapshot

    path = tmp_path / "snap.csv"
    path.write_text("customer_id,monetary (USD),clv (¥),abc_tier\n1,10.5,3.0,A\n2,4.0,1.0,C\n", encoding="utf-8")
    frame = read_snapshot(path)
    assert frame["monetary"].tolist() == [10.5, 4.0] and frame["clv"].tolist() == [3.0, 1.0]
