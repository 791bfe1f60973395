"""What the chart modules share: axes creation, UI words in two languages, PNG files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tierkit.output import atomic_path
from tierkit.tiers._base import require_columns
from tierkit.words import check_lang, term


def word(key: str, lang: str, **fmt) -> str:
    """A UI word in ``lang`` (from :data:`tierkit.words.TERMS`)."""
    return term(key, lang, **fmt)


def money_label(label: str, currency: str | None) -> str:
    """A label of money with its currency: ``Mean CLV (USD)``; ``label`` itself without one.

    Parameters
    ----------
    label : str
        What the money is (an axis label, a column header).
    currency : str or None
        The currency (:func:`tierkit.output.check_currency`), or None.

    Returns
    -------
    str

    Examples
    --------
    >>> money_label("Mean CLV", "USD"), money_label("平均CLV", "¥"), money_label("Mean CLV", None)
    ('Mean CLV (USD)', '平均CLV (¥)', 'Mean CLV')
    """
    return f"{label} ({currency})" if currency else label


def money_text(text: str, currency: str | None) -> str:
    """An amount with its currency: a sign before it (``£1,942.89``), a code apart (``USD 1,942.89``).

    Parameters
    ----------
    text : str
        The amount, formatted.
    currency : str or None
        The currency (:func:`tierkit.output.check_currency`), or None.

    Returns
    -------
    str

    Examples
    --------
    >>> money_text("1,942.89", "£"), money_text("1,942.89", "USD"), money_text("1,942.89", None)
    ('£1,942.89', 'USD 1,942.89', '1,942.89')
    """
    if not currency:
        return text
    return f"{currency}{text}" if len(currency) == 1 else f"{currency} {text}"


def new_axes(ax, figsize=(7.0, 4.5)):
    """``ax`` itself, or the Axes of a new :class:`~matplotlib.figure.Figure` (no pyplot)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.subplots()


def figure_png(fig, dpi: int = 100, lang: str = "en") -> bytes:
    """The figure as PNG bytes (drawn with the CJK font fallback of :func:`chart_fonts`)."""
    from tierkit.reporting.charts.fonts import chart_fonts

    buffer = io.BytesIO()
    with chart_fonts(lang):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def write_charts(charts, folder, lang: str = "en") -> list[Path]:
    """Write named charts as PNG files ``<name>.png`` in ``folder`` (created), each atomically.

    Parameters
    ----------
    charts : iterable of (str, matplotlib.axes.Axes)
        The file stem and the Axes of each chart.
    folder : str or os.PathLike
        Where the files go.
    lang : {"en", "zh"}, default="en"
        Language of the charts' text, for the CJK font fallback (:func:`figure_png`).

    Returns
    -------
    list of pathlib.Path
        The written files, in the order of ``charts``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, ax in charts:
        path = folder / f"{name}.png"
        with atomic_path(path) as tmp:
            tmp.write_bytes(figure_png(ax.figure, lang=lang))
        paths.append(path)
    return paths


def require(table: pd.DataFrame, columns, who: str) -> None:
    """The columns a chart needs (:func:`tierkit.tiers._base.require_columns`)."""
    require_columns(table, columns, who, what="column")


def check(lang: str) -> str:
    return check_lang(lang)


#: What a money chart says instead of a drawing when there is no revenue to share out.
NOTHING_TO_SHOW = {
    "all_zero": ("Nothing to show: all amounts are zero", "无可显示: 所有金额均为零"),
    "none_positive": ("Nothing to show: no revenue above zero", "无可显示: 没有大于零的收入"),
}


def no_revenue(values) -> str | None:
    """Why a chart of the shares of ``values`` (clipped at zero) has nothing to draw, else ``None``.

    ``"all_zero"`` when every amount is zero, ``"none_positive"`` when none is above zero
    (returns outweigh purchases), a key of :data:`NOTHING_TO_SHOW`.

    Examples
    --------
    >>> no_revenue([0.0, 0.0]), no_revenue([-5.0, 0.0]), no_revenue([0.0, 3.0]) is None
    ('all_zero', 'none_positive', True)
    """
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if (v > 0).any():
        return None
    return "all_zero" if (v == 0).all() else "none_positive"


def show_nothing(ax, why: str, lang: str, title: str):
    """Write on ``ax``, in place of a chart, that there is nothing to show and why (:data:`NOTHING_TO_SHOW`)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, NOTHING_TO_SHOW[why][1 if lang == "zh" else 0], transform=ax.transAxes, ha="center",
            va="center", fontsize=11, color="#555555")
    ax.set_title(title)
    return ax
