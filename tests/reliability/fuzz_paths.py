"""The paths a generated case is read through, and what each must answer.

Library: :func:`tierkit.read_transactions` + :func:`tierkit.rfm_features` on a file, and
:func:`tierkit.normalize_transactions` + :func:`tierkit.rfm_features` on a frame. Command
line: :func:`tierkit.cli.main.main` in this process (``segment``, ``score``, ``clusters``,
``validate``, ``report``). Served model: ``mlflow.pyfunc.load_model(folder).predict(frame,
params={"input": "transactions", ...})``.

Each path answers a result or a refusal; anything else (a traceback from the library, an
exception that is not a :class:`tierkit.TierkitError`) fails the test as it is raised.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from fuzz_cases import assert_features_equal, locations_named

import tierkit as tk
from tierkit.errors import TierkitError

ERROR_PREFIX = "tierkit: error: "
WARNING_PREFIX = "tierkit: warning: "


@dataclass
class Answer:
    """What a library path or the served model answered."""

    error: str | None = None
    features: pd.DataFrame | None = None
    report: dict | None = None
    warnings: list = field(default_factory=list)
    table: pd.DataFrame | None = None  # the served model's tiers


def _collect(run) -> Answer:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            answer = run()
        except TierkitError as exc:
            answer = Answer(error=str(exc))
    answer.warnings = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return answer


def read_file(case, path: Path, rejects: Path | None = None) -> Answer:
    """``read_transactions`` + ``rfm_features``."""
    def run():
        kwargs = case.api_kwargs()
        if rejects is not None:
            kwargs["rejects"] = rejects
        tx = tk.read_transactions(path, **kwargs)
        features = tk.rfm_features(tx, as_of=case.as_of, time_unit=case.time_unit)
        return Answer(features=features, report=tx.attrs["read_report"])

    return _collect(run)


def read_frame(case, frame: pd.DataFrame, source: str = "frame") -> Answer:
    """``normalize_transactions`` + ``rfm_features``."""
    def run():
        tx = tk.normalize_transactions(frame, source=source, **case.frame_kwargs())
        features = tk.rfm_features(tx, as_of=case.as_of, time_unit=case.time_unit)
        return Answer(features=features, report=tx.attrs["read_report"])

    return _collect(run)


def serve(model, case, frame: pd.DataFrame) -> Answer:
    """The served model's tiers of raw transactions (``input="transactions"``)."""
    params = {"input": "transactions", "as_of": case.as_of, "on_bad_rows": case.on_bad_rows,
              "missing_customers": case.missing_customers}
    fmt = case.option_override.get("date_format", case.date_format)
    if fmt is not None:
        params["date_format"] = fmt
    return _collect(lambda: Answer(table=model.predict(frame, params=params)))


@dataclass
class Run:
    """What a command did: its exit status, its stderr lines and the files it left in its folder."""

    status: int
    stdout: str
    stderr: list
    new_files: list

    @property
    def error(self) -> str | None:
        """The one error line, without its prefix (None when there is none)."""
        errors = [line for line in self.stderr if line.startswith(ERROR_PREFIX)]
        return errors[-1][len(ERROR_PREFIX):] if errors else None


def run_command(args: list, folder: Path) -> Run:
    """``tierkit ARGS`` in this process; the files of ``folder`` are compared before and after."""
    from tierkit.cli.main import main

    before = {p for p in folder.rglob("*")}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("always")
        status = main([str(a) for a in args])
    after = {p for p in folder.rglob("*")}
    return Run(status, out.getvalue(), err.getvalue().splitlines(), sorted(str(p.relative_to(folder))
                                                                           for p in after - before))


