"""What reading a source found, and the policy that turns it into an error, a warning or nothing."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field

from tierkit.data.contract import EXPECTED, NUMBER, amount_limit
from tierkit.errors import DataError


@dataclass
class ReadReport:
    """Counts of one read: rows, rows left out by reason, the date format used.

    Parameters
    ----------
    source : str
        The file or frame read.
    rows_read : int
        Rows in the source.
    rejected : dict, optional
        Rows left out, by reason.
    after_as_of : int, default=0
        Rows after the observation date (left out by the feature step).
    date_format : str, optional
        The date format used.
    rejects_path : str, optional
        The CSV file the rows left out were written to.
    notes : list of str, optional
        What the reader changed while reading right (ids written as ``12346.0`` read as
        ``12346``), one line each; also given as warnings.

    Examples
    --------
    >>> r = ReadReport("tx.csv", rows_read=10, rejected={"bad date": 2}, date_format="ISO (year first)")
    >>> r.rows_kept, r.lines()[0]
    (8, 'tx.csv: 10 rows read, 8 kept; left out: 2 bad date')
    """

    source: str
    rows_read: int
    rejected: dict = field(default_factory=dict)
    after_as_of: int = 0
    date_format: str | None = None
    rejects_path: str | None = None
    notes: list = field(default_factory=list)

    @property
    def rows_kept(self) -> int:
        """Rows read minus the rows left out."""
        return self.rows_read - sum(self.rejected.values())

    def lines(self, lang: str = "en") -> list[str]:
        """Human-readable summary lines, in English or Chinese (``lang="zh"``)."""
        from tierkit.words import TERMS, term

        left = ", ".join(f"{n:,} {term(reason, lang) if reason in TERMS else reason}"
                         for reason, n in self.rejected.items() if n)
        line = term("summary_read", lang, source=self.source, read=f"{self.rows_read:,}", kept=f"{self.rows_kept:,}")
        if left:
            line += term("summary_left_out", lang, reasons=left)
        out = [line]
        if self.rejects_path:
            out.append(term("summary_rejects", lang, path=self.rejects_path))
        return out + list(self.notes)

    def as_dict(self) -> dict:
        """Plain values, for ``DataFrame.attrs``, JSON and MLflow."""
        return {"source": self.source, "rows_read": self.rows_read, "rows_kept": self.rows_kept,
                "rejected": dict(self.rejected), "date_format": self.date_format,
                "rejects_path": self.rejects_path, "notes": list(self.notes)}


@dataclass(frozen=True)
class BadRow:
    """The first row left out for a reason: where it is and what it held."""

    reason: str
    column: str
    location: str
    value: str | None


def row_location(unit: str, line: int, part: str | None = None) -> str:
    """Where a row is, as messages name it: ``line 14``, or ``sales/part-2.csv line 14`` in a part.

    Examples
    --------
    >>> row_location("line", 14), row_location("line", 14, "sales/part-2.csv")
    ('line 14', 'sales/part-2.csv line 14')
    """
    where = f"{unit} {int(line)}"
    return f"{part} {where}" if part is not None else where


def rejects_frame(rows, names: list, unit: str, parts: tuple = ()):
    """The rows left out as the rejects file holds them: their line (or row), reason and raw cells.

    ``rows`` has ``tk_line``, ``reason`` and the text of each source column (``tk_src_0`` ...),
    and, for text parts, ``tk_part`` (a position in ``parts``): the part is then the first
    column, ``file``. Both engines build the file here, so their rejects are the same bytes.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"tk_part": [1], "tk_line": [14], "reason": ["bad amount"], "tk_src_0": ["x"]})
    >>> rejects_frame(rows, ["amount"], "line", ("sales/part-1.csv", "sales/part-2.csv")).to_dict("records")
    [{'file': 'sales/part-2.csv', 'line': 14, 'reason': 'bad amount', 'amount': 'x'}]
    """
    import pandas as pd

    out = pd.DataFrame({unit: rows["tk_line"].astype("int64"), "reason": rows["reason"].astype("str")})
    if parts:
        out.insert(0, "file", [parts[int(i)] for i in rows["tk_part"]])
    for i, n in enumerate(names):
        out[str(n)] = rows[f"tk_src_{i}"].astype("str")
    return out


def describe_bad_row(source: str, row: BadRow, count: int, date_format: str | None) -> str:
    """One line naming the file, column, line, value, what was expected and how many rows are bad.

    A number that is bad only for its size (:func:`tierkit.data.contract.amount_limit`) is said
    to be too large, not "not a number".

    Examples
    --------
    >>> print(describe_bad_row("t.csv", BadRow("bad amount", "amount", "line 3", "2e12"), 1, None))
    t.csv: column 'amount', line 3: value '2e12' is 1,000,000,000,000 or more in magnitude; amounts and \
