"""Generated transaction tables for the reliability suite, and an independent oracle of what they hold.

A *case* is a small transaction table drawn from a seeded :class:`random.Random` (the seed is
the case's name, so every run and every xdist worker draws the same cases): customer ids
(codes, zero-padded, integers, whole-number floats such as ``12346.0``, unicode, ``NA``,
blanks, empties, control characters), dates (ISO with ``-`` ``/`` ``.``, timestamps, offsets,
``%Y%m%d`` text and integers, day-first, month-first, explicit ``date_format``\\ s, impossible
days such as ``2021-02-30``, garbage, empties), amounts (integers, decimals, exponents,
returns, zeros, values at the 10**12 bound, ``inf`` / ``nan`` text, thousands separators,
empties) or price x quantity, and optional order ids (with empties). It is written as CSV
(``,`` ``;`` ``|`` tab; UTF-8, UTF-8 with BOM, GBK, Latin-1; with or without a header;
``\\r\\n``; blank lines; a trailing separator on every line; gzip), as a workbook with several
sheets, as Parquet (text or typed columns) or given as a pandas frame with an odd index. Some
cases carry one structural fault (a ragged line, a repeated mapped column, a missing column,
a column mixing date formats, day/month dates no value decides, a file in another encoding
than the one read, an empty file, a header alone, a missing sheet, a bad option).

:func:`oracle` says what reading a case must give, from the *generated values* and the rules
the README states, never by reading the case back with tierkit: a refusal (and why), or the
rows left out (line and reason) and the RFM features of the kept rows, computed with plain
pandas / ``decimal`` / ``datetime`` (:func:`oracle_features`).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

#: Every amount, price x quantity and profit must stay below this in magnitude (README).
AMOUNT_BOUND = 10**12
#: The reasons a row is left out, in the order they are tested (README, "Bad rows").
REASONS = ("missing customer", "bad customer", "bad date", "bad amount", "bad price", "bad quantity",
           "missing order")
FEATURES = ["recency", "frequency", "monetary", "tenure", "first_purchase", "last_purchase", "frequency_btyd",
            "recency_btyd", "T", "monetary_btyd"]
INDEX_KINDS = ("range", "gapped", "duplicated", "string", "multi", "shuffled", "named")
SEPARATORS = {",": ",", ";": ";", "|": "|", "\t": "tab"}
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "latin-1")
#: Letters each encoding can write, for ids and headers.
LETTERS = {"utf-8": ["客户", "Kündé", "Ωmega", "😀", "Zoë", "会员"], "gbk": ["客户", "会员", "顾客"],
           "latin-1": ["Kündé", "Zoë", "Ñu", "Ærø"]}
#: Explicit date formats (``--date-format``) the generator writes with ``strftime``.
DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d-%b-%Y", "%m/%d/%y",
                "%Y/%m/%d %I:%M %p")
TIMEZONES = ("Asia/Shanghai", "America/New_York", "UTC")
FAULTS_FILE = ("ragged", "dup_mapped", "missing_column", "mixed_dates", "ambiguous_dates", "wrong_encoding",
               "empty_file", "header_only", "bad_option")
#: Faults refused whatever the rows hold; the others (dates) are judged by the oracle from the values.
STRUCTURAL = ("ragged", "dup_mapped", "missing_column", "wrong_encoding", "empty_file", "header_only", "bad_option",
              "bad_sheet")
FAULTS_FRAME = ("dup_mapped", "missing_column", "mixed_dates", "ambiguous_dates", "bad_option")
BLANKS = re.compile(r"^[ \t\r\n]+|[ \t\r\n]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FLOAT_ID = re.compile(r"^-?[0-9]+[.]0+$")


# -- cells -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateTag:
    """What the generator wrote in a text date cell.

    ``family``: ``iso``, ``compact``, ``dm`` (day/month or month/day, 4-digit year) or None
    (garbage); ``a``, ``b``: month and day (iso, compact) or the first and second field (dm);
    ``offset``: minutes east of UTC when an offset was written.
    """

    family: str | None
    year: int = 0
    a: int = 0
    b: int = 0
    hms: tuple = (0, 0, 0)
    offset: int | None = None


@dataclass(frozen=True)
class Cell:
    """One written cell: ``raw`` as written (text, None for empty, or a typed value) and the generator's tag."""

    raw: object
    tag: object = None


def _text(value) -> str | None:
    """A text cell as the README reads it: without surrounding blanks; None when nothing is left."""
    if value is None:
        return None
    stripped = BLANKS.sub("", str(value))
    return stripped or None


