"""Where transactions are and how their bytes are laid out: type, compression, encoding, separator, header.

:func:`describe_file` looks at a path once and returns a :class:`TransactionFile` that both
engines read in the same way. Everything that is decided from the file's first bytes (the
separator when none is given) is decided here, in Python, once; the engines are told the
decision.

* ``.csv``, ``.tsv``, ``.txt`` (each also ``.gz``): text. The separator is ``sep`` or sniffed
  from the first 64 KiB: one of ``, ; tab |``, or runs of blanks (``sep="whitespace"``, as in
  the raw CDNOW files); a file where no separator fits is refused. A line whose number of
  fields differs from the header's is refused naming that line, whether it is in the sniffed
  part (here) or further on (the engine stops there, and the reader names the line).
* ``.parquet`` / ``.pq``.
* ``.xlsx`` / ``.xlsm``: one sheet (``sheet``), read with openpyxl.
* A folder, or a glob pattern (``parts/*.parquet``, ``data/2024-*.csv``), of **parts**: the
  Parquet files, or the text files, it holds (a folder's at any depth, other files ignored;
  a folder the pattern matches gives its files), in sorted order, read as one source. The
  parts are of one kind (Parquet and text parts together are refused). Text parts share the
  first part's header and separator (sniffed from the first part); a part whose header
  differs, or an empty part, is refused naming it, and a bad row is named by its part and
  line (``sales/part-2.csv line 14``).

Text is UTF-8 by default, with or without a byte-order mark; ``encoding`` names another (the
file, or each text part, is then re-encoded to UTF-8 in a temporary folder before the engines
read it).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tierkit.errors import DataError, Message, Param
from tierkit.paths import is_pattern, matching_files

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Separators the sniffer considers, besides runs of blanks.
SEPARATORS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
_SNIFF_BYTES = 64 * 1024
#: Records of the sniffed part that the separator is judged on.
_SNIFF_RECORDS = 200
#: Characters that make a name that does not exist a glob pattern.


@dataclass(frozen=True)
class TransactionFile:
    """A transaction source as the engines read it.

    Parameters
    ----------
    path : pathlib.Path
        What the user named (for messages).
    kind : {"csv", "parquet", "xlsx"}
    files : tuple of str
        The files to read (UTF-8 copies when re-encoded): one, or the parts of a folder or glob.
    sep : str or None
        Field separator of a text file, or ``"whitespace"``.
    header : bool
        The first line of a text file names the columns; otherwise columns are named
        ``"1"``, ``"2"`` ... by position.
    header_names : tuple of str
        Column names of a whitespace-separated file (from its first line, or by position).
    written_names : tuple of str
        The header of a text file as written (repeated names included), for the check of
        duplicated columns; empty without a header.
    sheet : str or int
        Sheet of a workbook.
    remote : bool
        A URI only Spark can read (``hdfs://``, ``s3a://`` ...).
    parts : tuple of str
        The parts of a folder or glob as the user would name them (``sales/part-2.csv``),
        in the order of ``files``; empty for a single file or a URI. Text parts are read one
        by one, so that a row is located by its part and line.
    """

    path: Path
    kind: str
    files: tuple
    sep: str | None = None
    header: bool = True
    header_names: tuple = field(default=())
    written_names: tuple = field(default=())
    sheet: str | int = 0
    remote: bool = False
    parts: tuple = field(default=())


def _text_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _open_text(path: Path, encoding: str):
    raw = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def check_encoding(encoding: str | None) -> str:
    """Python's name of ``encoding`` (default UTF-8 with or without BOM); one-line error if unknown.

    Examples
    --------
    >>> check_encoding(None), check_encoding("GBK")
    ('utf-8-sig', 'gbk')
    """
    if encoding is None or encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        return "utf-8-sig"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise DataError("unknown_encoding", param=Param("encoding"), encoding=repr(encoding)) from None


def _head(path: Path, encoding: str) -> str:
    try:
        with _open_text(path, encoding) as handle:
            return handle.read(_SNIFF_BYTES)
    except UnicodeDecodeError as exc:
        raise DataError("bad_encoding", path=path, byte=exc.start, encoding=encoding,
                        option=Param("encoding")) from None
    except (OSError, EOFError) as exc:
        raise DataError("unreadable", path=path, reason=exc) from None


def _records(head: str, sep: str) -> list | None:
    """``(line, fields, trailing)`` of the first non-blank records of ``head`` split on ``sep``; None if it cannot.

    ``line`` is the 1-based physical line a record starts on (a quoted value may span lines),
    ``trailing`` whether its last field is empty (a trailing separator, which the engines read
    as no field). With ``sep=WHITESPACE`` a record is a line split on runs of blanks. The last
    record is left out when ``head`` is a cut-off part of the file.
    """
    text = head.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    if sep == WHITESPACE:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                out.append((number, len(line.split()), False))
            if len(out) > _SNIFF_RECORDS:
                break
    else:
        reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=sep)
        previous = 0
        try:
            for record in reader:
                if any(value.strip() for value in record) or len(record) > 1:
                    out.append((previous + 1, len(record), record[-1] == ""))
                previous = reader.line_num
                if len(out) > _SNIFF_RECORDS:
                    break
        except csv.Error:
            return None
    if len(head) >= _SNIFF_BYTES and len(out) > 1 and len(out) <= _SNIFF_RECORDS:
        out = out[:-1]  # the last line may be cut off
    return out[:_SNIFF_RECORDS]


def _separator_name(sep: str) -> str:
    return Message("blanks") if sep == WHITESPACE else Message("tab") if sep == "\t" else repr(sep)


def _fields(n: int) -> Message:
    return Message("one_field" if n == 1 else "fields", n=n)


def width_error(path, sep: str, line: int, fields: int, expected: int, header: bool = True,
                text: str | None = None, reference: int | None = None) -> DataError:
    """The one-line refusal of a line whose number of fields is not the header's (or line ``reference``'s)."""
    where = Message("line", n=reference if reference else 1) if reference or not header else Message("the_header")
    shown = Message("quoted", text=repr(text[:60])) if text is not None else ""
    return DataError("width", path=path, line=Message("line", n=line), fields=_fields(fields), other=where,
                     expected=expected, separator=_separator_name(sep), shown=shown, option=Param("sep"))


def check_widths(head: str, sep: str, path, header: bool = True) -> None:
    r"""Refuse, naming the line, a text file whose first lines do not all have the header's number of fields.

    Data lines may all end with a trailing separator (read as no field), but not only some of
    them: the engines read the one form or the other.

    Examples
    --------
    >>> check_widths("a,b,c\n1,2\n", ",", "t.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: t.csv: line 2 has 2 fields where the header has 3 (separator ','); every line ...
    >>> check_widths("a,b,c\n1,2,3,\n4,5,6,\n", ",", "t.csv")
    """
    records = _records(head, sep)
    if not records or len(records) < 2:
        return
    width = records[0][1]
    first_line, first_fields, first_trailing = records[1]
    trailing_form = first_trailing and first_fields == width + 1
    for line, fields, trailing in records[1:]:
        if trailing_form and not (trailing and fields == width + 1):
            raise width_error(path, sep, line, fields, width + 1, header, reference=first_line)
        if not trailing_form and fields != width:
            raise width_error(path, sep, line, fields, width, header)


def _alike(fields: int, trailing: bool, expected: int) -> bool:
    """A record has the header's width, or one more from a trailing separator (read as no field)."""
    return fields == expected or (trailing and fields == expected + 1)


def sniff_separator(head: str, path, header: bool = True) -> str:
    r"""The field separator of a text file from its first lines; one-line refusal when none fits.

    A separator fits when every sampled line splits into the same number (at least 2) of fields.
    When none fits but one splits most lines like the first, the first line that differs is
    named (a short or long line), rather than the separator called unknown; lines that differ
    only by a trailing separator are read (as the engines read them).

    Examples
    --------
    >>> sniff_separator("id;date;amount\n1;2021-04-01;3,5\n", "t.csv")
    ';'
    >>> sniff_separator(" 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n", "t.txt")
    'whitespace'
    >>> sniff_separator("id,date,amount\n1,2021-04-01,3\n2,2021-04-02\n3,2021-04-03,1\n", "t.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: t.csv: line 3 has 2 fields where the header has 3 (separator ','); every line ...
    """
    if not head.strip():
        raise DataError("empty_file", path=path)
    records = {sep: _records(head, sep) for sep in SEPARATORS + (WHITESPACE,)}
    fits = []
    for sep in SEPARATORS:
        widths = {fields for _, fields, _ in records[sep] or [(0, 0, False)]}
        if len(widths) == 1 and (width := widths.pop()) >= 2:
            fits.append((width, sep))
    if len(fits) == 1 or (fits and sorted(fits)[-1][0] > sorted(fits)[-2][0]):
        return max(fits)[1]
    if fits:
        shown = " and ".join(repr(sep) for _, sep in fits)
        raise DataError("two_separators", path=path, shown=shown, option=Param("sep"))
    widths = {fields for _, fields, _ in records[WHITESPACE]}
    if len(widths) == 1 and widths.pop() >= 2:
        return WHITESPACE
    # No separator splits every line alike: one that splits most lines like the first names the odd line.
    near = []
    for order, sep in enumerate(SEPARATORS + (WHITESPACE,)):
        found = records[sep]
        if not found or len(found) < 2 or found[0][1] < 2:
            continue
        alike = sum(_alike(fields, trailing, found[0][1]) for _, fields, trailing in found)
        if alike * 2 > len(found):
            near.append((alike, found[0][1], -order, sep))
    if near:
        sep = max(near)[3]
        check_widths(head, sep, path, header)  # names the odd line
        return sep  # every line alike but for trailing separators
    raise DataError("no_separator", path=path, option=Param("sep"))


def _whitespace_names(head: str, header: bool) -> tuple:
    first = next(line for line in head.splitlines() if line.strip())
    fields = first.split()
    return tuple(fields) if header else tuple(str(i + 1) for i in range(len(fields)))


def transcode(path: Path, encoding: str, folder: Path) -> Path:
    """A UTF-8 copy of the text file ``path`` in a new folder inside ``folder`` (streamed, any size)."""
    import tempfile

    # A folder of its own: ``folder`` may be the one that holds ``path``.
    target = Path(tempfile.mkdtemp(prefix="utf8-", dir=folder)) / (
        path.name[:-3] if path.suffix.lower() == ".gz" else path.name)
    try:
        with _open_text(path, encoding) as source, open(target, "w", encoding="utf-8", newline="") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    except UnicodeDecodeError as exc:
        raise DataError("bad_encoding_file", path=path, byte=exc.start, encoding=encoding,
                        option=Param("encoding")) from None
    return target


def require_source(path) -> list | None:
    """Refuse a local path that names nothing: the files of a glob pattern, else None for a path that exists.

    A URI is left to the engine that reads it. :func:`describe_file` and the Spark engine (before it
    starts a session) check a path with it.

    Examples
    --------
    >>> require_source("no/such.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: no/such.csv: no such file or folder
    """
    text = str(path)
    if "://" in text:
        return None
    if is_pattern(text):
        files = matching_files(text)
        if not files:
            raise DataError("no_match", path=Path(text))
        return files
    if not Path(text).exists():
        raise DataError("no_file_or_folder", path=Path(text))
    return None


def describe_file(path, *, sep: str | None = None, encoding: str | None = None, header: bool = True,
                  sheet: str | int = 0, scratch: Path | None = None) -> TransactionFile:
    r"""Look at ``path`` once: what it is and how to read it; one-line error for what cannot be read.

    Every engine and every command (training and scoring) reads through this one description,
    so they take the same sources and refuse the same ones.

    Parameters
    ----------
    path : str or Path
        A file; a folder of Parquet or text parts; a glob pattern of them (``parts/*.parquet``,
        ``data/2024-*.csv``); or (Spark only) a URI. See the module docs for parts.
    sep : str, optional
        Field separator of a text file; ``"whitespace"`` for runs of blanks; sniffed when None
        (from the first part of a folder or glob, and then used for every part).
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when None.
    header : bool, default=True
        Whether a text file's first line names the columns.
    sheet : str or int, default=0
        Sheet of a workbook.
    scratch : Path, optional
        Folder for re-encoded copies (needed for an encoding other than UTF-8).

    Returns
    -------
    TransactionFile

    Examples
    --------
    >>> describe_file("no/such.csv")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: no/such.csv: no such file or folder
    >>> import tempfile, os
    >>> sales = os.path.join(tempfile.mkdtemp(), "sales")
    >>> os.mkdir(sales)
    >>> for name, rows in (("part-1.csv", "1,2021-03-01,5"), ("part-2.csv", "2,2021-03-02,7")):
    ...     _ = open(os.path.join(sales, name), "w").write("customer_id,date,amount\n" + rows + "\n")
    >>> source = describe_file(sales)
    >>> source.kind, source.sep, [os.path.basename(p) for p in source.parts]
    ('csv', ',', ['part-1.csv', 'part-2.csv'])
    >>> describe_file(os.path.join(sales, "*.parquet"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: .../sales/*.parquet: no file matches this pattern
    """
    text = str(path)
    if "://" in text:
        suffix = _text_suffix(Path(text.rstrip("/")))
        kind = "csv" if suffix in TEXT_SUFFIXES else "parquet"
        default = "\t" if suffix == ".tsv" else ","
        return TransactionFile(Path(text), kind, (text,), sep=(sep or default) if kind == "csv" else None,
                               header=header, remote=True)
    path = Path(path)
    layout = dict(sep=sep, encoding=encoding, header=header, scratch=scratch)
    files = require_source(text)
    if files is not None:
        return _describe_parts(path, files, pattern=True, **layout)
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file())
        return _describe_parts(path, files, pattern=False, **layout)
    suffix = _text_suffix(path)
    _refuse_empty(path)
    if suffix in PARQUET_SUFFIXES:
        return TransactionFile(path, "parquet", (str(path),))
    if suffix in EXCEL_SUFFIXES:
        return TransactionFile(path, "xlsx", (str(path),), header=header, sheet=sheet)
    if suffix not in TEXT_SUFFIXES:
        raise DataError("input_type", path=path, suffix=repr(suffix or path.suffix))
    python_encoding = check_encoding(encoding)
    head = _text_head(path, python_encoding)
    sep = _decided_sep(path, head, sep, header)
    names = _whitespace_names(head, header) if sep == WHITESPACE else ()
    return TransactionFile(path, "csv", (_utf8_copy(path, python_encoding, encoding, scratch),), sep=sep,
                           header=header, header_names=names, written_names=_written_names(head, sep, header))


