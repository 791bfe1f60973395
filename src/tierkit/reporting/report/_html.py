"""HTML building blocks: every piece of text goes through :func:`html.escape`."""

from __future__ import annotations

import base64
import html
import math
import numbers

import pandas as pd

STYLE = """
body{font-family:-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",
 "PingFang SC",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:3px solid #4C72B0;padding-bottom:.3em}
h2{margin-top:2.2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.35em .6em;vertical-align:top}
th{background:#f3f5f9;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{background:#fff4e5;border-left:4px solid #DD8452;padding:.6em 1em;margin:1em 0}
.charts{display:flex;flex-wrap:wrap;gap:1em}
.charts figure{margin:0;flex:1 1 480px}
.charts img{max-width:100%;height:auto;border:1px solid #eee}
.key{color:#777;font-family:monospace;font-size:.85em}
nav ul{columns:2}
footer{margin-top:3em;color:#777;font-size:.85em}
"""


def esc(value) -> str:
    """Text for HTML: escaped, with numbers formatted and missing values blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return esc(str(value))
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return html.escape(str(value))


def image(png: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG embedded as a data URI (the report stays one file)."""
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}"></figure>'


def table(frame: pd.DataFrame, formats: dict | None = None, index: bool = True, raw: tuple = ()) -> str:
    """A DataFrame as an HTML table; ``formats`` maps a column to a format function.

    Columns in ``raw`` hold HTML already built from escaped parts.
    """
    formats = formats or {}
    head = ([esc(frame.index.name or "")] if index else []) + [esc(c) for c in frame.columns]
    rows = []
    for key, row in frame.iterrows():
        cells = [f"<th>{esc(key)}</th>"] if index else []
        for column, value in row.items():
            if column in raw:
                cells.append(f"<td>{value}</td>")
                continue
            text = formats[column](value) if column in formats and not _missing(value) else esc(value)
            numeric = isinstance(value, numbers.Number) and not isinstance(value, bool)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
    return f"<table><thead>{header}</thead><tbody>{''.join(rows)}</tbody></table>"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value) -> str:
    return f"{100 * float(value):.1f}%"


def money(value) -> str:
    return f"{float(value):,.2f}"


def mapping(data, depth: int = 3) -> str:
    """Diagnostics of any shape: tables for frames, key/value tables for dicts, text otherwise."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        return table(data)
    if isinstance(data, dict):
        scalars = {k: v for k, v in data.items() if not isinstance(v, (dict, pd.DataFrame, pd.Series))}
        parts = []
        if scalars:
            rows = "".join(f"<tr><th>{esc(k)}</th><td>{_scalar(v)}</td></tr>" for k, v in scalars.items())
            parts.append(f"<table><tbody>{rows}</tbody></table>")
        for k, v in data.items():
            if k in scalars:
                continue
            parts.append(f"<h{depth}>{esc(k)}</h{depth}>" + mapping(v, min(depth + 1, 6)))
        return "".join(parts)
    return f"<p>{_scalar(data)}</p>"


def _scalar(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_scalar(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _scalar(value.tolist())
    return esc(value)
