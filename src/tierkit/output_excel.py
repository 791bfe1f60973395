"""Excel workbooks made for people: named sheets, a frozen header, filters, fitted widths, formats.

:func:`write_workbook` writes a table of customers (or any table) as the sheet ``customers``
(``客户`` in Chinese), then the further sheets its caller gives: for a graded table, one
summary-and-strategy sheet per scheme (:func:`tierkit.evaluation.summary.summary_sheets`,
which the grading workflow and ``tierkit segment`` pass): tier, customers, share, revenue,
revenue share, mean R/F/M, strategy. The summaries are an evaluation, a stage above this
writer: it lays them out, it does not compute them.

Every sheet has its header row frozen, an autofilter over the whole table and column widths
fitted to the widest header or value (a Chinese, Japanese or Korean character counts two).
Cells hold the full-precision value; only the number format rounds what is shown:

==================================  ====================  ===============================
column                              format                shows
==================================  ====================  ===============================
dates                               ``yyyy-mm-dd``        1997-01-01 (no 00:00:00)
shares (``customer_share`` ...)     ``0.0%``              19.7%
money (``monetary``, ``clv`` ...)   ``#,##0.00``          1,234.57
money with a currency code          ``#,##0.00 "USD"``    1,234.57 USD
money with a currency sign          ``"¥"#,##0.00``       ¥1,234.57
whole numbers (counts, scores)      ``#,##0``             1,234
other decimals (``p_alive`` ...)    ``0.000``             0.661
==================================  ====================  ===============================

Text cells are stored as text, never as formulas (and text that would run as a formula gets a
leading ``'``, see :func:`tierkit.output.neutralise_formulas`). CSV and Parquet keep the full
precision and no formatting; they are written by :func:`tierkit.output.write_table`.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns holding money: shown with two decimals and thousands separators, and with the currency
#: in their header and number format when one is given (the one list of money columns of the outputs).
MONEY_COLUMNS = frozenset({
    "monetary", "monetary_btyd", "profit", "holdout_spend", "expected_spend", "clv", "net_clv", "clv_low",
    "clv_high", "net_clv_low", "net_clv_high", "clv_predictive_low", "clv_predictive_high", "net_clv_predictive_low",
    "net_clv_predictive_high", "revenue", "mean_monetary", "gap", "amount",
})
#: Columns holding a share of a whole: shown as a percentage with one decimal.
SHARE_COLUMNS = frozenset({"customer_share", "revenue_share"})
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
SHARE_FORMAT = "0.0%"
MONEY_FORMAT = "#,##0.00"
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "0.000"
#: Widths in characters: never narrower than Excel's default, never wider than this.
MIN_WIDTH, MAX_WIDTH = 8.43, 60.0
#: Rows looked at to fit a column's width (the widest of these, and of the header, wins).
WIDTH_SAMPLE = 5000
SHEET_NAMES = {"customers": ("customers", "客户")}


def display_width(text: str) -> int:
    """Width of ``text`` in a fixed-width font: wide (CJK) characters count two.

    Examples
    --------
    >>> display_width("abc"), display_width("客户编号"), display_width("RFM分类")
    (3, 8, 7)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def number_format(key: str, values: pd.Series) -> str | None:
    """The Excel number format of a column, from its key and its values (``None``: as it is).

    Parameters
    ----------
    key : str
        The column's key (``monetary``, ``customer_share`` ...), not its display label.
    values : pandas.Series

    Returns
    -------
    str or None

    Examples
    --------
    >>> number_format("clv", pd.Series([1.5])), number_format("revenue_share", pd.Series([0.25]))
    ('#,##0.00', '0.0%')
    >>> number_format("recency", pd.Series([200.0, 3.0])), number_format("p_alive", pd.Series([0.5]))
    ('#,##0', '0.000')
    >>> number_format("first_purchase", pd.Series(pd.to_datetime(["1997-01-01"])))
    'yyyy-mm-dd'
    """
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        times = values.dropna()
        return DATE_FORMAT if (times == times.dt.normalize()).all() else DATETIME_FORMAT
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return None
    if key in SHARE_COLUMNS:
        return SHARE_FORMAT
    if key in MONEY_COLUMNS:
        return MONEY_FORMAT
    if pd.api.types.is_integer_dtype(dtype):
        return WHOLE_FORMAT
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    numbers = numbers[np.isfinite(numbers)]
    return WHOLE_FORMAT if np.array_equal(numbers, np.round(numbers)) else DECIMAL_FORMAT


def money_format(currency: str | None) -> str:
    """The number format of money in ``currency``: a code after the amount, a sign before it.

    Examples
    --------
    >>> money_format("USD"), money_format("¥"), money_format(None)
    ('#,##0.00 "USD"', '"¥"#,##0.00', '#,##0.00')
    """
    if not currency:
        return MONEY_FORMAT
    if currency.isalpha() and currency.isascii():
        return f'{MONEY_FORMAT} "{currency}"'
    return f'"{currency}"{MONEY_FORMAT}'