def _refuse_empty(path: Path) -> None:
    if path.stat().st_size == 0:
        raise DataError("empty_file", path=path)


def _text_head(path: Path, python_encoding: str) -> str:
    """The first 64 KiB of a text file as text; an empty (or blank) file is refused."""
    head = _head(path, python_encoding)
    if not head.strip():
        raise DataError("empty_file", path=path)
    return head


def _decided_sep(path: Path, head: str, sep: str | None, header: bool) -> str:
    """The separator of a text file (given, or sniffed from ``head``), its first lines checked against it."""
    if sep is None:
        sep = "\t" if _text_suffix(path) == ".tsv" and "\t" in head else sniff_separator(head, path, header)
    elif sep.lower() == WHITESPACE:
        sep = WHITESPACE
    elif len(sep) != 1:
        raise DataError("bad_sep", param=Param("sep"), sep=repr(sep))
    if sep != WHITESPACE:
        check_widths(head, sep, path, header)
    return sep


def _utf8_copy(path: Path, python_encoding: str, encoding: str | None, scratch: Path | None) -> str:
    """``path`` itself when it is UTF-8, else its re-encoded copy in ``scratch``."""
    if python_encoding == "utf-8-sig":
        return str(path)
    if scratch is None:
        raise DataError("needs_scratch", path=path, encoding=encoding)
    return str(transcode(path, python_encoding, scratch))


