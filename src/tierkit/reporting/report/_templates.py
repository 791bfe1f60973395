"""The Jinja2 environment of the report: templates shipped in ``templates/``, autoescaped.

Escaping is Jinja2's (``autoescape``): every value a template prints is HTML-escaped unless
it is :class:`markupsafe.Markup`, and the report never makes one from data. Missing
variables are errors (:class:`jinja2.StrictUndefined`), not empty cells. The filters here
only format numbers; they return plain text, which the template then escapes.
"""

from __future__ import annotations

import base64
import functools
import math
import numbers

import jinja2

#: The template of the whole page.
PAGE = "report.html.j2"


def cell(value) -> str:
    """Text of one value: numbers formatted, missing values blank (not escaped: the template escapes).

    Examples
    --------
    >>> [cell(v) for v in (1234567, 0.123456, 12345.6, float("nan"), None, True, float("-inf"), "a<b")]
    ['1,234,567', '0.1235', '12,346', '', '', 'True', '-∞', 'a<b']
    """
    if missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(value)


def missing(value) -> bool:
    """Whether a value shows as a blank cell (None or NaN).

    Examples
    --------
    >>> missing(None), missing(float("nan")), missing(0.0), missing("")
    (True, True, False, False)
    """
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
                             and math.isnan(float(value)))


def numeric(value) -> bool:
    """Whether a value is a number (not a bool): such cells are right-aligned.

    Examples
    --------
    >>> numeric(3), numeric(float("nan")), numeric(True), numeric("3")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


#: Formats a table column can ask for (``Table.formats``); missing values stay blank.
FORMATS = {
    "percent": lambda v: f"{100 * float(v):.1f}%",
    "money": lambda v: f"{float(v):,.2f}",
    "one": lambda v: f"{float(v):.1f}",
    "signed": lambda v: f"{float(v):+.1f}",
    "signed_percent": lambda v: f"{100 * float(v):+.0f}%",
}


def fmt(value, kind: str | None = None) -> str:
    """``value`` in the format ``kind`` (a key of :data:`FORMATS`), or as :func:`cell` without one.

    Examples
    --------
    >>> fmt(0.4567, "percent"), fmt(1234.5, "money"), fmt(33.333, "signed"), fmt(float("nan"), "money")
    ('45.7%', '1,234.50', '+33.3', '')
    >>> fmt(-0.67, "signed_percent")
    '-67%'
    """
    if kind is None or missing(value):
        return cell(value)
    return FORMATS[kind](value)


def b64(data: bytes) -> str:
    """Bytes as base64 text (for ``data:`` URIs, so the report stays one file).

    Examples
    --------
    >>> b64(b"png")
    'cG5n'
    """
    return base64.b64encode(data).decode("ascii")


@functools.cache
def environment() -> jinja2.Environment:
    """The report's Jinja2 environment (built once).

    Templates are loaded from the package (``tierkit.reporting.report``, folder
    ``templates``), so they are found in an installed wheel too. Autoescaping is on for
    ``.html.j2`` templates and for templates made from strings; undefined variables raise
    :class:`jinja2.UndefinedError`.

    Returns
    -------
    jinja2.Environment

    Examples
    --------
    >>> env = environment()
    >>> env.autoescape(PAGE), env.undefined is jinja2.StrictUndefined
    (True, True)
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tierkit.reporting.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True,
                                            default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cell=cell, fmt=fmt, b64=b64)
    env.tests.update(numeric=numeric)
    return env