# -- the case -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One generated transaction table and how it is to be read."""

    name: str
    source: str  # csv | xlsx | parquet | frame
    fields: dict  # field -> header name
    dtypes: dict  # field -> text | int | float | datetime | datetime_tz
    rows: list  # of {field: Cell}
    extras: list = field(default_factory=list)  # (header name, [str]) columns the map does not read
    order: list = field(default_factory=list)  # column order: field names and ("extra", i)
    as_of: str = "2021-03-31"
    time_unit: str = "D"
    date_format: str | None = None
    timezone: str | None = None
    zone: str | None = None  # zone of a datetime_tz column
    time_resolution: str = "ns"  # of a datetime or datetime_tz column: ns (pandas' default) or us
    missing_customers: str = "error"
    on_bad_rows: str = "error"
    drop_duplicates: bool = False
    rejects: bool = False
    # text files
    sep: str = ","
    sep_given: bool = True
    encoding: str = "utf-8"
    encoding_given: bool = False
    header: bool = True
    newline: str = "\n"
    blank_before: tuple = ()  # data rows preceded by an empty line
    trailing_sep: bool = False
    gz: bool = False
    suffix: str = ".csv"
    # workbooks
    sheets: tuple = ("data",)
    sheet: str = "data"
    sheet_by_number: bool = False
    # frames
    index_kind: str = "range"
    string_dtype: bool = False
    #: Each data row's record number (header = 1), as counted by a reader that counts records, not lines.
    records: list = field(default_factory=list)
    # faults
    fault: str | None = None
    fault_detail: dict = field(default_factory=dict)
    map_override: dict = field(default_factory=dict)  # field -> column name that is not there
    option_override: dict = field(default_factory=dict)  # a bad reading option

    # -- how it is read --------------------------------------------------------------------

    def column_names(self) -> list:
        """The columns in file order, as written in the header (positions without a header)."""
        names = []
        for item in self.order:
            names.append(self.extras[item[1]][0] if isinstance(item, tuple) else self.fields[item])
        if not self.header:
            return [str(i + 1) for i in range(len(names))]
        return names

    def mapped(self) -> dict:
        """field -> source column name the reader is told (positions without a header)."""
        if self.header:
            out = dict(self.fields)
        else:
            out = {f: str(self.order.index(f) + 1) for f in self.fields}
        out.update(self.map_override)
        return out

    def api_kwargs(self) -> dict:
        """``read_transactions`` keyword arguments (the column map and the reading options)."""
        m = self.mapped()
        kwargs = {"customer_id": m["customer_id"], "date": m["date"]}
        if "price" in m:
            kwargs.update(amount=None, price=m["price"], quantity=m["quantity"])
        else:
            kwargs["amount"] = m["amount"]
        if "order_id" in m:
            kwargs["order_id"] = m["order_id"]
        kwargs.update(self.policy_kwargs())
        if self.source == "csv":
            if self.sep_given:
                kwargs["sep"] = self.sep
            if self.encoding_given:
                kwargs["encoding"] = self.encoding
            if not self.header:
                kwargs["header"] = False
        if self.source == "xlsx":
            kwargs["sheet"] = self.sheets.index(self.sheet) if self.sheet_by_number else self.sheet
            if not self.header:
                kwargs["header"] = False
        kwargs.update(self.option_override)
        return kwargs

    def policy_kwargs(self) -> dict:
        """The options a frame is read with too."""
        out = {"missing_customers": self.missing_customers, "on_bad_rows": self.on_bad_rows}
        if self.date_format is not None:
            out["date_format"] = self.date_format
        if self.timezone is not None:
            out["timezone"] = self.timezone
        if self.drop_duplicates:
            out["drop_duplicates"] = True
        return out

    def column_map(self):
        """The :class:`tierkit.data.ColumnMap` of a frame."""
        from tierkit.data import ColumnMap

        k = self.api_kwargs()
        return ColumnMap(customer_id=k["customer_id"], date=k["date"], amount=k.get("amount"),
                         order_id=k.get("order_id"), price=k.get("price"), quantity=k.get("quantity"))

    def frame_kwargs(self) -> dict:
        """``normalize_transactions`` keyword arguments."""
        out = {"columns": self.column_map(), **self.policy_kwargs()}
        for key in ("date_format", "timezone"):
            if key in self.option_override:
                out[key] = self.option_override[key]
        return out

    def cli_args(self) -> list:
        """The reading options on the command line."""
        k = self.api_kwargs()
        args = ["--customer-col", k["customer_id"], "--date-col", k["date"]]
        if k.get("price") is not None:
            args += ["--price-col", k["price"], "--quantity-col", k["quantity"]]
        else:
            args += ["--amount-col", k["amount"]]
        if k.get("order_id") is not None:
            args += ["--order-col", k["order_id"]]
        args += ["--missing-customers", k["missing_customers"], "--on-bad-rows", k["on_bad_rows"]]
        if "date_format" in k:
            args += ["--date-format", k["date_format"]]
        if "timezone" in k:
            args += ["--timezone", k["timezone"]]
        if k.get("drop_duplicates"):
            args.append("--drop-duplicates")
        if "sep" in k:
            args += ["--sep", SEPARATORS.get(k["sep"], k["sep"])]
        if "encoding" in k:
            args += ["--encoding", k["encoding"]]
        if k.get("header") is False:
            args.append("--no-header")
        if "sheet" in k:
            args += ["--sheet", str(k["sheet"] + 1) if isinstance(k["sheet"], int) else k["sheet"]]
        return args

    def flavour(self) -> str:
        """A short description for test ids and the census."""
        parts = [self.source]
        if self.source == "csv":
            parts.append({",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}[self.sep])
            parts.append(self.encoding)
        if self.source == "frame":
            parts.append(self.index_kind)
        if self.fault:
            parts.append(self.fault)
        return "-".join(parts)


# -- generation -----------------------------------------------------------------------------------

BASE_DAY = dt.date(2019, 12, 1)


def _day(rng: random.Random) -> dt.date:
    return BASE_DAY + dt.timedelta(days=rng.randint(0, 760))


def _hms(rng: random.Random) -> tuple:
    return rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)


def _customer_pool(rng: random.Random, style: str, n: int, letters: list, source: str) -> list:
    keys = rng.sample(range(1, 99999), n)
    if style == "code":
        return [f"C{k}" for k in keys]
    if style == "padded":
        return [f"{k:07d}" for k in keys]
    if style in ("int", "float"):
        return [str(k) for k in keys]
    if style == "unicode":
        return [f"{rng.choice(letters)}{k}" for k in keys]
    odd = ["NA", "null", "None", "#N/A", "0", "007", 'a"b', "x,y", "x;y", "p|q", "-1", "+7", "=A1", "@home", "1e3",
           "3.5", "A12"]
    if source == "xlsx":  # a workbook writes "=A1" as a formula and "#N/A" as an error cell, not as text
        odd = [o for o in odd if o[0] not in "=#"]
    picked = rng.sample(odd, min(n, len(odd)))
    return picked + [f"K{k}" for k in keys[len(picked):]]


def _id_cell(rng: random.Random, customer: str, style: str, dtype: str) -> Cell:
    if dtype == "int":
        return Cell(int(customer))
    if dtype == "float":
        return Cell(float(customer))
    text = f"{customer}.0" if style == "float" else customer
    pad = rng.random()
    if pad < 0.1:
        text = " " + text
    elif pad < 0.15:
        text = text + "  "
    elif pad < 0.18:
        text = "\t" + text
    return Cell(text)


def _bad_id(rng: random.Random, source: str, dtype: str, kind: str, canonical: bool = False) -> Cell:
    if kind == "missing":
        if dtype == "float":
            return Cell(float("nan"))
        return Cell(rng.choice([None, "", "   ", "\t"]))
    # a control character inside the id
    choices = ["X\tY", "L1\nL2"] if source == "xlsx" else ["A\x00B", "\x07C", "X\tY", "L1\nL2", "Q\x7fR", "\x00"]
    if canonical:  # a line break inside a value makes a file's lines and a frame's rows count apart
        choices = [c for c in choices if "\n" not in c]
    return Cell(rng.choice(choices))


def _date_cell(rng: random.Random, family: str, day: dt.date, fmt: str | None, seps: dict, dtype: str,
               zone: str | None) -> Cell:
    h, m, s = _hms(rng)
    if dtype == "datetime":
        return Cell(pd.Timestamp(dt.datetime(day.year, day.month, day.day, h, m, s)))
    if dtype == "datetime_tz":
        return Cell(pd.Timestamp(dt.datetime(day.year, day.month, day.day, h, m, s)).tz_localize(zone))
    if dtype == "int":
        return Cell(day.year * 10000 + day.month * 100 + day.day, DateTag("compact", day.year, day.month, day.day))
    if family == "explicit":
        return Cell(dt.datetime(day.year, day.month, day.day, h, m, s).strftime(fmt))
    y, mo, d = day.year, day.month, day.day
    if family == "compact":
        return Cell(f"{y:04d}{mo:02d}{d:02d}", DateTag("compact", y, mo, d))
    if family in ("iso", "iso_time", "iso_offset"):
        sep = seps["iso"]
        date = f"{y:04d}{sep}{mo:02d}{sep}{d:02d}" if rng.random() < 0.85 else f"{y}{sep}{mo}{sep}{d}"
        if family == "iso":
            return Cell(date, DateTag("iso", y, mo, d))
        if family == "iso_time":
            clock = rng.choice([f" {h:02d}:{m:02d}:{s:02d}", f"T{h:02d}:{m:02d}", f" {h:02d}:{m:02d}:{s:02d}.250"])
            return Cell(date + clock, DateTag("iso", y, mo, d, (h, m, s)))
        offset_text, minutes = rng.choice([("Z", 0), ("+08:00", 480), ("-05:00", -300), ("+0530", 330), ("-03", -180),
                                           ("", None)])
        return Cell(f"{date}T{h:02d}:{m:02d}:{s:02d}{offset_text}", DateTag("iso", y, mo, d, (h, m, s), minutes))
    sep = seps["dm"]
    first, second = (d, mo) if family == "dmy" else (mo, d)
    clock = f" {h:02d}:{m:02d}" if seps["dm_time"] else ""
    return Cell(f"{first:02d}{sep}{second:02d}{sep}{y}{clock}", DateTag("dm", y, first, second, (h, m, 0)))


def _format_fields(fmt: str, y: int, mo: int, d: int) -> str:
    """``fmt`` written for a day that may not exist (``strftime`` cannot write 30 February)."""
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    values = {"%Y": f"{y:04d}", "%y": f"{y % 100:02d}", "%m": f"{mo:02d}", "%d": f"{d:02d}", "%H": "10",
              "%I": "10", "%M": "30", "%S": "00", "%p": "AM", "%b": names[mo - 1]}
    return re.sub(r"%[a-zA-Z]", lambda g: values[g.group(0)], fmt)


def _bad_date(rng: random.Random, family: str, fmt: str | None, seps: dict, dtype: str) -> Cell:
    kind = rng.choice(["impossible", "impossible", "empty", "garbage"])
    if dtype in ("datetime", "datetime_tz"):
        return Cell(pd.NaT)
    if dtype == "int":
        value = rng.choice([20210230, 20211301, 2021023, 20190229])
        digits = str(value)
        tag = DateTag("compact", int(digits[:4]), int(digits[4:6]), int(digits[6:])) if len(digits) == 8 else \
            DateTag(None)
        return Cell(value, tag)
    if kind == "empty":
        return Cell(rng.choice([None, "", "  "]))
    if kind == "garbage":
        return Cell(rng.choice(["not a date", "yesterday", "2021-13", "31.02", "N/A", "TBD"]), DateTag(None))
    y, mo, d = rng.choice([(2021, 2, 30), (2021, 4, 31), (2019, 2, 29), (2021, 2, 29)])
    if family == "explicit":
        return Cell(_format_fields(fmt, y, mo, d))
    if family == "compact":
        return Cell(f"{y:04d}{mo:02d}{d:02d}", DateTag("compact", y, mo, d))
    if family.startswith("iso"):
        if rng.random() < 0.3:
            return Cell(f"{y}-13-01", DateTag("iso", y, 13, 1))
        sep = seps["iso"]
        return Cell(f"{y:04d}{sep}{mo:02d}{sep}{d:02d}", DateTag("iso", y, mo, d))
    sep = seps["dm"]
    first, second = (d, mo) if family == "dmy" else (mo, d)
    return Cell(f"{first:02d}{sep}{second:02d}{sep}{y}", DateTag("dm", y, first, second))


def _amount_text(rng: random.Random, value: float) -> str:
    """A good number as a shop's export might write it."""
    style = rng.random()
    if value == int(value) and abs(value) < 1e9:
        whole = int(value)
        if style < 0.15 and whole > 0 and whole % 100 == 0:
            return f"{whole // 100}e2"
        if style < 0.25 and whole >= 0:
            return f"+{whole}"
        if style < 0.3:
            return f"{whole}."
        if style < 0.4:
            return f" {whole} "
        return str(whole)
    if 0 < value < 1 and style < 0.3:
        return f"{value:.2f}"[1:]  # .25
    return f"{value:.2f}"


def _good_amount(rng: random.Random) -> float:
    kind = rng.random()
    if kind < 0.12:
        return -float(round(rng.uniform(0.5, 80), 2))  # a return
    if kind < 0.2:
        return 0.0
    if kind < 0.45:
        return float(rng.randint(1, 50) * rng.choice([1, 10, 100]))
    if kind < 0.5:
        return round(rng.uniform(1e9, 999999999999.99), 2)  # near the bound, still below it
    return round(rng.uniform(0.01, 999.99), 2)


def _amount_cell(rng: random.Random, dtype: str) -> Cell:
    value = _good_amount(rng)
    if dtype == "float":
        return Cell(value, value)
    if dtype == "int":
        value = float(round(value))
        return Cell(int(value), value)
    text = _amount_text(rng, value)
    return Cell(text, float(text))


def _bad_amount(rng: random.Random, dtype: str) -> Cell:
    if dtype == "float":
        value = rng.choice([float("nan"), float("inf"), float("-inf"), 1e12, -2.5e12, 5e15])
        return Cell(value, value if math.isfinite(value) else None)
    if dtype == "int":
        value = rng.choice([10**12, -(10**13)])
        return Cell(value, float(value))
    text = rng.choice(["1,234", "12abc", "inf", "-inf", "nan", "NaN", "Infinity", "", "  ", None, "1e12", "-2e12",
                       "1000000000000", "1e400", "0x1A", "1 000", "$5", "5-", "--5", "1e", "."])
    if text is None or not re.fullmatch(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?", text.strip()):
        return Cell(text, None)
    return Cell(text, float(text))  # a number at or beyond the bound (or inf from 1e400)


def generate(name: str, source: str, *, faults: bool | str = True, canonical: bool = False,
             allow: tuple = ()) -> Case:
    """The case of seed ``name``, written as ``source``.

    ``faults``: whether a fault may be drawn (``"content"``: only the date columns no format
    fits, which every path refuses alike); ``canonical``: canonical column
    names, a header and no option the served model cannot take (its rows are a frame with the
    training file's columns); ``allow``: extra features for this path (``"timezone"``,
    ``"drop_duplicates"``, ``"price"``, ``"rejects"``, ``"time_unit"``).
    """
    rng = random.Random(name)
    case = Case(name=name, source=source, fields={}, dtypes={}, rows=[])
    if source == "csv":
        case.sep = rng.choice(list(SEPARATORS))
        case.sep_given = rng.random() < 0.5
        case.encoding = rng.choice(ENCODINGS) if not canonical else rng.choice(["utf-8", "utf-8-sig"])
        case.encoding_given = case.encoding in ("gbk", "latin-1") or rng.random() < 0.2
        case.header = canonical or rng.random() < 0.85
        case.newline = "\r\n" if rng.random() < 0.25 else "\n"
        case.gz = not canonical and rng.random() < 0.1
        case.suffix = rng.choice([".csv", ".txt"] + ([".tsv"] if case.sep == "\t" else []))
        case.trailing_sep = not canonical and rng.random() < 0.08
    if source == "xlsx":
        case.header = canonical or rng.random() < 0.85
        others = rng.sample(["说明", "notes", "Sheet1", "2020"], rng.randint(0, 2))
        case.sheet = rng.choice(["data", "交易", "Sales 2021"])
        position = rng.randint(0, len(others))
        case.sheets = tuple(others[:position] + [case.sheet] + others[position:])
        case.sheet_by_number = rng.random() < 0.4
    if source == "frame":
        case.index_kind = rng.choice(INDEX_KINDS)
        case.string_dtype = rng.random() < 0.3
    letters = LETTERS["utf-8" if case.encoding.startswith("utf-8") else case.encoding]

    # columns and their types
    typed = source in ("parquet", "frame", "xlsx") and rng.random() < 0.5
    use_price = "price" in allow and rng.random() < 0.15
    use_order = rng.random() < 0.3
    fields = ["customer_id", "date"] + (["price", "quantity"] if use_price else ["amount"]) + \
        (["order_id"] if use_order else [])
    style = rng.choice(["code", "padded", "int", "float", "unicode", "odd"])
    dtypes = {f: "text" for f in fields}
    if typed:
        if style in ("int", "padded") and source != "xlsx":
            dtypes["customer_id"] = rng.choice(["int", "float", "text"])
        elif style in ("int", "float"):
            dtypes["customer_id"] = rng.choice(["float", "text"])
        date_types = ["datetime", "int", "text"] + (["datetime_tz"] if source != "xlsx" else [])
        dtypes["date"] = rng.choice(date_types)
        for f in ("amount", "price", "quantity"):
            if f in dtypes:
                dtypes[f] = rng.choice(["float", "int", "text"]) if f != "quantity" else rng.choice(["float", "text"])
        if use_order and source != "xlsx":
            dtypes["order_id"] = rng.choice(["int", "text"])
    if dtypes["customer_id"] == "int" and style == "padded":
        style = "int"
    case.dtypes = dtypes
    if dtypes["date"] == "datetime_tz":
        case.zone = rng.choice(["America/New_York", "Asia/Tokyo", "Europe/Berlin"])
    case.time_resolution = rng.choice(["ns", "us"])

    names = {"customer_id": ["customer_id", "客户ID", "Kunde", "Customer ID", "cust"],
             "date": ["date", "日期", "InvoiceDate", "Datum"], "amount": ["amount", "金额", "Wert", "Revenue"],
             "price": ["UnitPrice", "单价"], "quantity": ["Quantity", "数量"],
             "order_id": ["order_id", "InvoiceNo", "订单号"]}
    for f in fields:
        options = names[f] if not canonical else [f]
        if case.encoding == "latin-1":
            options = [o for o in options if o.isascii()]
        case.fields[f] = rng.choice(options)

    # the date family of the column
    family = rng.choice(["iso", "iso", "iso_time", "iso_offset", "compact", "dmy", "mdy", "explicit"])
    if dtypes["date"] != "text":
        family = "typed"
    fmt = rng.choice(DATE_FORMATS) if family == "explicit" else None
    case.date_format = fmt
    if fmt is not None and "%d" in fmt and "%m" in fmt and rng.random() < 0.25:
        # README: --date-format '%d/%m/%Y' on a month-first file (written one way, read the other)
        case.date_format = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    seps = {"iso": rng.choice(["-", "-", "/", "."]), "dm": rng.choice(["/", "/", ".", "-"]),
            "dm_time": rng.random() < 0.2}
    if "timezone" in allow and (family == "iso_offset" or dtypes["date"] == "datetime_tz") and rng.random() < 0.6:
        case.timezone = rng.choice(TIMEZONES)

    # customers and rows
    n_customers = rng.randint(1, 9)
    customers = _customer_pool(rng, style, n_customers, letters, source)
    dirty = rng.random() < 0.6
    rates = {"missing": rng.uniform(0.02, 0.3), "bad_id": rng.uniform(0, 0.15), "bad_date": rng.uniform(0, 0.3),
             "bad_amount": rng.uniform(0, 0.3), "missing_order": rng.uniform(0, 0.2)} if dirty else {}
    if dtypes["customer_id"] == "int":
        rates.pop("missing", None)
        rates.pop("bad_id", None)
    if dtypes["customer_id"] == "float":
        rates.pop("bad_id", None)
    if dtypes.get("order_id") == "int":
        rates.pop("missing_order", None)
    n_rows = rng.randint(1, 24)
    orders = {c: [f"O{i}-{k}" if rng.random() < 0.7 else str(1000 + 10 * i + k) for k in range(3)]
              for i, c in enumerate(customers)}
    if dtypes.get("order_id") == "int":
        orders = {c: [100000 + 10 * i + k for k in range(3)] for i, c in enumerate(customers)}
    for _ in range(n_rows):
        customer = rng.choice(customers)
        row = {}
        if rng.random() < rates.get("missing", 0):
            row["customer_id"] = _bad_id(rng, source, dtypes["customer_id"], "missing")
        elif rng.random() < rates.get("bad_id", 0):
            row["customer_id"] = _bad_id(rng, source, dtypes["customer_id"], "control", canonical)
        else:
            row["customer_id"] = _id_cell(rng, customer, style, dtypes["customer_id"])
        if rng.random() < rates.get("bad_date", 0):
            row["date"] = _bad_date(rng, family, fmt, seps, dtypes["date"])
        else:
            row["date"] = _date_cell(rng, family, _day(rng), fmt, seps, dtypes["date"], case.zone)
        if use_price:
            price = _amount_cell(rng, dtypes["price"]) if rng.random() >= rates.get("bad_amount", 0) else \
                _bad_amount(rng, dtypes["price"])
            quantity_value = float(rng.choice([1, 2, 3, 5, 12, -1]))
            if dtypes["quantity"] == "float":
                quantity = Cell(quantity_value, quantity_value)
            elif rng.random() < rates.get("bad_amount", 0) / 2:
                quantity = Cell(rng.choice(["two", "", "1,5"]), None)
            else:
                quantity = Cell(str(int(quantity_value)), quantity_value)
            if rng.random() < 0.05 and dtypes["price"] != "int":  # a product beyond any bound
                price = Cell(1e200 if dtypes["price"] == "float" else "1e200", 1e200)
                quantity = Cell(1e200 if dtypes["quantity"] == "float" else "1e200", 1e200)
            row["price"], row["quantity"] = price, quantity
        elif rng.random() < rates.get("bad_amount", 0):
            row["amount"] = _bad_amount(rng, dtypes["amount"])
        else:
            row["amount"] = _amount_cell(rng, dtypes["amount"])
        if use_order:
            if rng.random() < rates.get("missing_order", 0):
                row["order_id"] = Cell(rng.choice([None, "", " "]))
            else:
                order = rng.choice(orders[customer])
                row["order_id"] = Cell(order if dtypes["order_id"] == "int" else
                                       (" " + order if rng.random() < 0.1 else order))
        case.rows.append(row)
    if rng.random() < 0.15 and case.rows:  # exact duplicates
        case.rows.append(dict(rng.choice(case.rows)))

    # a day/month column needs one value that proves which comes first
    if family in ("dmy", "mdy"):
        goods = [r for r in case.rows if isinstance(r["date"].tag, DateTag) and r["date"].tag.family == "dm"
                 and r["date"].tag.a <= 12 and r["date"].tag.b <= 12]
        proved = any(isinstance(r["date"].tag, DateTag) and r["date"].tag.family == "dm"
                     and max(r["date"].tag.a, r["date"].tag.b) > 12 for r in case.rows)
        if goods and not proved:
            target = goods[0]
            tag = target["date"].tag
            month = tag.b if family == "dmy" else tag.a
            day = dt.date(tag.year, month, rng.randint(13, 28))
            target["date"] = _date_cell(rng, family, day, fmt, seps, "text", None)

    # extra columns the map does not read
    n_extra = rng.choice([0, 0, 1, 2])
    for i in range(n_extra):
        header = "note" if rng.random() < 0.6 and source != "parquet" else f"extra{i}"
        case.extras.append((header, [rng.choice(["ok", "gift", "", "promo", "x"]) for _ in case.rows]))
    case.order = list(fields) + [("extra", i) for i in range(n_extra)]
    rng.shuffle(case.order)

    # policies and options
    case.as_of = str(BASE_DAY + dt.timedelta(days=rng.randint(200, 800)))
    case.missing_customers = "drop" if rng.random() < 0.6 else "error"
    case.on_bad_rows = "skip" if rng.random() < 0.6 else "error"
    if "time_unit" in allow and rng.random() < 0.2:
        case.time_unit = "W"
    if "drop_duplicates" in allow and rng.random() < 0.1:
        case.drop_duplicates = True
    if "rejects" in allow and rng.random() < 0.5:
        case.rejects = True
    if source == "csv" and not canonical:
        case.blank_before = tuple(i for i in range(len(case.rows)) if i > 0 and rng.random() < 0.05)
        if rng.random() < 0.1:
            case.blank_before += (len(case.rows),)  # blank lines at the end

    if faults and rng.random() < 0.16:
        _add_fault(rng, case, family, content_only=faults == "content")
    return case


def _add_fault(rng: random.Random, case: Case, family: str, content_only: bool = False) -> None:
    pool = list(FAULTS_FILE if case.source == "csv" else FAULTS_FRAME)
    if content_only:
        pool = ["mixed_dates", "ambiguous_dates"]
    if case.source == "xlsx":
        pool += ["bad_sheet"]
    if case.dtypes["date"] != "text" or family in ("explicit",):
        pool = [p for p in pool if p not in ("mixed_dates", "ambiguous_dates")]
    if (not case.header or case.source == "parquet") and "dup_mapped" in pool:
        pool.remove("dup_mapped")
    if case.source == "csv" and case.encoding not in ("gbk", "latin-1") and "wrong_encoding" in pool:
        pool.remove("wrong_encoding")
    if not case.rows or not pool:
        return
    fault = rng.choice(pool)
    case.fault = fault
    if fault == "ragged":
        case.fault_detail = {"row": rng.randrange(len(case.rows)), "extra": rng.random() < 0.5}
    elif fault == "dup_mapped":
        target = rng.choice(["customer_id", "date", "amount" if "amount" in case.fields else "price"])
        case.extras.append((case.fields[target], [_text(r[target].raw) if isinstance(r[target].raw, str) else
                                                  None for r in case.rows]))
        case.order.insert(rng.randint(0, len(case.order)), ("extra", len(case.extras) - 1))
        case.fault_detail = {"column": case.fields[target]}
    elif fault == "missing_column":
        target = rng.choice(["customer_id", "date", "amount" if "amount" in case.fields else "price"])
        case.map_override[target] = "Betrag" if case.header else str(len(case.order) + 3)
    elif fault == "mixed_dates":
        row = rng.choice(case.rows)
        other = {"iso": "25/03/2021", "iso_time": "25/03/2021", "iso_offset": "20210325", "compact": "2021-03-25",
                 "dmy": "2021-03-25", "mdy": "20210325"}[family]
        row["date"] = Cell(other, DateTag("dm" if "/" in other else "compact" if other.isdigit() else "iso",
                                          2021, 25 if "/" in other else 3, 3 if "/" in other else 25))
    elif fault == "ambiguous_dates":
        for i, row in enumerate(case.rows):
            first, second = (i % 12) + 1, ((i * 5) % 12) + 1
            if i == 0:
                first, second = 3, 1
            row["date"] = Cell(f"{first:02d}/{second:02d}/2020", DateTag("dm", 2020, first, second))
    elif fault == "wrong_encoding":
        case.encoding_given = False
        letter = rng.choice(LETTERS[case.encoding])
        case.rows[0]["customer_id"] = Cell(f"{letter}1")
        try:
            csv_text(case)[0].encode(case.encoding).decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # every letter of LETTERS is invalid UTF-8 in its encoding: never reached
            raise AssertionError(f"{case.name}: the wrong encoding reads as UTF-8")
    elif fault == "empty_file":
        case.fault_detail = {"zero": rng.random() < 0.5}
    elif fault == "bad_option":
        option = rng.choice(["date_format", "timezone"] + (["sep", "encoding"] if case.source == "csv" else []))
        case.option_override[option] = {"date_format": "%d/%m", "timezone": "Mars/Olympus_Mons", "sep": "::",
                                        "encoding": "klingon"}[option]
    elif fault == "bad_sheet":
        case.sheet_by_number = False
        case.option_override["sheet"] = "no such sheet"


# -- writing ---------------------------------------------------------------------------------------


def _columns(case: Case) -> list:
    """``(name, dtype, values)`` of every column in order: cells of mapped fields, text of extras."""
    out = []
    names = case.column_names()
    for name, item in zip(names, case.order, strict=True):
        if isinstance(item, tuple):
            out.append((name, "text", case.extras[item[1]][1]))
        else:
            out.append((name, case.dtypes[item], [row[item].raw for row in case.rows]))
    return out


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def csv_text(case: Case) -> tuple[str, list]:
    """The text of a CSV case and the line (README: file lines, blank lines not counted) of each data row.

    A quoted value holding a line break makes its record two lines long; the next record
    starts a line later than its record number (``case.records``).
    """
    out = io.StringIO()
    columns = _columns(case)
    lines, records = [], []
    line = 0

    def record(values):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=case.sep, lineterminator=case.newline, quoting=csv.QUOTE_MINIMAL).writerow(values)
        return buffer.getvalue()

    if case.header:
        out.write(record([c[0] for c in columns]))
        line += 1
    for i in range(len(case.rows)):
        if i in case.blank_before:
            out.write(case.newline)
        values = [_cell_text(c[2][i]) for c in columns]
        if case.fault == "ragged" and case.fault_detail["row"] == i:
            values = values + ["x"] if case.fault_detail["extra"] else values[:-1]
        text = record(values)
        if case.trailing_sep:
            text = text[: -len(case.newline)] + case.sep + case.newline
        lines.append(line + 1)
        records.append(len(records) + 1 + case.header)
        line += 1 + text[: -len(case.newline)].count("\n")
        out.write(text)
    if len(case.rows) in case.blank_before:
        out.write(case.newline)
    case.records = records
    return out.getvalue(), lines


def frame_of(case: Case, index_kind: str | None = None, canonical_names: bool = False) -> pd.DataFrame:
    """The case as a pandas frame (typed columns keep their type), under ``index_kind``."""
    series = []
    for name, dtype, values in _columns(case):
        if dtype == "text":
            s = pd.Series(values, dtype=pd.StringDtype() if case.string_dtype else object)
        elif dtype == "int":
            s = pd.Series(values, dtype="int64")
        elif dtype == "float":
            s = pd.Series(values, dtype="float64")
        elif dtype == "datetime":
            s = pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype=f"datetime64[{case.time_resolution}]")
        else:  # datetime_tz
            s = pd.Series(values, dtype=pd.DatetimeTZDtype(unit=case.time_resolution, tz=case.zone))
        series.append(s.rename(name))
    frame = pd.concat(series, axis=1) if series else pd.DataFrame()
    frame.columns = [s.name for s in series]
    return reindexed(frame, index_kind or case.index_kind)