def _shown(values: pd.Series, fmt: str | None) -> pd.Series:
    """The text a column's cells show, roughly, to fit the width to."""
    if fmt == SHARE_FORMAT:
        return values.map(lambda v: f"{v:.1%}" if pd.notna(v) else "")
    if fmt in (MONEY_FORMAT, WHOLE_FORMAT):
        digits = 2 if fmt == MONEY_FORMAT else 0
        return values.map(lambda v: f"{v:,.{digits}f}" if pd.notna(v) else "")
    if fmt == DECIMAL_FORMAT:
        return values.map(lambda v: f"{v:.3f}" if pd.notna(v) else "")
    if fmt == DATE_FORMAT:
        return pd.Series(["yyyy-mm-dd"])
    if fmt == DATETIME_FORMAT:
        return pd.Series(["yyyy-mm-dd hh:mm:ss"])
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))


def column_width(header: str, values: pd.Series, fmt: str | None) -> float:
    """Characters wide a column must be to show its header (and filter button) and values.

    Examples
    --------
    >>> column_width("客户编号", pd.Series(["00004"]), None)
    11.0
    """
    shown = _shown(values.iloc[:WIDTH_SAMPLE], fmt)
    widest = max([display_width(str(header)) + 3] + [display_width(s) + 1 for s in shown])
    return float(min(max(widest, MIN_WIDTH), MAX_WIDTH))


def _sheet_name(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of the characters Excel refuses."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]


def write_workbook(frame: pd.DataFrame, path, *, lang: str = "en", headers: str = "keys",
                   currency: str | None = None, sheets: dict | None = None) -> Path:
    """Write ``frame``, and the further sheets given, to an .xlsx workbook laid out for people.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write (its index is not written), columns named by key.
    path : str or os.PathLike
        The .xlsx file (written as it is: :func:`tierkit.output.write_table` makes it atomic).
    lang : {"en", "zh"}, default="en"
        Language of the name of the customers sheet and of the header labels.
    headers : {"keys", "labels"}, default="keys"
        Column keys as headers, or their labels in ``lang``
        (:func:`tierkit.words.header_labels`; a column without one keeps its key).
    currency : str, optional
        The money figures' currency: the money columns of every sheet (:data:`MONEY_COLUMNS`)
        carry it in their header (``monetary (USD)``) and number format (:func:`money_format`).
    sheets : dict, optional
        Further sheets after the customers sheet, name -> table (columns named by key), laid
        out alike: the tier summaries of a graded table
        (:func:`tierkit.evaluation.summary.summary_sheets`). A name is cut to 31 characters,
        those Excel refuses replaced by ``_``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os
    >>> from openpyxl import load_workbook
    >>> out = os.path.join(tempfile.mkdtemp(), "t.xlsx")
    >>> _ = write_workbook(pd.DataFrame({"customer_id": ["a"], "clv": [1.23456]}), out, lang="zh")
    >>> sheet = load_workbook(out)["客户"]
    >>> sheet.freeze_panes, sheet.auto_filter.ref, sheet["B2"].number_format, sheet["B2"].value
    ('A2', 'A1:B2', '#,##0.00', 1.23456)
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from tierkit.output import money_headers, neutralise_formulas
    from tierkit.words import header_labels

    sheets = {SHEET_NAMES["customers"][1 if lang == "zh" else 0]: frame,
              **{_sheet_name(str(name)): table for name, table in (sheets or {}).items()}}
    path = Path(path)
    # Built in memory, then written in one go: openpyxl leaves its zip file open when writing to
    # disk fails (a full disk), and its clean-up then prints a second traceback.
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet_name, table in sheets.items():
            keys = [str(c) for c in table.columns]
            names = header_labels(keys, lang) if headers == "labels" else {}
            names = {**names, **money_headers(keys, currency, names)}
            shown = neutralise_formulas(table.rename(columns=names))
            shown.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    # openpyxl makes "=..." a formula and "#N/A" an error code; text stays text.
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
            for i, key in enumerate(keys, start=1):
                values = table.iloc[:, i - 1]
                fmt = number_format(key, values)
                letter = get_column_letter(i)
                header = sheet.cell(row=1, column=i)
                header.data_type = "s"
                header.font = Font(bold=True)
                cell_format = money_format(currency) if fmt == MONEY_FORMAT else fmt
                if cell_format is not None:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                        cell.number_format = cell_format
                width = column_width(str(shown.columns[i - 1]), values, fmt)
                if cell_format != fmt:  # the currency shown beside each amount
                    width = min(width + display_width(currency) + 1, MAX_WIDTH)
                sheet.column_dimensions[letter].width = width
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
    with open(path, "wb") as handle:
        handle.write(buffer.getbuffer())
    return path
