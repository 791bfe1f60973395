"""The closing summary of a scoring job: rows read, rows rejected and why, customers scored, time."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ScoringSummary:
    r"""What a scoring job did.

    Parameters
    ----------
    rows_read : int
        Transaction rows read.
    rejected : dict, optional
        Rows left out for a bad value, by reason.
    rows_after_as_of : int, default=0
        Rows after the observation date (left out).
    customers_scored : int, default=0
        Customers in the output.
    seconds : float, default=0.0
        Wall-clock time of the job.
    out : str, default=""
        Where the scores were written.
    engine : str, default="local"
        The engine that ran the job (``local`` or ``spark``).
    rejects_path : str, optional
        The CSV file the rows left out were written to.

    Examples
    --------
    >>> s = ScoringSummary(rows_read=10, rejected={"bad date": 2}, rows_after_as_of=1,
    ...                    customers_scored=3, seconds=0.5, out="scores.csv", engine="local")
    >>> print("\n".join(s.lines()))
    rows read:         10
    rows rejected:     2 (bad date: 2)
    rows after as-of:  1 (left out)
    customers scored:  3 -> scores.csv
    time:              0.5 s (local engine)
    """

    rows_read: int
    rejected: dict = field(default_factory=dict)
    rows_after_as_of: int = 0
    customers_scored: int = 0
    seconds: float = 0.0
    out: str = ""
    engine: str = "local"
    rejects_path: str | None = None

    @property
    def rows_rejected(self) -> int:
        """Rows left out for a bad value (all reasons)."""
        return sum(self.rejected.values())

    def lines(self) -> list[str]:
        """The summary as aligned text lines."""
        why = ", ".join(f"{reason}: {n:,}" for reason, n in self.rejected.items())
        return [
            f"rows read:         {self.rows_read:,}",
            f"rows rejected:     {self.rows_rejected:,}" + (f" ({why})" if why else ""),
            f"rows after as-of:  {self.rows_after_as_of:,} (left out)",
            f"customers scored:  {self.customers_scored:,} -> {self.out}",
            f"time:              {self.seconds:.1f} s ({self.engine} engine)",
        ] + ([f"rows left out:     written to {self.rejects_path}"] if self.rejects_path else [])
