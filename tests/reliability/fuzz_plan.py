"""Which generated cases run through which path, and the defects some of them are known to show.

Every list is drawn from fixed seeds (the case names), so the suite is the same on every run
and on every xdist worker. A case whose oracle predicts one of the defects below carries
``xfail(strict=True)``: it fails today for that reason, and once the defect is fixed it
passes, which fails the suite until the mark is removed.
"""

from __future__ import annotations

from functools import cache

import pytest
from fuzz_cases import (
    csv_text,
    empty_text_named,
    generate,
    line_defect,
    oracle,
)

#: How many cases each path runs, by source: 431 in all, about two CPU-minutes (a minute with
#: ``pytest -n 2`` on an idle 2-core machine; ``-m "not slow"`` runs the library part alone).
PLAN = {
    "file": {"csv": 100, "xlsx": 25, "parquet": 25},
    "frame": {"frame": 70},
    "segment": {"csv": 50, "xlsx": 10, "parquet": 10},
    "score": {"csv": 25, "xlsx": 5, "parquet": 5},
    "served": {"frame": 50},
    "differential": {"csv": 40},
    "clusters": {"csv": 6},
    "validate": {"csv": 6},
    "report": {"csv": 4},
}
#: The options each path can take.
ALLOW = {
    "file": ("timezone", "drop_duplicates", "price", "rejects", "time_unit"),
    "frame": ("timezone", "drop_duplicates", "price", "time_unit"),
    "segment": ("timezone", "drop_duplicates", "price", "rejects", "time_unit"),
    "score": ("timezone", "drop_duplicates", "price", "rejects"),
    "served": (),
    "differential": (),
    "clusters": ("price",),
    "validate": (),
    "report": (),
}

MONEY_DEFECT = ("DEFECT: an amount is cast to DECIMAL(18, 6) as round(amount * 1e6) computed in doubles, so a line "
                "above 2**53 / 1e6 (about 9.0e9) loses its last places (874208916913.63 becomes 874208916913.629952) "
                "and monetary / monetary_btyd differ by an ulp from the exact sum of the amounts as written (README: "
                "money is summed exactly)")
LINE_DEFECT = ("DEFECT: after a quoted value holding a line break, messages and --rejects name a row by its record "
               "number, one less than its file line (README: lines are file lines)")
TZ_NS_DEFECT = ("DEFECT: a Parquet column of zone-aware timestamps in nanoseconds (pandas' datetime64[ns, tz]) is "
                "DuckDB's TIMESTAMPTZ_NS, not recognised as zone-aware by duckdb_kind: a ConversionException "
                "traceback instead of a read")
EXCEL_NA_DEFECT = ("DEFECT: in a workbook, text cells 'NA', 'null', 'None', 'N/A', 'nan' ... are read as empty "
                   "(pandas.read_excel's default na_values), so customer id 'NA' is a missing customer (README: NA, "
                   "null are ids; only an empty cell is missing)")
EMPTY_TEXT_DEFECT = ("DEFECT: the first bad row's value is shown as '' when a frame (or a JSON request to the served "
                     "model) holds an empty string, but as empty when the cell of a file is empty: the same rows "
                     "give different messages")
REJECTS_DEFECT = ("DEFECT: --rejects is written before the command refuses a base where no customer bought on or "
                  "before --as-of, so a refused command leaves an output (README: no output is written)")


@cache
def cases(path: str) -> tuple:
    """The cases of ``path``, in a fixed order."""
    out = []
    for source, count in PLAN[path].items():
        for i in range(count):
            name = f"{path}-{source}-{i:03d}"
            if path == "differential":
                case = generate(name, source, faults="content", canonical=True)
            elif path == "served":
                case = generate(name, source, faults="content", canonical=True)
            else:
                case = generate(name, source, allow=ALLOW[path])
            out.append(case)
    return tuple(out)


_EXPECTED = {}


def expectation(case):
    """``(expected, locations)`` of a case: the oracle's answer and each row's line or row (computed once)."""
    if case.name not in _EXPECTED:
        locations = None
        if case.source == "csv":
            _, locations = csv_text(case)
        _EXPECTED[case.name] = (oracle(case, locations), locations)
    return _EXPECTED[case.name]


def defects(case, path: str) -> list:
    """The known defects this case shows on ``path``."""
    expected, locations = expectation(case)
    found = []
    compares_features = path in ("file", "frame", "segment", "differential")
    if compares_features and expected.money_defect:
        found.append(MONEY_DEFECT)
    if path in ("file", "segment", "score") and line_defect(case, expected, locations):
        found.append(LINE_DEFECT)
    if path == "differential" and empty_text_named(case, expected, locations):
        found.append(EMPTY_TEXT_DEFECT)
    if path in ("segment", "score") and case.rejects and expected.refused is None and not expected.graded \
            and expected.rejects:
        found.append(REJECTS_DEFECT)
    return found


def params(path: str) -> list:
    """``pytest.param`` of every case of ``path``, with its known defects as strict xfails."""
    out = []
    for case in cases(path):
        found = defects(case, path)
        marks = [pytest.mark.xfail(strict=True, reason=" | ".join(found))] if found else []
        out.append(pytest.param(case, marks=marks, id=f"{case.name}-{case.flavour()}"))
    return out
