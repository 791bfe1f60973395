"""Writing result tables safely: atomically, to a folder that can take them, without formulas.

A table is written to a temporary file beside the target, then renamed onto it, so a failed or
interrupted write never leaves a partial file at the target path (:func:`atomic_path`; a model
folder likewise, :func:`atomic_folder`). A full disk, a missing permission or a read-only file
system ends the write with a one-line :class:`WriteError` naming the file and the cause, the
temporary file removed. A temporary file is named after the process that writes it, so the next
write of the same output removes those left by killed processes
(:func:`remove_stale_temporaries`). Text cells that a spreadsheet would run as a formula are
neutralised first (see :func:`neutralise_formulas`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from tierkit.errors import Param, TierkitError
from tierkit.messages import Message
from tierkit.paths import is_pattern, matching_files
from tierkit.progress import timed

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")
#: The longest currency (``--currency``, ``currency:``) accepted: a code (``USD``, ``RMB``) or a sign (``¥``, ``HK$``).
CURRENCY_MAX = 5
#: A text cell starting with one of these is run as a formula by spreadsheet programs
#: (OWASP "CSV injection"); :func:`neutralise_formulas` puts :data:`FORMULA_ESCAPE` before it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` in which no text cell or column name can run as a formula.

    A text value (in an ``object``, string or categorical column, or a column name) that
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote
    ``'`` in front, as the OWASP advice on CSV injection says. Numbers, dates, missing values
    and all other text are left exactly as they are; ``frame`` itself is not modified.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table about to be written for people to open in a spreadsheet.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same shape, index, column order and kinds of column (a
        categorical column stays categorical, with escaped categories, unless escaping would
        merge two of them).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"id": ["=1+2", "-x", "00001"], "amount": [-3.5, 1.0, 2.0]})
    >>> safe = neutralise_formulas(table)
    >>> safe["id"].tolist()
    ["'=1+2", "'-x", '00001']
    >>> safe["amount"].tolist()
    [-3.5, 1.0, 2.0]
    """
    out = frame.copy(deep=False)
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        safe = _neutral_column(column)
        if safe is not column:
            # isetitem always stores a new array: the caller's frame keeps its own values.
            out.isetitem(i, safe)
    out.columns = _neutral_labels(out.columns)
    return out