def _some(files: list) -> str:
    """A few of ``files`` for a message: the first two, and how many more."""
    shown = ", ".join(files[:2])
    return Message("and_more", shown=shown, n=len(files) - 2) if len(files) > 2 else shown


def _describe_parts(path: Path, files: list, *, pattern: bool, sep, encoding, header, scratch) -> TransactionFile:
    """The :class:`TransactionFile` of a folder's or a glob's ``files``: its Parquet parts or its text parts."""
    parquet = [f for f in files if Path(f).suffix.lower() in PARQUET_SUFFIXES]
    text = [f for f in files if _text_suffix(Path(f)) in TEXT_SUFFIXES]
    if parquet and text:
        one = f"{path}.parquet" if pattern and str(path).endswith("*") else (
            str(path.parent / "*.parquet") if pattern else str(path / "**" / "*.parquet"))
        raise DataError("parts_mixed" if pattern else "parts_mixed_folder", path=path, parquet=_some(parquet),
                        text=_some(text), one=repr(one))
    if not parquet and not text:
        only = Message("only", files=_some(files)) if files else ""
        raise DataError("no_parts" if pattern else "no_parts_folder", path=path, only=only)
    for part in parquet or text:
        _refuse_empty(Path(part))
    if parquet:
        return TransactionFile(path, "parquet", tuple(parquet), parts=tuple(parquet))
    python_encoding = check_encoding(encoding)
    first = text[0]
    head = _text_head(Path(first), python_encoding)
    sep = _decided_sep(Path(first), head, sep, header)
    written = _written_names(head, sep, True)
    for part in text[1:]:
        part_head = _text_head(Path(part), python_encoding)
        if sep != WHITESPACE:
            check_widths(part_head, sep, part, header)
        _check_same_header(part, _written_names(part_head, sep, True), first, written, sep, header)
    names = _whitespace_names(head, header) if sep == WHITESPACE else ()
    copies = tuple(_utf8_copy(Path(part), python_encoding, encoding, scratch) for part in text)
    return TransactionFile(path, "csv", copies, sep=sep, header=header, header_names=names,
                           written_names=_written_names(head, sep, header), parts=tuple(text))