def reindexed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with an index of ``kind`` (the README's odd indexes: gaps, repeats, text, levels, order)."""
    n = len(frame)
    index = {
        "range": pd.RangeIndex(n),
        "gapped": pd.Index([3 * i + 100 for i in range(n)]),
        "duplicated": pd.Index([i // 2 for i in range(n)]),
        "string": pd.Index([f"row{i}" for i in range(n)]),
        "multi": pd.MultiIndex.from_arrays([[i % 2 for i in range(n)], [f"k{i}" for i in range(n)]]),
        "shuffled": pd.Index(np.random.default_rng(20).permutation(n)),
        "named": pd.Index([f"x{i}" for i in range(n)], name="customer_id"),
    }[kind]
    out = frame.copy()
    out.index = index
    return out


def write_case(case: Case, folder: Path) -> tuple[Path, list]:
    """Write a file case into ``folder``: its path and the line or row of each data row."""
    folder.mkdir(parents=True, exist_ok=True)
    if case.source == "csv":
        path = folder / f"tx{case.suffix}{'.gz' if case.gz else ''}"
        if case.fault == "empty_file":
            path.write_bytes(b"" if case.fault_detail.get("zero", True) else b"\n\n")
            return path, []
        text, lines = csv_text(case)
        if case.fault == "header_only":
            text = text.split(case.newline)[0] + case.newline if case.header else ""
        data = text.encode(case.encoding)
        path.write_bytes(gzip.compress(data, mtime=0) if case.gz else data)
        return path, lines
    if case.source == "parquet":
        path = folder / "tx.parquet"
        frame_of(case, "range").to_parquet(path, index=False)
        return path, list(range(1, len(case.rows) + 1))
    if case.source == "xlsx":
        import openpyxl

        path = folder / "tx.xlsx"
        book = openpyxl.Workbook()
        book.remove(book.active)
        for sheet in case.sheets:
            ws = book.create_sheet(sheet)
            if sheet != case.sheet:
                ws.append(["nothing", "here"])
                ws.append([1, "x"])
                continue
            columns = _columns(case)
            if case.header:
                ws.append([c[0] for c in columns])
            for i in range(len(case.rows)):
                ws.append([_excel_value(c[2][i]) for c in columns])
        book.save(path)
        return path, list(range(1, len(case.rows) + 1))
    raise ValueError(case.source)


def _excel_value(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return str(value)  # a workbook cannot hold inf: the cell is text, and the column with it
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


# -- the oracle ------------------------------------------------------------------------------------


@dataclass
class Expected:
    """What reading a case must give.

    ``refused``: why it must be refused (a census category), or None; ``features``: the RFM
    features of the kept rows (empty when no customer bought); ``rejects``: ``(location,
    reason)`` of each row left out, in source order; ``rows_read`` / ``rows_kept``.
    """

    refused: str | None = None
    features: pd.DataFrame | None = None
    rejects: list = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    float_ids: bool = False
    #: The features of this case show the per-line cast defect (see ``MONEY_DEFECT``).
    money_defect: bool = False

    @property
    def graded(self) -> bool:
        """Read, and at least one customer bought on or before as_of (the commands grade it)."""
        return self.refused is None and self.features is not None and len(self.features) > 0


def _id_of(cell: Cell, dtype: str, whole_floats: bool) -> str | None:
    raw = cell.raw
    if dtype == "int":
        return str(int(raw))
    if dtype == "float":
        if raw is None or not math.isfinite(raw):
            return None
        return str(int(raw)) if whole_floats else repr(float(raw))
    text = _text(raw)
    if text is not None and whole_floats:
        text = re.sub(r"[.]0+$", "", text)
    return text


def _whole_float_ids(case: Case, rows: list) -> bool:
    """README: a column whose every (non-empty) id is a whole-number float is read as those integers."""
    dtype = case.dtypes["customer_id"]
    if dtype == "int":
        return False
    if dtype == "float":
        values = [r["customer_id"].raw for r in rows if r["customer_id"].raw is not None
                  and math.isfinite(r["customer_id"].raw)]
        return bool(values) and all(v == int(v) and abs(v) < 1e15 for v in values)
    texts = [_text(r["customer_id"].raw) for r in rows]
    texts = [t for t in texts if t is not None]
    return bool(texts) and all(FLOAT_ID.match(t) for t in texts)


def _decide_family(case: Case, rows: list):
    """The column's one format (README "Dates"), or a refusal: ``(family, dmy)`` or ``("refused", why)``."""
    tags = []
    for r in rows:
        cell = r["date"]
        if _text(cell.raw if not isinstance(cell.raw, int) else str(cell.raw)) is None:
            continue
        tags.append(cell.tag if isinstance(cell.tag, DateTag) else DateTag(None))
    if not tags:
        return "none", None
    families = {t.family for t in tags if t.family is not None}
    if not families:
        return "refused", "no date in a known format"
    if len(families) > 1:
        return "refused", "mixed date formats"
    family = families.pop()
    if family != "dm":
        return family, None
    dms = [t for t in tags if t.family == "dm"]
    first_big = max(t.a for t in dms) > 12
    second_big = max(t.b for t in dms) > 12
    if first_big and second_big:
        return "refused", "mixed date formats"
    if first_big:
        return "dm", True
    if second_big:
        return "dm", False
    if any(t.a != t.b for t in dms):
        return "refused", "ambiguous day/month"
    return "dm", True


def _valid(y, m, d) -> dt.date | None:
    try:
        return dt.date(y, m, d) if y >= 1 else None
    except ValueError:
        return None


def _day_of(case: Case, cell: Cell, family, dmy) -> dt.date | None:
    """The purchase day of a date cell (its own clock, or --timezone's for a written offset)."""
    dtype = case.dtypes["date"]
    raw = cell.raw
    if dtype == "datetime":
        return None if raw is pd.NaT else raw.date()
    if dtype == "datetime_tz":
        if raw is pd.NaT:
            return None
        return (raw.tz_convert(case.timezone) if case.timezone else raw).date()
    if case.date_format is not None:
        text = _text(raw if not isinstance(raw, int) else str(raw))
        if text is None:
            return None
        try:
            return dt.datetime.strptime(text, case.date_format).date()
        except ValueError:
            return None
    tag = cell.tag
    if _text(raw if not isinstance(raw, int) else str(raw)) is None or not isinstance(tag, DateTag) \
            or tag.family is None:
        return None
    if tag.family == "dm":
        day, month = (tag.a, tag.b) if dmy else (tag.b, tag.a)
        return _valid(tag.year, month, day)
    day = _valid(tag.year, tag.a, tag.b)
    if day is None or tag.offset is None or case.timezone is None:
        return day
    written = dt.datetime(day.year, day.month, day.day, *tag.hms)
    utc = (written - dt.timedelta(minutes=tag.offset)).replace(tzinfo=dt.UTC)
    return utc.astimezone(ZoneInfo(case.timezone)).date()


def _number(cell: Cell) -> float | None:
    """A good amount, price or quantity (finite), else None; the bound is checked by the caller."""
    value = cell.tag
    if value is None or not math.isfinite(value):
        return None
    return float(value)


SIX_PLACES = Decimal("0.000001")


def _written(cell: Cell) -> Decimal:
    """The decimal a good number cell holds as written (a double's shortest text, as it prints)."""
    raw = cell.raw
    if isinstance(raw, str):
        return Decimal(_text(raw))
    if isinstance(raw, float):
        return Decimal(repr(raw))
    return Decimal(int(raw))


def _money(exact: Decimal) -> Decimal:
    """README: money is summed exactly, lines to 6 decimal places."""
    return exact.quantize(SIX_PLACES)


def _duckdb_money(value: float) -> Decimal:
    """What ``CAST(double AS DECIMAL(18, 6))`` gives: ``round(value * 10**6)`` computed in doubles.

    Only used to tell which cases show the defect of the per-line cast (amounts above
    2**53 / 10**6 lose their last places): see ``MONEY_DEFECT``.
    """
    return Decimal(round(value * 1e6)) / Decimal(10**6)


def oracle(case: Case, locations: list | None = None) -> Expected:
    """What reading ``case`` must give (see :class:`Expected`); ``locations``: each row's line or row."""
    if case.fault in STRUCTURAL:
        return Expected(refused=case.fault)
    rows = list(case.rows)
    locations = locations or list(range(1, len(rows) + 1))
    if case.drop_duplicates:
        seen, kept_rows, kept_locations = set(), [], []
        for i, (row, location) in enumerate(zip(rows, locations, strict=True)):
            cells = [row[f].raw for f in case.fields] + [values[i] for _, values in case.extras]
            if case.source == "csv":  # a CSV cell is its text; an empty one is no value
                cells = ["" if c is None else str(c) for c in cells]
            key = tuple(repr(c) for c in cells)
            if key not in seen:
                seen.add(key)
                kept_rows.append(row)
                kept_locations.append(location)
        rows, locations = kept_rows, kept_locations
    if not rows:
        return Expected(refused="no rows")
    whole_floats = _whole_float_ids(case, rows)
    family, dmy = (None, None)
    if case.dtypes["date"] in ("text", "int") and case.date_format is None:
        family, dmy = _decide_family(case, rows)
        if family == "refused":
            return Expected(refused=dmy)
    reasons, good = [], []
    n_dates = n_failed = 0
    for row in rows:
        cid = _id_of(row["customer_id"], case.dtypes["customer_id"], whole_floats)
        day = _day_of(case, row["date"], family, dmy)
        raw_date = row["date"].raw
        if case.dtypes["date"] in ("text", "int") and _text(raw_date if not isinstance(raw_date, int)
                                                             else str(raw_date)) is not None:
            n_dates += 1
            n_failed += day is None
        if "price" in case.fields:
            price, quantity = _number(row["price"]), _number(row["quantity"])
            amount = None if price is None or quantity is None else price * quantity
            exact = None if amount is None else _written(row["price"]) * _written(row["quantity"])
        else:
            price = quantity = None
            amount = _number(row["amount"])
            exact = None if amount is None else _written(row["amount"])
        order = _text(row["order_id"].raw if not isinstance(row["order_id"].raw, int)
                      else str(row["order_id"].raw)) if "order_id" in case.fields else None
        if cid is None:
            reason = "missing customer"
        elif CONTROL.search(cid):
            reason = "bad customer"
        elif day is None:
            reason = "bad date"
        elif "price" not in case.fields and (amount is None or abs(amount) >= AMOUNT_BOUND):
            reason = "bad amount"
        elif "price" in case.fields and price is None:
            reason = "bad price"
        elif "price" in case.fields and quantity is None:
            reason = "bad quantity"
        elif "price" in case.fields and not abs(amount) < AMOUNT_BOUND:
            reason = "bad price"
        elif "order_id" in case.fields and order is None:
            reason = "missing order"
        else:
            reason = None
        reasons.append(reason)
        if reason is None:
            good.append((cid, day, _money(exact), order, _duckdb_money(amount)))
    counts = Counter(r for r in reasons if r is not None)
    rejects = [(loc, r) for loc, r in zip(locations, reasons, strict=True) if r is not None]
    expected = Expected(rejects=rejects, rows_read=len(rows), rows_kept=len(good), float_ids=whole_floats)
    if counts["missing customer"] and case.missing_customers == "error":
        expected.refused = "missing customers"
    elif sum(n for r, n in counts.items() if r != "missing customer") and case.on_bad_rows == "error":
        expected.refused = "bad rows"
    elif n_failed and n_failed > 0.5 * n_dates and (family is not None or case.date_format is not None):
        expected.refused = "most dates unread"
    elif not good:
        expected.refused = "every row left out"
    if expected.refused is None:
        orders = "order_id" in case.fields
        expected.features = oracle_features([g[:4] for g in good], case.as_of, case.time_unit, orders)
        cast = oracle_features([g[:2] + g[4:] + g[3:4] for g in good], case.as_of, case.time_unit, orders)
        expected.money_defect = not expected.features.equals(cast)
    return expected


def oracle_features(lines: list, as_of: str, time_unit: str, orders: bool) -> pd.DataFrame:
    """RFM features of good lines ``(customer, day, amount as Decimal, order)`` by the README's definition.

    A purchase day is a day with a line of non-negative amount; frequency counts purchase days,
    or distinct orders with a non-negative line; monetary is the net sum of every line up to
    ``as_of``; the buy-till-you-die columns follow lifetimes' summary.
    """
    end = dt.date.fromisoformat(as_of)
    unit = {"D": 1.0, "W": 7.0}[time_unit]
    table = pd.DataFrame(lines, columns=["customer_id", "day", "amount", "order"])
    table = table[table["day"] <= end]
    rows = []
    for customer, own in table.groupby("customer_id", sort=True):
        days = {}
        for day, amount in zip(own["day"], own["amount"], strict=True):
            spend, purchase = days.get(day, (Decimal(0), False))
            days[day] = (spend + amount, purchase or amount >= 0)
        purchase_days = sorted(d for d, (_, p) in days.items() if p)
        if not purchase_days:
            continue  # returns alone are not a purchase occasion
        first, last = purchase_days[0], purchase_days[-1]
        monetary = sum((s for s, _ in days.values()), Decimal(0))
        repeat = sum((days[d][0] for d in purchase_days[1:]), Decimal(0))
        n = len(purchase_days)
        frequency = own.loc[own["amount"] >= 0, "order"].nunique() if orders else n
        rows.append({"customer_id": customer, "recency": (end - last).days / unit, "frequency": int(frequency),
                     "monetary": float(monetary), "tenure": (end - first).days / unit,
                     "first_purchase": pd.Timestamp(first), "last_purchase": pd.Timestamp(last),
                     "frequency_btyd": float(n - 1), "recency_btyd": (last - first).days / unit,
                     "T": (end - first).days / unit, "monetary_btyd": float(repeat) / (n - 1) if n > 1 else 0.0})
    frame = pd.DataFrame(rows, columns=["customer_id", *FEATURES])
    frame = frame.astype({"customer_id": "str", "frequency": "int64", "first_purchase": "datetime64[us]",
                          "last_purchase": "datetime64[us]"})
    for column in ("recency", "monetary", "tenure", "frequency_btyd", "recency_btyd", "T", "monetary_btyd"):
        frame[column] = frame[column].astype("float64")
    frame = frame.set_index("customer_id")
    frame.attrs.update(as_of=as_of, time_unit=time_unit, holdout_end=None,
                       frequency_of="orders" if orders else "purchase_days")
    return frame


def comparable(features: pd.DataFrame) -> pd.DataFrame:
    """The feature columns of a table from tierkit, in the oracle's types and order."""
    out = features.copy()
    if "customer_id" in out.columns:
        out = out.set_index("customer_id")
    out.index = out.index.astype("str")
    out.index.name = "customer_id"
    out = out[FEATURES].copy()
    for column in ("first_purchase", "last_purchase"):
        out[column] = pd.to_datetime(out[column]).astype("datetime64[us]")
    out["frequency"] = out["frequency"].astype("int64")
    for column in ("recency", "monetary", "tenure", "frequency_btyd", "recency_btyd", "T", "monetary_btyd"):
        out[column] = out[column].astype("float64")
    return out.sort_index()


def assert_features_equal(got: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    """Same customers and feature values, exactly (sums are exact decimals, rounded once)."""
    pd.testing.assert_frame_equal(comparable(got), comparable(expected), check_exact=True, obj=what,
                                  check_index_type=False, check_column_type=False)


def locations_named(case: Case, expected: Expected) -> list:
    """``(location, reason)`` of the rows a path must name: the first bad row of a refusal, or every reject."""
    if expected.refused == "missing customers":
        return [next(r for r in expected.rejects if r[1] == "missing customer")]
    if expected.refused == "bad rows":
        return [next(r for r in expected.rejects if r[1] != "missing customer")]
    if expected.refused is None and case.rejects:
        return list(expected.rejects)
    return []


def line_defect(case: Case, expected: Expected, locations: list) -> bool:
    """Whether a row this case must name lies after a record spanning two lines (see ``LINE_DEFECT``)."""
    if case.source != "csv" or not case.records:
        return False
    record_of = dict(zip(locations, case.records, strict=True))
    return any(record_of[loc] != loc for loc, _ in locations_named(case, expected))


# -- what a defect changes -----------------------------------------------------------------------

#: The text cells pandas' ``read_excel`` turns into missing values by default (``na_values``).
EXCEL_NA_TEXTS = frozenset(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                            "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"])


def excel_na_variant(case: Case) -> Case:
    """The case as seen by a reader taking a workbook's text cells ``NA``, ``null``, ``None`` ... for empty ones."""
    import copy

    variant = copy.copy(case)
    variant.rows = [{f: Cell(None, c.tag) if isinstance(c.raw, str) and c.raw in EXCEL_NA_TEXTS else c
                     for f, c in row.items()} for row in case.rows]
    return variant


def signature(case: Case, expected: Expected) -> tuple:
    """What the tests check of an outcome: refused or not, the rows named, the counts, rejects and features."""
    if expected.refused is not None:
        return ("refused", tuple(locations_named(case, expected)))
    features = None if expected.features is None else expected.features.to_dict("split")
    return ("read", expected.rows_read, expected.rows_kept, tuple(expected.rejects), expected.float_ids, repr(features))


_REASON_FIELD = {"bad customer": "customer_id", "bad date": "date", "bad amount": "amount", "bad price": "price",
                 "bad quantity": "quantity", "missing order": "order_id"}


def empty_text_named(case: Case, expected: Expected, locations: list | None = None) -> bool:
    """Whether a message about the first bad row (a refusal, or the warning of rows left out) shows a cell ``""``.

    A file cannot hold ``""`` apart from an empty cell; a frame (or a JSON request) can.
    """
    if expected.refused not in (None, "bad rows"):
        return False
    locations = locations or list(range(1, len(case.rows) + 1))
    first = next(((loc, r) for loc, r in expected.rejects if r != "missing customer"), None)
    if first is None:
        return False
    row = case.rows[locations.index(first[0])]
    return row[_REASON_FIELD[first[1]]].raw == ""
