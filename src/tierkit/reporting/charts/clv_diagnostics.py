"""Charts of the CLV diagnostics (:mod:`tierkit.clv.diagnostics`): tracking, histogram, matrices, comparison.

Every function takes one :class:`~tierkit.clv.diagnostics.ModelDiagnostics` (or the
:class:`~tierkit.clv.diagnostics.CLVDiagnostics` for the comparison), ``ax=None`` and
``lang``, and returns the Axes; labels are in English or Chinese.
"""

from __future__ import annotations

import numpy as np

from tierkit.reporting.charts._common import check, new_axes, write_charts
from tierkit.reporting.charts.fonts import chart_fonts

#: Labels of the diagnostic charts: key -> (English, Chinese).
LABELS = {
    "actual": ("actual", "实际"),
    "model": ("{model}", "{model} 模型"),
    "period": ("week", "周"),
    "weekly": ("Weekly repeat purchases: {model}", "每周重复购买: {model}"),
    "cumulative": ("Cumulative repeat purchases: {model}", "累计重复购买: {model}"),
    "repeat_per_week": ("repeat purchases", "重复购买次数"),
    "holdout_starts": ("holdout starts", "验证期开始"),
    "histogram": ("Calibration repeat purchases: {model} (chi-square p = {p})",
                  "校准期重复购买分布: {model} (卡方检验 p = {p})"),
    "repeat_purchases": ("repeat purchases in the calibration period", "校准期重复购买次数"),
    "customers": ("customers", "客户数"),
    "conditional": ("Conditional expectations: {model}", "条件期望: {model}"),
    "holdout_mean": ("mean purchases in the holdout period", "验证期平均购买次数"),
    "p_alive": ("P(alive): {model}", "存活概率: {model}"),
    "expected_next": ("Expected purchases in the next {unit}: {model}", "下一{unit}期望购买次数: {model}"),
    "frequency": ("frequency (repeat purchases)", "频次 (重复购买次数)"),
    "recency": ("recency (age at last purchase)", "最近购买时的客户年龄"),
    "comparison": ("Models on the same holdout: cumulative tracking", "同一验证期的模型比较: 累计跟踪"),
    "unit_W": ("week", "周"),
    "unit_D": ("day", "天"),
}


def _w(key: str, lang: str, **fmt) -> str:
    return LABELS[key][1 if lang == "zh" else 0].format(**fmt)


def plot_tracking(diag, ax=None, lang: str = "en", cumulative: bool = False):
    """Repeat purchases per week (or cumulative), actual and model, with the holdout's start marked.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = pd.DataFrame({"phase": ["calibration", "holdout"], "actual": [1, 2], "predicted": [1.5, 1.5],
    ...                   "cumulative_actual": [1, 3], "cumulative_predicted": [1.5, 3.0]}, index=[1, 2])
    >>> ax = plot_tracking(SimpleNamespace(tracking=t, label="BG/NBD"), cumulative=True)
    >>> ax.get_lines()[1].get_ydata().tolist()
    [1.5, 3.0]
    """
    check(lang)
    table = diag.tracking
    prefix = "cumulative_" if cumulative else ""
    with chart_fonts(lang):
        ax = new_axes(ax)
        ax.plot(table.index, table[f"{prefix}actual"], color="#4C72B0", label=_w("actual", lang))
        ax.plot(table.index, table[f"{prefix}predicted"], color="#DD8452", linestyle="--",
                label=_w("model", lang, model=diag.label))
        holdout = table.index[table["phase"] == "holdout"]
        if len(holdout):
            ax.axvline(holdout[0] - 0.5, color="grey", linestyle=":", label=_w("holdout_starts", lang))
        ax.set_xlabel(_w("period", lang))
        ax.set_ylabel(_w("repeat_per_week", lang))
        ax.set_title(_w("cumulative" if cumulative else "weekly", lang, model=diag.label))
        ax.legend()
    return ax


def plot_frequency_histogram(diag, ax=None, lang: str = "en"):
    """Customers by calibration repeat purchases (0 .. 7+), actual and expected, side by side."""
    check(lang)
    table = diag.histogram
    positions = np.arange(len(table))
    with chart_fonts(lang):
        ax = new_axes(ax)
        ax.bar(positions - 0.2, table["actual"], width=0.4, color="#4C72B0", label=_w("actual", lang))
        ax.bar(positions + 0.2, table["expected"], width=0.4, color="#DD8452", label=_w("model", lang,
                                                                                      model=diag.label))
        ax.set_xticks(positions, [str(i) for i in table.index])
        ax.set_xlabel(_w("repeat_purchases", lang))
        ax.set_ylabel(_w("customers", lang))
        p = diag.chi_square["p_value"]
        ax.set_title(_w("histogram", lang, model=diag.label, p="n/a" if np.isnan(p) else f"{p:.3g}"))
        ax.legend()
    return ax