def _needs_escape(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _neutral_objects(values: np.ndarray) -> np.ndarray | None:
    """The object array with text escaped, or ``None`` when nothing needs it."""
    mask = np.fromiter((_needs_escape(v) for v in values), dtype=bool, count=len(values))
    if not mask.any():
        return None
    out = values.copy()
    out[mask] = [FORMULA_ESCAPE + v for v in values[mask]]
    return out


def _is_text_dtype(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) or (isinstance(dtype, pd.ArrowDtype) and dtype.kind == "U")


def _neutral_column(column: pd.Series) -> pd.Series:
    """``column`` itself when it holds nothing to escape, else an escaped copy."""
    dtype = column.dtype
    if _is_text_dtype(dtype):
        mask = column.str.startswith(FORMULA_PREFIXES, na=False)
        return column.where(~mask, FORMULA_ESCAPE + column) if mask.any() else column
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _neutral_labels(dtype.categories)
        if categories is dtype.categories:
            return column
        if categories.is_unique:
            return column.cat.rename_categories(categories)
        return _neutral_column(column.astype(object))
    if dtype == object:  # noqa: E721 (a dtype compared with numpy's object dtype, not a type check)
        values = _neutral_objects(column.to_numpy())
        return column if values is None else pd.Series(values, index=column.index, name=column.name, dtype=object)
    return column


def _neutral_labels(index: pd.Index) -> pd.Index:
    """``index`` itself when no label needs escaping, else an escaped copy."""
    if isinstance(index, pd.MultiIndex):
        levels = [_neutral_labels(level) for level in index.levels]
        changed = any(new is not old for new, old in zip(levels, index.levels, strict=True))
        return index.set_levels(levels) if changed else index
    values = _neutral_objects(np.asarray(index, dtype=object))
    if values is None:
        return index
    return pd.Index(values, name=index.name, dtype=index.dtype if _is_text_dtype(index.dtype) else object)


def json_ready(value):
    """``value`` as plain JSON types: numpy scalars as Python numbers, NaN and infinities as None.

    ``json.dumps`` writes a missing float as the bare ``NaN`` that strict JSON parsers refuse;
    ``--json`` output goes through this first.

    Parameters
    ----------
    value : object
        Nested dicts, lists and tuples of numbers, strings, None and numpy scalars.

    Returns
    -------
    object
        The same structure with only JSON types.

    Examples
    --------
    >>> json_ready({"error": float("nan"), "n": np.int64(3), "xs": (1.5, float("inf")), "name": "NaN"})
    {'error': None, 'n': 3, 'xs': [1.5, None], 'name': 'NaN'}
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_csv(frame: pd.DataFrame, handle, *, header: bool = True, date_format: str | None = None) -> None:
    r"""Write the rows of ``frame`` (not its index) to an open text file as tierkit CSV.

    Text is passed through :func:`neutralise_formulas`; rows end in ``\n``; and every field
    holding a line break, ``\r`` included, is quoted, whatever the Python version. (Python's
    csv module before 3.13 leaves a lone ``\r`` unquoted when rows end in ``\n``, which
    splits the row in every reader and can start a new cell with a formula.)

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write.
    handle : file object
        Open for writing text with ``newline=""``.
    header : bool, default True
        Write the column names first.
    date_format : str, optional
        ``strftime`` format for dates, e.g. ``"%Y-%m-%d"``.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> buffer = io.StringIO()
    >>> write_csv(pd.DataFrame({"id": ["@x", "a\rb"], "n": [-1, 2]}), buffer)
    >>> buffer.getvalue()
    'id,n\n\'@x,-1\n"a\rb",2\n'
    """
    safe = neutralise_formulas(frame)
    if not _holds_carriage_return(safe):  # the csv module quotes "\n" itself: write straight through
        safe.to_csv(handle, index=False, header=header, lineterminator="\n", date_format=date_format)
        return
    # "\r\n" row ends make the csv module quote fields holding "\r" or "\n"; _RowEnds then
    # writes each row (one write call per row) with "\n" instead.
    safe.to_csv(_RowEnds(handle), index=False, header=header, lineterminator="\r\n", date_format=date_format)


def _holds_carriage_return(frame: pd.DataFrame) -> bool:
    r"""Whether any text cell or column name holds a ``\r`` (the one character the fast path mishandles)."""
    if any("\r" in str(c) for c in frame.columns):
        return True
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype) or isinstance(
                column.dtype, pd.CategoricalDtype):
            if column.astype("string").str.contains("\r", regex=False).any():
                return True
    return False


class _RowEnds:
    r"""A text file that writes each CSV row's ``\r\n`` end as ``\n``."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, text: str) -> int:
        if text.endswith("\r\n"):
            text = text[:-2] + "\n"
        return self._handle.write(text)

    def __iter__(self):
        # pandas takes an object as a file only if it has write and __iter__.
        return iter(())


def check_folder_writable(path, label: str = "") -> Path:
    """Refuse, in one line, an output ``path`` whose folder cannot take a new file.

    Checks, in order: the folder exists, it is a folder, the user may write in it
    (:func:`os.access`), and a file can really be created there (which also catches a
    read-only file system and the cases where root's permission bypass does not help, such
    as ``/proc``). The probe file is removed at once.

    Parameters
    ----------
    path : str or os.PathLike
        The output file about to be written.
    label : str, optional
        Put before the path in the message, e.g. ``"--out "``.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TierkitError
        ``<label><path>: folder '<folder>' ...`` saying what is wrong.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> check_folder_writable(os.path.join(folder, "out.csv")).name
    'out.csv'
    >>> check_folder_writable(os.path.join(folder, "missing", "out.csv"))
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: ...: folder '...missing' does not exist
    """
    path = Path(path)
    folder = path.parent
    where = {"path": f"{label}{path}", "folder": repr(str(folder))}
    if not folder.exists():
        raise TierkitError("folder_missing", **where)
    if not folder.is_dir():
        raise TierkitError("folder_not_folder", **where)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TierkitError("folder_not_writable", detail="", **where)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise TierkitError("folder_not_writable", detail=Message("in_parentheses", text=os_error_cause(exc)),
                           **where) from None
    os.close(fd)
    os.unlink(probe)
    return path


def check_table_path(path) -> Path:
    """A writable output path with a supported extension, else a one-line error.

    Parameters
    ----------
    path : str or os.PathLike
        Where a table is to be written: ``.csv``, ``.parquet`` or ``.xlsx``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TierkitError
        For another extension, a folder at ``path``, or a folder that is missing, is not a
        folder, or cannot take a new file (see :func:`check_folder_writable`).
    """
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise TierkitError("output_type", path=path, suffix=repr(path.suffix))
    if path.is_dir():
        raise TierkitError("output_folder", path=path)
    return check_folder_writable(path)


def check_output_not_input(out, inputs) -> Path:
    """Refuse an output path that is one of the input files, before anything is read.

    Writing the result over an input destroys the data it came from. The paths are compared
    as the files they name: through symbolic links, ``..`` and (when both exist) hard links.
    (:func:`refuse_overwriting_inputs` with one unnamed output and unnamed inputs.)

    Parameters
    ----------
    out : str or os.PathLike
        The output path.
    inputs : iterable of str, os.PathLike or None
        The input paths; ``None`` entries are skipped.

    Returns
    -------
    pathlib.Path
        ``out`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TierkitError
        ``<out>: is also an input file (<input>); choose another output path``.

    Examples
    --------
    >>> check_output_not_input("scores.csv", ["transactions.csv"]).name
    'scores.csv'
    >>> check_output_not_input("data/../tx.csv", ["tx.csv", None])
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: data/../tx.csv: is also an input file (tx.csv); choose another output path
    """
    refuse_overwriting_inputs([("", out)], [("", source) for source in inputs])
    return Path(out)


def refuse_overwriting_inputs(outputs, inputs) -> None:
    """Refuse, in one line and before anything is read or written, an output that is an input.

    Every path a command writes (``--out``, ``--rejects``, ``--save-model``, ``--plots``, a
    config's ``data.rejects`` ...) is compared with every path it reads (the transactions, the
    survey, the ``--model`` folder, the config file ...) as the files they name: through
    symbolic links and ``..`` (:func:`os.path.realpath`) and, when both exist, hard links
    (:func:`os.path.samefile`). An output is refused when it *is* an input, or lies inside an
    input that is a folder (a file written into a ``--model`` folder replaces part of the
    model). An output folder that merely holds an input file is fine. An input that is a glob
    pattern (``parts/*.csv``) stands for each file it matches. URIs (``hdfs://``,
    ``models:/`` ...) are not local files and are skipped, as are ``None`` entries.

    Parameters
    ----------
    outputs : mapping or iterable of (name, path)
        What the command writes, each with the option or key that names it (``"--rejects"``).
    inputs : mapping or iterable of (name, path)
        What the command reads, each with its argument, option or key (``"TRANSACTIONS"``).

    Raises
    ------
    TierkitError
        ``<name> <output>: is also an input file (<name> <input>); choose another output path``.

    Examples
    --------
    >>> refuse_overwriting_inputs({"--out": "scores.csv", "--rejects": None}, {"TRANSACTIONS": "tx.csv"})
    >>> refuse_overwriting_inputs({"--rejects": "data/../tx.csv"}, {"TRANSACTIONS": "tx.csv"})
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: --rejects data/../tx.csv: is also an input file (TRANSACTIONS tx.csv); choose \
another output path
    """
    sources = []
    for name, source in _named_paths(inputs):
        sources.append((name, source))
        if is_pattern(source):
            sources += [(name, match) for match in matching_files(source)]
    for option, out in _named_paths(outputs):
        for name, source in sources:
            if _same_file(Path(out), Path(source)) or _inside_folder(Path(out), Path(source)):
                raise TierkitError("output_is_input", path=_labelled(option, out), source=_labelled(name, source))


def _named_paths(paths):
    """(name, path) pairs of a mapping or of pairs, without ``None`` paths and URIs."""
    pairs = paths.items() if hasattr(paths, "items") else paths
    return [(name, os.fspath(path)) for name, path in pairs
            if path is not None and not _is_uri(os.fspath(path))]


def _is_uri(path: str) -> bool:
    return "://" in path or path.startswith(("models:/", "runs:/"))


def _labelled(name: str, path) -> str:
    return f"{name} {path}" if name else str(path)


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _inside_folder(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies inside ``folder``, an existing folder (links and ``..`` resolved)."""
    with contextlib.suppress(OSError):
        if folder.is_dir():
            return Path(os.path.realpath(folder)) in Path(os.path.realpath(path)).parents
    return False


class WriteError(TierkitError):
    """An output that could not be written (full disk, no permission, read-only file system ...).

    The message is one line naming the cause and the file: ``no space left on device writing
    out.csv``. Nothing is left at the path, and a file already there is kept as it was.

    Parameters
    ----------
    key_or_text : str
        A key of :data:`tierkit.messages.MESSAGES` (``"write_failed"``).
    where : str, optional
        Put before the message.
    **values
        The values of the key's placeholders (``cause``, ``path``).
    """


#: Error numbers whose meaning the catalogue says in each language (the English is the system's text).
OS_ERRORS = {errno.ENOSPC: "os_no_space", errno.EDQUOT: "os_quota", errno.EACCES: "os_denied",
             errno.EPERM: "os_not_permitted", errno.EROFS: "os_read_only", errno.ENOENT: "os_no_entry",
             errno.EISDIR: "os_is_dir", errno.ENOTDIR: "os_not_dir", errno.ENAMETOOLONG: "os_name_too_long",
             errno.EIO: "os_io", errno.EEXIST: "os_exists"}


def os_error_cause(exc: BaseException) -> Message:
    """What went wrong in an :class:`OSError`, in a few lower-case words (``no space left on device``).

    The cause is taken from the error number; PyArrow's errors carry it only in their text
    (``... Detail: [errno 28] No space left on device``), where it is looked for too. A number of
    :data:`OS_ERRORS` is said by the catalogue in each language; another cause is the system's
    text, which a Chinese line quotes as what the system reported.

    Parameters
    ----------
    exc : BaseException
        The error, usually an :class:`OSError`.

    Returns
    -------
    tierkit.messages.Message
        A ``str`` of its English; ``.render("zh")`` says it in Chinese.

    Examples
    --------
    >>> import errno
    >>> cause = os_error_cause(OSError(errno.ENOSPC, "No space left on device"))
    >>> cause, cause.render("zh")
    ('no space left on device', '设备上没有剩余空间')
    >>> os_error_cause(OSError("Error writing bytes to file. Detail: [errno 28] No space left on device"))
    'no space left on device'
    >>> os_error_cause(OSError("Disk quota exceeded"))
    'disk quota exceeded'
    """
    number = getattr(exc, "errno", None)
    if not isinstance(number, int):
        found = re.search(r"\[errno (\d+)\]", str(exc), flags=re.IGNORECASE)
        number = int(found.group(1)) if found else None
    if number in OS_ERRORS:
        return Message(OS_ERRORS[number])
    if isinstance(number, int) and number > 0:
        text = os.strerror(number)
    else:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return Message("os_error", text=text[:1].lower() + text[1:])


def write_error(exc: BaseException, path) -> WriteError:
    """The one-line :class:`WriteError` for ``exc`` raised while writing ``path``.

    Parameters
    ----------
    exc : BaseException
        The error met while writing (see :func:`os_error_cause`).
    path : str or os.PathLike
        The output being written, as the user named it.

    Returns
    -------
    WriteError
        ``<cause> writing <path>``.

    Examples
    --------
    >>> import errno
    >>> str(write_error(OSError(errno.ENOSPC, "No space left on device"), "out.csv"))
    'no space left on device writing out.csv'
    """
    return WriteError("write_failed", cause=os_error_cause(exc), path=path)


def os_error_behind(exc: BaseException) -> OSError | None:
    """The :class:`OSError` that is ``exc`` or, through ``raise`` with ``from``, caused it; else ``None``.

    Libraries wrap a full disk in their own errors (MLflow's ``MlflowException`` raised from
    a ``shutil.Error``); a tierkit error already says what went wrong and is not looked into.

    Parameters
    ----------
    exc : BaseException
        The error that ended a write.

    Returns
    -------
    OSError or None
        ``None`` also for a ``KeyboardInterrupt`` or a :class:`~tierkit.errors.TierkitError`.

    Examples
    --------
    >>> try:
    ...     try:
    ...         raise OSError(28, "No space left on device")
    ...     except OSError as exc:
    ...         raise RuntimeError("could not copy") from exc
    ... except RuntimeError as exc:
    ...     os_error_behind(exc).errno
    28
    >>> os_error_behind(KeyError("x")) is None
    True
    """
    seen = set()
    while exc is not None and id(exc) not in seen and isinstance(exc, Exception):
        if isinstance(exc, TierkitError):
            return None
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__
    return None


#: Temporary outputs are named ``.<name>.<pid>@<host>.<random><suffix>.tmp``: the process
#: (and machine) writing them, so the next write of the same output can tell a file being
#: written from one left by a killed process (:func:`remove_stale_temporaries`).
TEMP_SUFFIX = ".tmp"


def _host_tag() -> str:
    """The machine's name as it goes into a temporary file's name: at most 32 letters, digits and ``-``."""
    import hashlib
    import socket

    name = socket.gethostname()
    tag = re.sub(r"[^A-Za-z0-9-]", "-", name)
    if len(tag) > 32:  # long names (containers, pods) differ at the end: keep a digest of all of it
        tag = f"{tag[:23]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return tag


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}@{_host_tag()}."


def _temp_pattern(path: Path, suffix: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(path.name)}\.(\d+)@([A-Za-z0-9-]*)\.[A-Za-z0-9_]+{re.escape(suffix)}\Z")


def _process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (``False`` when unsure)."""
    if os.name != "posix" or pid == os.getpid() or pid <= 0:
        return False  # on Windows os.kill(pid, 0) would end the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def remove_stale_temporaries(path, suffix: str | None = None) -> list[Path]:
    """Remove the temporary files (or folders) of output ``path`` whose writer no longer runs.

    A write killed outright (``SIGKILL``, a power cut) cannot remove its temporary file;
    :func:`atomic_path` and :func:`atomic_folder` call this before they write the same output
    again. Only entries named like the temporaries of ``path`` that were made on this machine
    by a process that has ended are removed; those of running writers, of other machines
    sharing the folder, and every other file are left alone. Failures to remove are ignored.

    Parameters
    ----------
    path : str or os.PathLike
        The output (file or folder) about to be written.
    suffix : str, optional
        How its temporaries end; default the output's extension and ``.tmp``.

    Returns
    -------
    list of pathlib.Path
        What was removed.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> out = os.path.join(folder, "out.csv")
    >>> gone = 2 ** 22 + 1  # above Linux's largest process id: no such process
    >>> stale = os.path.join(folder, f".out.csv.{gone}@{_host_tag()}.abcd1234.csv.tmp")
    >>> _ = open(stale, "w").write("half")
    >>> [p.name for p in remove_stale_temporaries(out)] == [os.path.basename(stale)]
    True
    """
    path = Path(path)
    suffix = path.suffix + TEMP_SUFFIX if suffix is None else suffix
    pattern = _temp_pattern(path, suffix)
    host = _host_tag()
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.match(entry.name)
        if not found or found.group(2) != host or not _process_is_gone(int(found.group(1))):
            continue
        stale = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(stale)
            else:
                stale.unlink()
        except OSError:
            continue
        removed.append(stale)
    return removed


def _file_mode() -> int:
    """The mode a plain ``open()`` gives a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; rename it onto ``path`` on success.

    Leaving the block by any exception, ``KeyboardInterrupt`` included, removes the temporary
    file and leaves a file already at ``path`` as it was. An :class:`OSError` (a full disk, no
    permission ...) while the temporary file is made, written or renamed, or an error a library
    raised from one (:func:`os_error_behind`), becomes a one-line :class:`WriteError` naming
    ``path``. Temporary files of this output left by killed
    processes are removed first (:func:`remove_stale_temporaries`).

    Parameters
    ----------
    path : str or Path
        The file to write.

    Yields
    ------
    Path
        The temporary file to write instead (``.<name>.<pid>@<host>.<random><suffix>.tmp``).

    Raises
    ------
    WriteError
        ``<cause> writing <path>``, e.g. ``no space left on device writing out.csv``.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = open(tmp, "w").write("done")
    >>> open(target).read()
    'done'
    """
    path = Path(path)
    remove_stale_temporaries(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=path.suffix + TEMP_SUFFIX, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise write_error(exc, path) from exc
    try:
        yield Path(tmp)
        # mkstemp creates the file 0600; give the output the mode a plain open() would.
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        cause = os_error_behind(exc)
        if cause is not None:
            raise write_error(cause, path) from exc
        raise


@contextlib.contextmanager
def atomic_folder(path):
    """Yield a path to build a folder at; move the finished folder to ``path`` on success.

    The folder is built inside a temporary folder beside ``path``
    (``.<name>.<pid>@<host>.<random>.tmp``) and renamed onto ``path`` at the end, so ``path``
    appears complete or not at all. Leaving the block by any exception removes the temporary
    folder; an :class:`OSError`, or an error raised from one, becomes a one-line
    :class:`WriteError`. Temporary folders of
    this output left by killed processes are removed first.

    Parameters
    ----------
    path : str or os.PathLike
        The folder to create; it must not exist.

    Yields
    ------
    Path
        Where to create the folder (it does not exist yet; its name is ``path``'s).

    Raises
    ------
    TierkitError
        ``path`` already exists.
    WriteError
        ``<cause> writing <path>``.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "model")
    >>> with atomic_folder(target) as build:
    ...     os.mkdir(build)
    ...     _ = open(os.path.join(build, "MLmodel"), "w").write("ok")
    >>> os.listdir(target)
    ['MLmodel']
    """
    path = Path(path)
    if path.exists():
        raise TierkitError("already_exists", path=path)
    remove_stale_temporaries(path, TEMP_SUFFIX)
    try:
        holder = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent))
    except OSError as exc:
        raise write_error(exc, path) from exc
    try:
        yield holder / path.name
        if path.exists() or path.is_symlink():
            raise TierkitError("already_exists_now", path=path)
        os.rename(holder / path.name, path)
    except BaseException as exc:
        shutil.rmtree(holder, ignore_errors=True)
        cause = os_error_behind(exc)
        if cause is not None:
            raise write_error(cause, path) from exc
        raise
    with contextlib.suppress(OSError):
        holder.rmdir()


def check_currency(value, name: str = "currency") -> str | None:
    """The currency of the money figures, checked: letters and currency signs, at most :data:`CURRENCY_MAX`.

    ``None`` (no currency) passes. Letters are any script's (``USD``, ``元``); a currency sign is any
    character of Unicode's currency-symbol category (``$``, ``¥``, ``€``), plus ``.`` (``kr.``).
    Digits, spaces, quotes and formula characters are refused, so the currency is safe in a header
    and in an Excel number format.

    Parameters
    ----------
    value : str or None
        The currency as the user gave it.
    name : str, default="currency"
        How the user spelled the setting, for the message (``"--currency"``).

    Returns
    -------
    str or None
        The currency as given, or None.

    Raises
    ------
    TierkitError
        One line naming ``name`` and the value.

    Examples
    --------
    >>> check_currency("USD"), check_currency("HK$"), check_currency(None)
    ('USD', 'HK$', None)
    >>> check_currency("US dollars")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: currency: 'US dollars' is not a currency; expected a code or sign of 1 to 5 ...
    """
    import unicodedata

    if value is None:
        return None
    text = str(value)
    if not 1 <= len(text) <= CURRENCY_MAX or not all(
            ch.isalpha() or ch == "." or unicodedata.category(ch) == "Sc" for ch in text):
        raise TierkitError("not_a_currency", where=name, value=repr(text), n=CURRENCY_MAX)
    return text


def money_headers(columns, currency: str | None, names: dict | None = None) -> dict:
    """Column -> its header with the currency, for the money columns among ``columns``.

    The money columns are :data:`tierkit.output_excel.MONEY_COLUMNS` (``monetary``, ``clv`` ...);
    a header is the column's key, or its label from ``names``, followed by `` (currency)``.
    Empty without a currency, so the headers stay as they are.

    Parameters
    ----------
    columns : iterable of str
        The table's column keys.
    currency : str or None
        The currency (:func:`check_currency`).
    names : dict, optional
        Column key -> the header it is written under (labels), default the key.

    Returns
    -------
    dict
        Money column -> its header with the currency.

    Examples
    --------
    >>> money_headers(["customer_id", "monetary", "clv"], "USD")
    {'monetary': 'monetary (USD)', 'clv': 'clv (USD)'}
    >>> money_headers(["monetary"], "¥", {"monetary": "消费金额 (M)"}), money_headers(["monetary"], None)
    ({'monetary': '消费金额 (M) (¥)'}, {})
    """
    from tierkit.output_excel import MONEY_COLUMNS

    if not currency:
        return {}
    names = names or {}
    return {c: f"{names.get(c, c)} ({currency})" for c in columns if c in MONEY_COLUMNS}


def write_table(table: pd.DataFrame, path, *, lang: str = "en", headers: str = "keys",
                currency: str | None = None, sheets: dict | None = None) -> Path:
    r"""Write ``table`` (index as a column) to CSV, Parquet or Excel by extension, atomically.

    CSV output is byte-for-byte deterministic: fixed column order, full precision floats,
    ISO dates, ``\n`` line ends (see :func:`write_csv`). In CSV and Excel output, text that a spreadsheet would run as
    a formula gets a leading ``'`` (:func:`neutralise_formulas`), and Excel cells are always
    values, never formulas; Parquet keeps the text as it is. An .xlsx file is laid out for
    people (:func:`tierkit.output_excel.write_workbook`): sheet ``customers`` (``客户``) and the
    further ``sheets`` given (a graded table's summary-and-strategy sheet per tier scheme,
    :func:`tierkit.evaluation.summary.summary_sheets`, which the grading workflow and
    ``tierkit segment`` pass), frozen header, filters, fitted widths and number formats; CSV and
    Parquet keep full precision.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; a named index is written as the first column(s).
    path : str or os.PathLike
        ``.csv``, ``.parquet`` or ``.xlsx`` file (see :func:`check_table_path`).
    lang : {"en", "zh"}, default="en"
        Language of the header labels (with ``headers="labels"``) and of the Excel sheet
        names, tier labels and strategies.
    headers : {"keys", "labels"}, default="keys"
        ``keys``: the stable column names (``recency``, ``abc_tier`` ...), what programs and
        ``tierkit migrate`` read back; ``labels``: the headers of
        :data:`tierkit.words.HEADERS` in ``lang`` (``客户编号``, ``ABC等级`` ...).
    currency : str, optional
        The money figures' currency (:func:`check_currency`); default ``table.attrs["currency"]``,
        else none. With one, the money columns (:data:`tierkit.output_excel.MONEY_COLUMNS`) of
        CSV and Excel carry it in their header (``monetary (USD)``, :func:`money_headers`) and
        Excel shows it in their number format; Parquet keeps the keys (and the currency in its
        metadata, as ``attrs``). Without one, nothing changes.
    sheets : dict, optional
        Further sheets of an .xlsx file, name -> table, after ``customers``
        (:func:`tierkit.evaluation.summary.summary_sheets` for a graded table). A CSV or
        Parquet file holds the one table: there they are not written.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, os
    >>> import pandas as pd
    >>> out = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = write_table(pd.DataFrame({"id": ["=1+2"], "amount": [-3.5]}), out)
    >>> print(open(out).read(), end="")
    id,amount
    '=1+2,-3.5
    """
    from tierkit.words import HEADER_STYLES, check_lang, header_labels

    check_lang(lang)
    if headers not in HEADER_STYLES:
        raise TierkitError("not_supported", param=Param("headers"), value=repr(headers),
                           choices=", ".join(HEADER_STYLES))
    currency = check_currency(currency if currency is not None else table.attrs.get("currency"))
    path = check_table_path(path)
    frame = table.reset_index() if table.index.name is not None else table
    names = header_labels(frame.columns, lang) if headers == "labels" else {}
    suffix = path.suffix.lower()
    with timed(f"wrote {path.name}"), atomic_path(path) as tmp:
        if suffix == ".csv":
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                names = {**names, **money_headers(frame.columns, currency, names)}
                write_csv(frame.rename(columns=names), handle, date_format="%Y-%m-%d")
        elif suffix == ".parquet":
            frame.rename(columns=names).to_parquet(tmp, index=False)
        else:
            from tierkit.output_excel import write_workbook

            write_workbook(frame, tmp, lang=lang, headers=headers, currency=currency, sheets=sheets)
    return path
