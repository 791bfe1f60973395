"""The census of the generated cases: how many per path and source, what the oracle expects of them, which
known defects they show, and that the mix stays worth running.

``pytest tests/reliability/test_fuzz_census.py -s`` prints the table quoted in the README.
"""

from __future__ import annotations

from collections import Counter

from fuzz_cases import REASONS, STRUCTURAL
from fuzz_plan import PLAN, cases, defects, expectation


def outcome(case) -> str:
    expected, _ = expectation(case)
    if expected.refused is not None:
        return "refused"
    return "graded" if expected.graded else "read, nobody bought"


def census() -> dict:
    table = {}
    for path in PLAN:
        counts = Counter()
        for case in cases(path):
            counts[outcome(case)] += 1
            counts["known defect"] += bool(defects(case, path))
        table[path] = counts
    return table


def test_the_generated_cases_cover_the_reader_and_the_oracle_grades_most_of_them():
    table = census()
    every = [case for path in PLAN for case in cases(path)]
    assert len(every) == sum(sum(sources.values()) for sources in PLAN.values())
    assert len({case.name for case in every}) == len(every)
    total = Counter()
    for counts in table.values():
        total.update(counts)
    n = len(every)
    # a suite worth running: refusals and readings both common, every source and fault drawn
    assert 0.25 * n <= total["refused"] <= 0.6 * n, total
    assert total["graded"] >= 0.35 * n, total
    assert {case.source for case in every} == {"csv", "xlsx", "parquet", "frame"}
    assert {case.fault for case in every if case.fault} >= set(STRUCTURAL), \
        set(STRUCTURAL) - {case.fault for case in every}
    reasons = Counter(r for case in every for _, r in expectation(case)[0].rejects)
    assert set(reasons) == set(REASONS), reasons
    why = Counter(expectation(case)[0].refused for case in every if expectation(case)[0].refused)
    for kind in ("missing customers", "bad rows", "most dates unread", "mixed date formats", "ambiguous day/month"):
        assert why[kind] >= 2, why
    assert sum(expectation(case)[0].float_ids for case in every) >= 10
    assert sum(case.encoding in ("gbk", "latin-1") for case in every if case.source == "csv") >= 20
    lines = [f"{'path':<13} {'cases':>5} {'refused':>8} {'graded':>7} {'no buyer':>9} {'defect':>7}"]
    for path, counts in table.items():
        lines.append(f"{path:<13} {sum(PLAN[path].values()):>5} {counts['refused']:>8} {counts['graded']:>7} "
                     f"{counts['read, nobody bought']:>9} {counts['known defect']:>7}")
    lines.append(f"{'total':<13} {n:>5} {total['refused']:>8} {total['graded']:>7} "
                 f"{total['read, nobody bought']:>9} {total['known defect']:>7}")
    lines.append("refused because: " + ", ".join(f"{k} {v}" for k, v in why.most_common()))
    lines.append("rows left out: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    print("\n" + "\n".join(lines))