profits must stay below that to be summed exactly (1 such row(s) in all)
    """
    shown = "empty" if row.value is None else repr(row.value)
    too_large = _too_large(row)
    if too_large:
        return (f"{source}: column {row.column!r}, {row.location}: value {shown}{too_large} "
                f"({count:,} such row(s) in all)")
    expected = EXPECTED[row.reason]
    if row.reason == "bad date" and date_format:
        expected = f"a date in the column's format ({date_format})"
    return (f"{source}: column {row.column!r}, {row.location}: value {shown} is not {expected}"
            f" ({count:,} such row(s) in all)")


def _too_large(row: BadRow) -> str | None:
    """How a finite number broke the amount limit (itself, or times the quantity), or None."""
    if row.reason not in ("bad amount", "bad profit", "bad price") or row.value is None:
        return None
    text = row.value.strip()
    if re.fullmatch(NUMBER, text) is None or not math.isfinite(float(text)):
        return None
    limit = amount_limit()
    if row.reason == "bad price":
        what = ": price x quantity is"
    elif abs(float(text)) >= limit:
        what = " is"
    else:
        return None
    return f"{what} {limit:,} or more in magnitude; amounts and profits must stay below that to be summed exactly"


def apply_policy(report: ReadReport, *, missing_customers: str, on_bad_rows: str, first_bad, stacklevel: int = 3):
    """Refuse or warn as the options say; ``first_bad(reasons)`` finds the first :class:`BadRow`."""
    if report.rows_read == 0:
        raise DataError(f"{report.source}: no transactions (the file has a header but no rows)")
    missing = report.rejected.get("missing customer", 0)
    bad = {r: n for r, n in report.rejected.items() if r != "missing customer" and n}
    if missing and missing_customers == "error":
        row = first_bad(("missing customer",))
        raise DataError(f"{report.source}: column {row.column!r}: {missing:,} row(s) have an empty customer id "
                        f"(first at {row.location}); give missing_customers 'drop' to leave them out")
    if bad and on_bad_rows == "error":
        row = first_bad(tuple(bad))
        line = describe_bad_row(report.source, row, report.rejected[row.reason], report.date_format)
        raise DataError(f"{line}; give on_bad_rows 'skip' to leave such rows out")
    if report.rows_kept == 0:
        raise DataError(f"{report.source}: all {report.rows_read:,} rows left out "
                        f"({', '.join(f'{n:,} {r}' for r, n in report.rejected.items())}); check the column map")
    if missing:
        warnings.warn(f"{report.source}: {missing:,} row(s) without a customer id left out", UserWarning,
                      stacklevel=stacklevel)
    if bad:
        row = first_bad(tuple(bad))
        first = describe_bad_row(report.source, row, report.rejected[row.reason], report.date_format)
        warnings.warn(f"{report.source}: {sum(bad.values()):,} bad row(s) left out; first: {first}", UserWarning,
                      stacklevel=stacklevel)


def report_from_counts(source: str, row, reasons: tuple, date_format: str | None) -> ReadReport:
    """The :class:`ReadReport` of the one-row result of :func:`tierkit.data.contract.counts_sql`."""
    row = tuple(row)
    return ReadReport(source, rows_read=int(row[0]),
                      rejected={r: int(row[1 + i]) for i, r in enumerate(reasons) if row[1 + i]},
                      after_as_of=int(row[-1] or 0), date_format=date_format)


def settle(report: ReadReport, options, *, first_bad, rejected_rows, stacklevel: int = 4) -> None:
    """Apply the policy of ``options`` to ``report``; write the rows left out when ``options.rejects``.

    ``first_bad(reasons)`` finds the first :class:`BadRow`; ``rejected_rows()`` gives every row
    left out (line, reason, raw cells). Both engines call this, so they refuse, warn and write
    rejects alike.
    """
    apply_policy(report, missing_customers=options.missing_customers, on_bad_rows=options.on_bad_rows,
                 first_bad=first_bad, stacklevel=stacklevel + 1)
    if options.rejects is not None and report.rejected:
        from tierkit.output import write_table

        report.rejects_path = str(options.rejects)
        write_table(rejected_rows(), options.rejects)
