"""Options shared by the commands that read transactions."""

from __future__ import annotations

import functools

import click

from tierkit.transactions import read_transactions


def transaction_options(command):
    """Add the column map options (``--customer-col`` ...) to a command."""
    options = [
        click.option("--customer-col", default="customer_id", show_default=True, help="Column with the customer id."),
        click.option("--date-col", default="date", show_default=True, help="Column with the purchase date or timestamp."),
        click.option("--amount-col", default="amount", show_default=True, help="Column with the net amount (returns negative)."),
        click.option("--order-col", default=None, help="Column with the order id (purchase occasions = distinct orders)."),
        click.option("--quantity-col", default=None, help="Column with the quantity."),
        click.option("--profit-col", default=None, help="Column with the profit (ABC tiers then rank by profit)."),
        click.option("--date-format", default=None, help="strftime format of the dates, e.g. %d/%m/%Y."),
        click.option("--drop-duplicates", is_flag=True, help="Drop rows that repeat another row exactly."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def read_from_options(path, opts: dict):
    """Read transactions with the column map given on the command line."""
    return read_transactions(
        path,
        customer_id=opts["customer_col"],
        date=opts["date_col"],
        amount=opts["amount_col"],
        order_id=opts["order_col"],
        quantity=opts["quantity_col"],
        profit=opts["profit_col"],
        date_format=opts["date_format"],
        drop_duplicates=opts["drop_duplicates"],
    )


TRANSACTION_OPTION_NAMES = (
    "customer_col", "date_col", "amount_col", "order_col", "quantity_col", "profit_col", "date_format", "drop_duplicates",
)


def pop_transaction_options(kwargs: dict) -> dict:
    """Split the column map options off a command's keyword arguments."""
    return {name: kwargs.pop(name) for name in TRANSACTION_OPTION_NAMES}
