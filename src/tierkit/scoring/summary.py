"""The closing summary of a scoring job: rows read, rows rejected and why, customers scored, time."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The reasons a row is left out (:data:`tierkit.data.contract.REASONS`), each a term of the vocabulary.
REASON_WORDS = ("missing customer", "bad date", "bad amount", "bad price", "bad quantity", "bad profit")


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

    def lines(self, lang: str = "en") -> list[str]:
        """The summary as aligned text lines, in English or Chinese (``lang="zh"``)."""
        from tierkit.words import term

        why = ", ".join(f"{term(reason, lang) if reason in REASON_WORDS else reason}: {n:,}"
                        for reason, n in self.rejected.items())
        return [
            term("score_read", lang, n=f"{self.rows_read:,}"),
            term("score_rejected", lang, n=f"{self.rows_rejected:,}") + (f" ({why})" if why else ""),
            term("score_after", lang, n=f"{self.rows_after_as_of:,}"),
            term("score_scored", lang, n=f"{self.customers_scored:,}", out=self.out),
            term("score_time", lang, seconds=f"{self.seconds:.1f}", engine=self.engine),
        ] + ([term("score_rejects", lang, path=self.rejects_path)] if self.rejects_path else [])