def plot_conditional(diag, ax=None, lang: str = "en"):
    """Mean holdout purchases, actual and predicted, by calibration repeat purchases."""
    check(lang)
    table = diag.conditional
    positions = np.arange(len(table))
    with chart_fonts(lang):
        ax = new_axes(ax)
        ax.plot(positions, table["actual"], marker="o", label=_w("actual", lang))
        ax.plot(positions, table["predicted"], marker="s", linestyle="--", label=_w("model", lang, model=diag.label))
        ax.set_xticks(positions, [str(i) for i in table.index])
        ax.set_xlabel(_w("repeat_purchases", lang))
        ax.set_ylabel(_w("holdout_mean", lang))
        ax.set_title(_w("conditional", lang, model=diag.label))
        ax.legend()
    return ax


def plot_matrix(diag, ax=None, lang: str = "en", which: str = "p_alive", unit: str = "W"):
    """Heat map of the P(alive) matrix (``which="p_alive"``) or the next-period expectation matrix."""
    check(lang)
    table = diag.p_alive_matrix if which == "p_alive" else diag.frequency_recency_matrix
    with chart_fonts(lang):
        ax = new_axes(ax, figsize=(7.0, 5.5))
        image = ax.imshow(np.ma.masked_invalid(table.to_numpy(dtype="float64")), origin="upper", aspect="auto",
                          cmap="viridis", interpolation="nearest")
        ax.figure.colorbar(image, ax=ax)
        ax.set_xlabel(_w("recency", lang))
        ax.set_ylabel(_w("frequency", lang))
        title = (_w("p_alive", lang, model=diag.label) if which == "p_alive"
                 else _w("expected_next", lang, model=diag.label, unit=_w(f"unit_{unit}", lang)))
        ax.set_title(title)
    return ax


def plot_model_comparison(result, ax=None, lang: str = "en"):
    """Cumulative repeat purchases of every model against the actual ones, on one chart."""
    check(lang)
    with chart_fonts(lang):
        ax = new_axes(ax)
        first = next(iter(result.models.values()))
        ax.plot(first.tracking.index, first.tracking["cumulative_actual"], color="black", linewidth=2,
                label=_w("actual", lang))
        for d in result.models.values():
            ax.plot(d.tracking.index, d.tracking["cumulative_predicted"], linestyle="--",
                    label=f"{d.label} ({100 * d.tracking_error:+.1f}%)")
        holdout = first.tracking.index[first.tracking["phase"] == "holdout"]
        if len(holdout):
            ax.axvline(holdout[0] - 0.5, color="grey", linestyle=":", label=_w("holdout_starts", lang))
        ax.set_xlabel(_w("period", lang))
        ax.set_ylabel(_w("repeat_per_week", lang))
        ax.set_title(_w("comparison", lang))
        ax.legend()
    return ax


def diagnostic_charts(result, lang: str = "en") -> list:
    """``(file stem, Axes)`` of every diagnostic chart of a :class:`~tierkit.clv.diagnostics.CLVDiagnostics`."""
    charts = [("clv_model_comparison", plot_model_comparison(result, lang=lang))] if result.models else []
    for name, d in result.models.items():
        charts += [
            (f"clv_tracking_{name}", plot_tracking(d, lang=lang)),
            (f"clv_tracking_cumulative_{name}", plot_tracking(d, lang=lang, cumulative=True)),
            (f"clv_histogram_{name}", plot_frequency_histogram(d, lang=lang)),
            (f"clv_conditional_{name}", plot_conditional(d, lang=lang)),
            (f"clv_p_alive_{name}", plot_matrix(d, lang=lang, which="p_alive", unit=result.time_unit)),
            (f"clv_frequency_recency_{name}", plot_matrix(d, lang=lang, which="expected", unit=result.time_unit)),
        ]
    return charts


def write_diagnostic_plots(result, folder, lang: str = "en") -> list:
    """The diagnostic charts of ``result`` as PNG files in ``folder`` (created): :func:`diagnostic_charts`.

    Parameters
    ----------
    result : tierkit.clv.diagnostics.CLVDiagnostics
        The diagnostics (:func:`tierkit.clv.diagnostics.clv_diagnostics`).
    folder : str or os.PathLike
        Where the files go, one ``<chart>.png`` per chart.
    lang : {"en", "zh"}, default="en"
        Language of the charts.

    Returns
    -------
    list of pathlib.Path
        The written files.
    """
    return write_charts(diagnostic_charts(result, lang=lang), folder, lang=lang)
