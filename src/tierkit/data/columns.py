"""The column map (which source column holds which transaction field) and the reading options."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from tierkit.errors import DataError, Param

_COLUMNS = Param("columns")

#: Optional canonical fields, after ``customer_id``, ``date`` and ``amount``.
OPTIONAL_COLUMNS = ("order_id", "quantity", "profit")


@dataclass(frozen=True)
class ColumnMap:
    """Names of the source columns that hold each transaction field.

    ``None`` for an optional field means the source has no such column. With ``price`` and
    ``quantity`` and no ``amount`` column, a line's amount is price x quantity. A file read
    without a header names its columns by 1-based position: ``"1"``, ``"2"`` ...

    Parameters
    ----------
    customer_id, date : str, default="customer_id", "date"
        Columns of the customer key and the purchase date.
    amount : str or None, default="amount"
        Column of the net amount of a line.
    order_id, quantity, profit, price : str, optional
        Columns of the optional fields.

    Examples
    --------
    >>> ColumnMap(customer_id="Customer ID", date="InvoiceDate", amount="Revenue").amount
    'Revenue'
    >>> ColumnMap(amount=None, price="UnitPrice", quantity="Quantity").fields()["price"]
    'UnitPrice'
    """

    customer_id: str = "customer_id"
    date: str = "date"
    amount: str | None = "amount"
    order_id: str | None = None
    quantity: str | None = None
    profit: str | None = None
    price: str | None = None

    def fields(self) -> dict[str, str]:
        """Canonical name -> source name, for the fields that are mapped."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def checked(self) -> ColumnMap:
        """The map with its rules checked: amount, or price with quantity; a one-line error otherwise.

        Examples
        --------
        >>> ColumnMap(price="p", quantity="q").checked().amount is None
        True
        """
        mapped = self
        if self.price is not None and self.amount == "amount":
            mapped = replace(self, amount=None)  # the default amount name gives way to price x quantity
        if mapped.price is not None and mapped.amount is not None:
            raise DataError("amount_and_price", param=_COLUMNS, amount=repr(mapped.amount))
        if mapped.price is not None and mapped.quantity is None:
            raise DataError("price_needs_quantity", param=_COLUMNS, price=repr(mapped.price))
        if mapped.amount is None and mapped.price is None:
            raise DataError("no_amount", param=_COLUMNS)
        names = [v for v in mapped.fields().values()]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise DataError("mapped_twice", param=_COLUMNS, names=", ".join(map(repr, repeated)))
        return mapped


MISSING_CUSTOMERS = ("error", "drop")
ON_BAD_ROWS = ("error", "skip")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a transaction file: layout, dates and the policy for bad rows.

    Parameters
    ----------
    sep : str, optional
        Field separator of a text file (``"whitespace"`` for runs of blanks); sniffed when None.
    encoding : str, optional
        Text encoding; UTF-8 with or without BOM when None.
    sheet : str or int, default=0
        Sheet of an .xlsx workbook.
    header : bool, default=True
        Whether a text file's first line names the columns (else ``"1"``, ``"2"`` ...).
    date_format : str, optional
        ``strftime`` format of the dates; decided from all values when None.
    timezone : str, optional
        IANA zone (``Asia/Shanghai``) whose clock time-zone-aware timestamps are converted to.
    missing_customers : {"error", "drop"}, default="error"
        Rows without a customer id: refuse the file, or leave them out with a warning.
    on_bad_rows : {"error", "skip"}, default="error"
        Rows with a bad date or number: refuse the file, or leave them out with a warning
        (and write them to ``rejects``).
    rejects : str or Path, optional
        CSV file for the rows left out, with their line and reason.
    drop_duplicates : bool, default=False
        Drop rows that repeat another row in every source column.
    """

    sep: str | None = None
    encoding: str | None = None
    sheet: str | int = 0
    header: bool = True
    date_format: str | None = None
    timezone: str | None = None
    missing_customers: str = "error"
    on_bad_rows: str = "error"
    rejects: str | Path | None = None
    drop_duplicates: bool = False

    def checked(self) -> ReadOptions:
        """These options with their values checked; one-line error naming the option otherwise.

        Examples
        --------
        >>> ReadOptions(on_bad_rows="ignore").checked()
        Traceback (most recent call last):
        ...
        tierkit.errors.DataError: on_bad_rows 'ignore': expected 'error' or 'skip'
        """
        if self.missing_customers not in MISSING_CUSTOMERS:
            raise DataError("option_choice", param=Param("missing_customers"), value=repr(self.missing_customers),
                            choices="'error' or 'drop'")
        if self.on_bad_rows not in ON_BAD_ROWS:
            raise DataError("option_choice", param=Param("on_bad_rows"), value=repr(self.on_bad_rows),
                            choices="'error' or 'skip'")
        if self.timezone is not None:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise DataError("bad_timezone", param=Param("timezone"), timezone=repr(self.timezone)) from None
        if self.date_format is not None:
            from tierkit.data.dates import compile_date_format

            compile_date_format(self.date_format)
        if self.rejects is not None and Path(str(self.rejects)).suffix.lower() != ".csv":
            raise DataError("rejects_csv", param=Param("rejects"), path=repr(str(self.rejects)))
        return self


#: The reading options a saved model records and applies to the next file of the same shape. The
#: rejects file is a per-run output, not a way of reading, and is never recorded.
RECORDED_OPTIONS = ("sep", "encoding", "sheet", "header", "date_format", "timezone", "missing_customers",
                    "on_bad_rows", "drop_duplicates")


def reading_record(columns: ColumnMap | None, options: ReadOptions | None) -> dict:
    """How transactions were read, as plain JSON: the column map and the reading options.

    A fitted :class:`tierkit.Segmentation` keeps this record (``reading_``) and a saved model
    carries it in ``standards.json``, so ``tierkit score`` reads next month's file of the same
    shape the way training read this one, with no option repeated.

    Parameters
    ----------
    columns : ColumnMap, optional
        The column map (default the canonical names).
    options : ReadOptions, optional
        The reading options (default :class:`ReadOptions`); ``rejects`` is left out.

    Returns
    -------
    dict
        ``{"columns": {field: source column or None}, "options": {name: value}}``.

    Examples
    --------
    >>> r = reading_record(ColumnMap(customer_id="CustomerID", amount=None, price="UnitPrice",
    ...                              quantity="Quantity"), ReadOptions(missing_customers="drop"))
    >>> r["columns"]["price"], r["options"]["missing_customers"]
    ('UnitPrice', 'drop')
    >>> reading_from_record(r)[0] == ColumnMap(customer_id="CustomerID", amount=None, price="UnitPrice",
    ...                                        quantity="Quantity")
    True
    """
    columns = (columns or ColumnMap()).checked()
    options = options or ReadOptions()
    return {"columns": {f.name: getattr(columns, f.name) for f in fields(columns)},
            "options": {name: getattr(options, name) for name in RECORDED_OPTIONS}}


def reading_from_record(record: dict) -> tuple[ColumnMap, ReadOptions]:
    """The column map and reading options of a :func:`reading_record` (``rejects`` unset).

    Raises
    ------
    DataError
        The record names a field or option this version does not know.
    """
    known = {f.name for f in fields(ColumnMap)}
    unknown = sorted(set(record.get("columns", {})) - known) + sorted(set(record.get("options", {}))
                                                                       - set(RECORDED_OPTIONS))
    if unknown:
        raise DataError("record_fields", fields=", ".join(map(repr, unknown)))
    return ColumnMap(**record.get("columns", {})), ReadOptions(**record.get("options", {}))
