"""What reading a source found, and the policy that turns it into an error, a warning or nothing."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field

from tierkit.data.contract import EXPECTED, NUMBER, amount_limit
from tierkit.errors import DataError, DataWarning, Message, Param
from tierkit.messages import MESSAGES


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


def row_location(unit: str, line: int, part: str | None = None) -> Message:
    """Where a row is, as messages name it: ``line 14``, or ``sales/part-2.csv line 14`` in a part.

    Examples
    --------
    >>> row_location("line", 14), row_location("line", 14, "sales/part-2.csv")
    ('line 14', 'sales/part-2.csv line 14')
    """
    where = Message(unit, n=int(line))
    return Message("in_part", part=part, where=where) if part is not None else where


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


def describe_bad_row(source: str, row: BadRow, count: int, date_format: str | None) -> Message:
    """One line naming the file, column, line, value, what was expected and how many rows are bad.

    A number that is bad only for its size (:func:`tierkit.data.contract.amount_limit`) is said
    to be too large, not "not a number".

    Examples
    --------
    >>> print(describe_bad_row("t.csv", BadRow("bad amount", "amount", "line 3", "2e12"), 1, None))
    t.csv: column 'amount', line 3: value '2e12' is 1,000,000,000,000 or more in magnitude; amounts and \
profits must stay below that to be summed exactly (1 such row(s) in all)
    """
    shown = Message("empty") if row.value is None else repr(row.value)
    too_large = _too_large(row)
    if too_large:
        return Message("too_large_row", source=source, column=repr(row.column), location=row.location, value=shown,
                       too_large=too_large, count=count)
    expected = EXPECTED[row.reason]
    if row.reason == "bad date" and date_format:
        expected = Message("a_date_in_format", format=date_format)
    return Message("bad_row", source=source, column=repr(row.column), location=row.location, value=shown,
                   expected=expected, count=count)


def _too_large(row: BadRow) -> Message | None:
    """How a finite number broke the amount limit (itself, or times the quantity), or None."""
    if row.reason not in ("bad amount", "bad profit", "bad price") or row.value is None:
        return None
    text = row.value.strip()
    if re.fullmatch(NUMBER, text) is None or not math.isfinite(float(text)):
        return None
    limit = amount_limit()
    if row.reason == "bad price":
        key = "too_large_product"
    elif abs(float(text)) >= limit:
        key = "too_large"
    else:
        return None
    return Message(key, limit=limit)


def _reason(reason: str):
    """A reason rows are left out (``"bad date"``) as a part of a message."""
    key = reason.replace(" ", "_")
    return Message(key) if key in MESSAGES else reason


def apply_policy(report: ReadReport, *, missing_customers: str, on_bad_rows: str, first_bad, stacklevel: int = 3):
    """Refuse or warn as the options say; ``first_bad(reasons)`` finds the first :class:`BadRow`."""
    if report.rows_read == 0:
        raise DataError("no_rows", source=report.source)
    missing = report.rejected.get("missing customer", 0)
    bad = {r: n for r, n in report.rejected.items() if r != "missing customer" and n}
    if missing and missing_customers == "error":
        row = first_bad(("missing customer",))
        raise DataError("empty_customer", source=report.source, column=repr(row.column), count=missing,
                        location=row.location, option=Param("missing_customers"))
    if bad and on_bad_rows == "error":
        row = first_bad(tuple(bad))
        line = describe_bad_row(report.source, row, report.rejected[row.reason], report.date_format)
        raise DataError("bad_rows_refused", first=line, option=Param("on_bad_rows"))
    if report.rows_kept == 0:
        raise DataError("all_rows_left_out", source=report.source, count=report.rows_read,
                        reasons=tuple(Message("counted", n=n, what=_reason(r)) for r, n in report.rejected.items()))
    if missing:
        warnings.warn(DataWarning("warn_missing_customers", source=report.source, count=missing), stacklevel=stacklevel)
    if bad:
        row = first_bad(tuple(bad))
        first = describe_bad_row(report.source, row, report.rejected[row.reason], report.date_format)
        warnings.warn(DataWarning("warn_bad_rows", source=report.source, count=sum(bad.values()), first=first),
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