def assert_one_line_refusal(run: Run, what: str) -> str:
    """Exit 2; stderr: warnings, then exactly one error line and no traceback; nothing written."""
    assert run.status == 2, f"{what}: exit {run.status}, expected 2; stderr: {run.stderr}"
    assert "Traceback" not in "\n".join(run.stderr), f"{what}: {run.stderr}"
    errors = [i for i, line in enumerate(run.stderr) if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1 and errors[0] == len(run.stderr) - 1, f"{what}: not one error line: {run.stderr}"
    others = [line for line in run.stderr[:-1] if not line.startswith(WARNING_PREFIX)]
    assert not others, f"{what}: stderr lines that are neither a warning nor the error: {others}"
    assert run.new_files == [], f"{what}: refused but wrote {run.new_files}"
    return run.error


def assert_refused(answer: Answer, what: str) -> str:
    """A library path refused in one line."""
    assert answer.error is not None, f"{what}: read, but the oracle expects a refusal"
    assert "\n" not in answer.error, f"{what}: the refusal is not one line: {answer.error!r}"
    return answer.error


def normalized(message: str, source: str, header_line: bool) -> str:
    """A message with its source as ``SOURCE`` and a file line as the frame row it is (for differentials).

    A file's ``line N`` (the header is line 1) is the frame's ``row N-1``; without a header
    ``line N`` is ``row N``.
    """
    message = message.replace(source, "SOURCE")
    shift = 1 if header_line else 0
    return re.sub(r"\bline ([0-9]+)\b", lambda m: f"row {int(m.group(1)) - shift}", message)


def read_rejects(path: Path) -> list:
    """``(location, reason)`` of each row of a rejects file."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return list(zip(table.iloc[:, 0].astype(int).tolist(), table["reason"].tolist(), strict=True))


def read_output(path: Path) -> pd.DataFrame:
    """A command's table as written (Parquet as is; CSV with ids as text and doubles exact)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    table = pd.read_csv(path, dtype={"customer_id": str}, keep_default_na=False, na_values=[""])
    # README: text cells starting with = + - @ tab or CR are written with a leading ' (CSV injection)
    table["customer_id"] = [c[1:] if c[:1] == "'" and c[1:2] in ("=", "+", "-", "@", "\t", "\r") else c
                            for c in table["customer_id"]]
    return table


# -- what every path must answer -------------------------------------------------------------------


def check_named(case, expected, message: str, what: str) -> None:
    """A refusal of a row names that row: ``line N`` of a text file, ``row N`` of anything else."""
    named = locations_named(case, expected)
    if not named or case.drop_duplicates or "dates do not match" in message:
        return  # distinct rows are counted after dropping; the half-read refusal names the column
    unit = "line" if case.source == "csv" else "row"
    assert re.search(rf"\b{unit} {named[0][0]}\b", message), f"{what}: expected {unit} {named[0][0]} in {message!r}"


def check_answer(case, answer: Answer, expected, what: str, rejects=None) -> None:
    """``answer`` is the oracle's: the same refusal, or the same rows, features, counts and rejects."""
    if expected.refused is not None:
        message = assert_refused(answer, f"{what} (oracle: {expected.refused})")
        check_named(case, expected, message, what)
        return
    assert answer.error is None, f"{what}: refused, but the oracle reads it: {answer.error}"
    assert_features_equal(answer.features, expected.features, what)
    report = answer.report
    assert (report["rows_read"], report["rows_kept"]) == (expected.rows_read, expected.rows_kept), report
    assert report["rejected"] == dict(Counter(reason for _, reason in expected.rejects)), report
    notes = [note for note in report["notes"] if "whole-number floats" in note]
    assert bool(notes) == expected.float_ids, f"{what}: float-id notes {notes}, oracle {expected.float_ids}"
    for message in answer.warnings:
        assert "\n" not in message, f"{what}: a warning of several lines: {message!r}"
    if rejects is not None:
        check_rejects(case, rejects, expected, what)


def check_rejects(case, rejects: Path, expected, what: str) -> None:
    """The rejects file holds the oracle's rows left out, line and reason, in order (absent when none)."""
    if not expected.rejects:
        assert not rejects.exists(), f"{what}: nothing was left out, yet a rejects file was written"
    elif case.drop_duplicates:  # positions count the distinct rows
        assert Counter(r for _, r in read_rejects(rejects)) == Counter(r for _, r in expected.rejects), what
    else:
        assert read_rejects(rejects) == expected.rejects, f"{what}: rejects"


def check_success(run: Run, what: str) -> None:
    """Exit 0; stderr holds warnings and summary lines, never an error or a traceback."""
    assert run.status == 0, f"{what}: exit {run.status}; stderr: {run.stderr}"
    text = "\n".join(run.stderr)
    assert "Traceback" not in text and ERROR_PREFIX not in text, f"{what}: {run.stderr}"


def check_refused_by_command(case, run: Run, expected, what: str) -> None:
    """A command refused in one line, naming the first bad row when the oracle refuses for one."""
    message = assert_one_line_refusal(run, f"{what} (oracle: {expected.refused or 'no customer bought'})")
    if expected.refused is not None:
        check_named(case, expected, message, what)