def _check_same_header(part, names: tuple, first, first_names: tuple, sep: str, header: bool) -> None:
    """Refuse, naming the part and the columns that differ, a text part whose first line is not the first part's.

    Without a header only the number of fields of the first line is compared.
    """
    if not header:
        if len(names) != len(first_names):
            raise DataError("part_width", path=part, fields=_fields(len(names)), first=first,
                            expected=len(first_names), separator=_separator_name(sep))
        return
    if names == first_names:
        return
    missing = [n for n in first_names if n not in names]
    extra = [n for n in names if n not in first_names]
    if missing or extra:
        diff = tuple(Message(what, columns=", ".join(map(repr, cols))) for what, cols in
                     (("lacks", missing), ("has_instead", extra)) if cols)
        diff = Message("joined_semicolon", first=diff[0], second=diff[1]) if len(diff) == 2 else diff[0]
    else:
        diff = Message("other_order", columns=", ".join(names))
    raise DataError("part_header", path=part, first=first, diff=diff, separator=_separator_name(sep))


def _written_names(head: str, sep: str, header: bool) -> tuple:
    """The column names of the header line as written (repeats included); empty without a header."""
    if not header:
        return ()
    if sep == WHITESPACE:
        return _whitespace_names(head, True)
    text = head.replace("\r\n", "\n").replace("\r", "\n")
    try:
        for record in csv.reader(io.StringIO(text, newline="\n"), delimiter=sep):
            if record:
                return tuple(record)
    except csv.Error:
        pass
    return ()
