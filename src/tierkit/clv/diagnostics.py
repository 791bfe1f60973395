"""The diagnostics of Fader, Hardie & Lee (2005) for every buy-till-you-die model of tierkit.

Each function takes a model *module* (:mod:`tierkit.clv.bgnbd`, :mod:`tierkit.clv.mbgnbd`,
:mod:`tierkit.clv.pareto_nbd`, or a name of :data:`MODELS`) and its fitted parameters, and uses
only the API the modules share: ``PARAMS``, ``p_alive``, ``expected_purchases`` (conditional),
``expected_number_of_purchases_up_to_time`` and ``probability_of_n_purchases_up_to_time``.

* :func:`unconditional_expectations`: ``E[X(t)]`` and ``P(X(t) = n)`` by time ``t``;
* :func:`frequency_histogram` and :func:`chi_square_test`: customers by repeat purchases in
  the calibration period (0, 1, ..., 7+) against ``sum_i P(X(T_i) = x)``, each customer at
  his own ``T_i``; cells with an expected count under 5 are pooled with their neighbour
  towards the middle, degrees of freedom = cells - 1 - parameters (FHL 2005, Figure 2);
* :func:`repeat_tracking`: repeat purchase days per week through calibration and holdout,
  actual against ``sum_i E[X(t - s_i)]`` over the customers whose first purchase ``s_i`` is
  before ``t`` (FHL 2005, Figures 1 and 3), as lifetimes' ``expected_cumulative_transactions``
  counts them; :func:`tracking_error` is ``(predicted - actual) / actual`` of the cumulative
  count at the end of the holdout;
* :func:`conditional_expectations`: mean holdout purchases, actual and predicted, by
  calibration repeat purchases (FHL 2005, Figure 4), and the Pearson correlation of the
  predicted and actual holdout purchases per customer;
* :func:`probability_alive_matrix`, :func:`frequency_recency_matrix`: the model's answers for
  a grid of (frequency, recency) at one age ``T``, as lifetimes' ``plot_probability_alive_matrix``
  and ``plot_frequency_recency_matrix`` draw them;
* :func:`clv_diagnostics`: all of it for several models fitted on the same calibration period,
  with a side-by-side comparison (log-likelihood, BIC, tracking error, Pearson correlation,
  holdout MAE).

A "purchase" is a purchase day, as in :func:`tierkit.rfm_features`: a day with at least one
line of non-negative amount.
"""

from __future__ import annotations

import json
import math
import types
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from tierkit.clv.family import MODELS as PURCHASE_MODELS
from tierkit.errors import ModelError, Param, TierkitError
from tierkit.messages import Message
from tierkit.output import json_ready

#: Models the diagnostics know: the purchase models of :data:`tierkit.clv.family.MODELS`.
MODELS = PURCHASE_MODELS
#: Days per time unit of the features.
_DAYS = {"D": 1.0, "W": 7.0}
#: Smallest expected count of a chi-square cell before it is pooled.
MIN_EXPECTED = 5.0


def model_module(model) -> types.ModuleType:
    """The model module of a name of :data:`MODELS` (a module is returned as it is).

    Examples
    --------
    >>> model_module("bgnbd").PARAMS
    ('r', 'alpha', 'a', 'b')
    """
    if isinstance(model, types.ModuleType):
        return model
    if model not in MODELS:
        raise TierkitError("option_choice", param=Param("model"), value=repr(model),
                           choices=Message("one_of", values=tuple(MODELS)))
    return MODELS[model].module


def model_label(model) -> str:
    """The printed name of a model ("BG/NBD" ...).

    Examples
    --------
    >>> model_label("pareto_nbd")
    'Pareto/NBD'
    """
    name = model if isinstance(model, str) else model.__name__.rsplit(".", 1)[-1]
    return MODELS[name].label if name in MODELS else name


def _params(module, params) -> tuple:
    if isinstance(params, dict):
        return tuple(float(params[k]) for k in module.PARAMS)
    return tuple(float(p) for p in params)


def unconditional_expectations(model, params, t, max_n: int = 7) -> pd.DataFrame:
    """``E[X(t)]`` and ``P(X(t) = n)``, n = 0 .. ``max_n``, for a customer drawn from the population.

    Parameters
    ----------
    model : module or str
        Model module or name (:data:`MODELS`).
    params : dict or sequence of float
        Fitted parameters (names of ``module.PARAMS``, or in that order).
    t : array-like
        Times since the first purchase, in the time unit of the fit.
    max_n : int, default=7
        Last ``n`` of ``P(X(t) = n)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``t``: ``expected_purchases`` and ``P(X=0)`` .. ``P(X=max_n)``.

    Examples
    --------
    BG/NBD at the CDNOW estimates of FHL 2005 (lifetimes gives 1.19672 and 0.573786):

    >>> table = unconditional_expectations("bgnbd", (0.243, 4.414, 0.793, 2.426), [39.0], max_n=1)
    >>> table.round(4).to_dict("records")
    [{'expected_purchases': 1.1967, 'P(X=0)': 0.5738, 'P(X=1)': 0.1994}]
    """
    module = model_module(model)
    p = _params(module, params)
    t = np.atleast_1d(np.asarray(t, dtype="float64"))
    out = pd.DataFrame({"expected_purchases": module.expected_number_of_purchases_up_to_time(p, t)},
                       index=pd.Index(t, name="t"))
    for n in range(max_n + 1):
        out[f"P(X={n})"] = module.probability_of_n_purchases_up_to_time(p, t, n)
    return out


def _frequency_labels(max_frequency: int) -> list[str]:
    return [str(i) for i in range(max_frequency)] + [f"{max_frequency}+"]


def frequency_histogram(model, params, x, T, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by repeat purchases in the calibration period, actual and expected by the model.

    The expected number of customers with ``n`` repeat purchases is ``sum_i P(X(T_i) = n)``, each
    customer at his own age ``T_i``; the last cell, ``max_frequency+``, is the rest of the
    customers, so both columns add up to the number of customers.

    Parameters
    ----------
    model : module or str
    params : dict or sequence of float
    x, T : array-like
        Repeat purchases and age at the end of the calibration period, one per customer.
    max_frequency : int, default=7

    Returns
    -------
    pandas.DataFrame
        Indexed ``"0"`` .. ``"7+"``: ``actual`` and ``expected`` customers.

    Examples
    --------
    >>> h = frequency_histogram("bgnbd", (0.243, 4.414, 0.793, 2.426), [0, 0, 1, 9], [39., 39., 39., 39.],
    ...                         max_frequency=2)
    >>> h["actual"].tolist(), round(float(h.loc["0", "expected"]), 4), float(h["expected"].sum())
    ([2, 1, 1], 2.2951, 4.0)
    """
    module = model_module(model)
    p = _params(module, params)
    x = np.asarray(x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    ages, counts = np.unique(T, return_counts=True)
    expected = np.array([counts @ module.probability_of_n_purchases_up_to_time(p, ages, n)
                         for n in range(max_frequency)])
    expected = np.append(expected, len(x) - expected.sum())
    actual = np.bincount(np.minimum(x, max_frequency).astype(int), minlength=max_frequency + 1)
    return pd.DataFrame({"actual": actual, "expected": expected},
                        index=pd.Index(_frequency_labels(max_frequency), name="repeat_purchases"))


def pool_cells(actual, expected, min_expected: float = MIN_EXPECTED) -> list[list[int]]:
    """Groups of adjacent cells whose expected counts are each at least ``min_expected``.

    Small cells at the top are pooled downwards, small cells at the bottom upwards (the
    tail of a count histogram is where they are); a group still too small at the end joins
    its neighbour.

    Examples
    --------
    >>> pool_cells([10, 5, 2, 1, 1], [9.0, 6.0, 3.0, 2.5, 0.5])
    [[0], [1], [2, 3, 4]]
    """
    expected = np.asarray(expected, dtype="float64")
    groups, current, total = [], [], 0.0
    for i, e in enumerate(expected):
        current.append(i)
        total += e
        if total >= min_expected:
            groups.append(current)
            current, total = [], 0.0
    if current:
        if groups:
            groups[-1] = groups[-1] + current
        else:
            groups.append(current)
    return groups


def chi_square_test(histogram: pd.DataFrame, n_params: int, min_expected: float = MIN_EXPECTED) -> dict:
    """Chi-square goodness of fit of a :func:`frequency_histogram`, cells pooled to expected >= 5.

    Parameters
    ----------
    histogram : pandas.DataFrame
        ``actual`` and ``expected`` counts per cell.
    n_params : int
        Parameters estimated from the same data (4 for the BTYD models).
    min_expected : float, default=5

    Returns
    -------
    dict
        ``statistic``, ``dof`` (pooled cells - 1 - ``n_params``), ``p_value`` (NaN when
        ``dof`` < 1), ``cells`` (the labels of each pooled cell joined by "+", e.g. "6+7+"),
        ``actual`` and ``expected`` of the pooled cells.

    Examples
    --------
    >>> h = pd.DataFrame({"actual": [50, 30, 20, 10, 10, 5, 5], "expected": [55., 28., 18., 12., 8., 5.5, 3.5]},
    ...                  index=list("0123456"))  # the last two cells expect 5.5 + 3.5 together
    >>> test = chi_square_test(h, n_params=4)
    >>> test["cells"], test["dof"], round(test["statistic"], 3)
    (['0', '1', '2', '3', '4', '5+6'], 1, 1.764)
    """
    actual = histogram["actual"].to_numpy(dtype="float64")
    expected = histogram["expected"].to_numpy(dtype="float64")
    labels = [str(i) for i in histogram.index]
    groups = pool_cells(actual, expected, min_expected)
    pooled_actual = np.array([actual[g].sum() for g in groups])
    pooled_expected = np.array([expected[g].sum() for g in groups])
    statistic = float(np.sum((pooled_actual - pooled_expected) ** 2 / pooled_expected))
    dof = len(groups) - 1 - int(n_params)
    p_value = float(stats.chi2.sf(statistic, dof)) if dof >= 1 else float("nan")
    return {"statistic": statistic, "dof": dof, "p_value": p_value,
            "cells": ["+".join(labels[i] for i in g) for g in groups],
            "actual": pooled_actual.tolist(), "expected": pooled_expected.tolist()}


def purchase_days(transactions: pd.DataFrame, end=None) -> pd.DataFrame:
    """Distinct ``(customer_id, date)`` purchase days (a line of non-negative amount), up to ``end``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [5.0, 2.0, -1.0, 3.0],
    ...                    "date": pd.to_datetime(["2021-01-01", "2021-01-01", "2021-01-03", "2021-01-02"])})
    >>> purchase_days(tx)["date"].dt.day.tolist()
    [1, 2]
    """
    days = transactions.loc[transactions["amount"] >= 0, ["customer_id", "date"]].copy()
    days["date"] = pd.to_datetime(days["date"]).dt.normalize()
    if end is not None:
        days = days[days["date"] <= pd.Timestamp(end)]
    return days.drop_duplicates().sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def repeat_tracking(model, params, transactions: pd.DataFrame, *, calibration_end, holdout_end,
                    time_unit: str = "W", period_days: int = 7) -> pd.DataFrame:
    """Repeat purchases per period (a week by default), actual and predicted, through calibration and holdout.

    Periods of ``period_days`` days start on the first purchase day of the calibration
    customers (those whose first purchase is on or before ``calibration_end``); the last one
    ends with ``holdout_end``. At the end of period ``k`` (the start of its next day, ``e_k``
    days after the start) the model expects ``sum_i E[X((e_k - s_i) / u)]`` repeat purchases
    so far, over the customers whose first purchase ``s_i`` is before ``e_k``, with ``u`` the
    days per time unit; the actual count is the customers' purchase days after their first,
    up to the end of the period. This is lifetimes' ``expected_cumulative_transactions`` with
    ``freq="D"`` and ``freq_multiplier=7`` for weeks.

    Parameters
    ----------
    model : module or str
    params : dict or sequence of float
        Parameters fitted in ``time_unit``.
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``).
    calibration_end, holdout_end : date-like
    time_unit : {"D", "W"}, default="W"
        Unit of the fit.
    period_days : int, default=7

    Returns
    -------
    pandas.DataFrame
        One row per period (index ``period``, 1, 2 ...): ``end`` (last day), ``t`` (time units
        from the start to the end of the period), ``phase``
        (``"calibration"`` or ``"holdout"``), ``actual``, ``predicted``, ``cumulative_actual``,
        ``cumulative_predicted``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 1.0, 1.0],
    ...                    "date": pd.to_datetime(["2021-01-01", "2021-01-09", "2021-01-05"])})
    >>> t = repeat_tracking("bgnbd", (0.243, 4.414, 0.793, 2.426), tx, calibration_end="2021-01-07",
    ...                     holdout_end="2021-01-14")
    >>> t[["phase", "actual", "cumulative_actual"]].values.tolist()
    [['calibration', 0, 0], ['holdout', 1, 1]]
    """
    module = model_module(model)
    p = _params(module, params)
    start_cal, end = pd.Timestamp(calibration_end), pd.Timestamp(holdout_end)
    days = purchase_days(transactions, end)
    first = days.groupby("customer_id")["date"].transform("min")
    days = days[first <= start_cal]
    first = first[first <= start_cal]
    if days.empty:
        raise TierkitError("no_customer_before", where="repeat_tracking", date=start_cal.date())
    origin = first.min()
    offset = (days["date"] - origin).dt.days.to_numpy()
    first_offset = (first - origin).dt.days.to_numpy()
    repeat_offset = offset[offset > first_offset]
    starts, cohort = np.unique(first_offset[offset == first_offset], return_counts=True)
    total_days = (end - origin).days + 1
    ends = np.minimum(np.arange(1, math.ceil(total_days / period_days) + 1) * period_days, total_days)
    cumulative_predicted = np.array([
        cohort[starts < e] @ module.expected_number_of_purchases_up_to_time(p, (e - starts[starts < e]) / _DAYS[
            time_unit]) for e in ends])
    cumulative_actual = np.searchsorted(np.sort(repeat_offset), ends, side="left")
    last_day = origin + pd.to_timedelta(ends - 1, unit="D")
    out = pd.DataFrame({
        "end": last_day.date,
        "t": ends / _DAYS[time_unit],
        "phase": np.where(last_day <= start_cal, "calibration", "holdout"),
        "actual": np.diff(cumulative_actual, prepend=0),
        "predicted": np.diff(cumulative_predicted, prepend=0.0),
        "cumulative_actual": cumulative_actual,
        "cumulative_predicted": cumulative_predicted,
    }, index=pd.RangeIndex(1, len(ends) + 1, name="period"))
    return out


def tracking_error(tracking: pd.DataFrame) -> float:
    """``(predicted - actual) / actual`` of the cumulative repeat purchases at the last period.

    Examples
    --------
    >>> tracking_error(pd.DataFrame({"cumulative_actual": [10, 100], "cumulative_predicted": [9.0, 95.0]}))
    -0.05
    """
    actual = float(tracking["cumulative_actual"].iloc[-1])
    predicted = float(tracking["cumulative_predicted"].iloc[-1])
    return (predicted - actual) / actual if actual else float("nan")


def conditional_expectations(predicted, actual, x, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases, actual and predicted, by repeat purchases in calibration (0 .. 7+).

    Examples
    --------
    >>> conditional_expectations([0.5, 0.7, 2.0], [0, 1, 3], [0, 0, 5], max_frequency=2)
                        customers  actual  predicted
    calibration_repeat_purchases
    0                           2     0.5        0.6
    2+                          1     3.0        2.0
    """
    x = np.asarray(x, dtype="float64")
    frame = pd.DataFrame({"actual": np.asarray(actual, dtype="float64"),
                          "predicted": np.asarray(predicted, dtype="float64")})
    group = np.minimum(x, max_frequency).astype(int)
    table = frame.groupby(group).agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     predicted=("predicted", "mean"))
    table.index = [f"{i}+" if i == max_frequency else str(i) for i in table.index]
    table.index.name = "calibration_repeat_purchases"
    return table


def pearson_corr(predicted, actual) -> float:
    """Pearson correlation of predicted and actual holdout purchases per customer.

    Examples
    --------
    >>> round(pearson_corr([1.0, 2.0, 3.0], [1, 3, 2]), 3)
    0.5
    """
    return float(stats.pearsonr(np.asarray(predicted, float), np.asarray(actual, float)).statistic)


def _grid(max_frequency, max_recency):
    frequency = np.arange(int(max_frequency) + 1, dtype="float64")
    recency = np.arange(int(math.floor(max_recency)) + 1, dtype="float64")
    return np.meshgrid(frequency, recency, indexing="ij")


def _matrix(values, x, t_x) -> pd.DataFrame:
    values = np.where((x == 0) & (t_x > 0), np.nan, values)  # no repeat purchase, yet a last one later: impossible
    return pd.DataFrame(values, index=pd.Index(x[:, 0].astype(int), name="frequency"),
                        columns=pd.Index(t_x[0].astype(int), name="recency"))


def probability_alive_matrix(model, params, T: float, max_frequency: int | None = None) -> pd.DataFrame:
    """P(alive) at age ``T`` for every (frequency, recency) of whole time units.

    As lifetimes' ``plot_probability_alive_matrix``: frequency 0 .. ``max_frequency`` (rows),
    recency 0 .. ``T`` (columns), every customer of age ``T``. Frequency 0 with recency > 0 is
    no possible history and is left NaN.

    Parameters
    ----------
    model : module or str
    params : dict or sequence of float
    T : float
        Age of the customers (lifetimes takes the largest ``T``).
    max_frequency : int, optional
        Default: ``T`` rounded down, as lifetimes.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> m = probability_alive_matrix("bgnbd", (0.243, 4.414, 0.793, 2.426), 38.86, max_frequency=2)
    >>> round(float(m.loc[2, 30]), 4), round(float(m.loc[2, 38]), 4), m.shape  # lifetimes: 0.7210, 0.8051
    (0.721, 0.8051, (3, 39))
    """
    module = model_module(model)
    x, t_x = _grid(T if max_frequency is None else max_frequency, T)
    values = module.p_alive(_params(module, params), x.ravel(), t_x.ravel(), np.full(x.size, float(T)))
    return _matrix(np.asarray(values).reshape(x.shape), x, t_x)


def frequency_recency_matrix(model, params, T: float, t: float = 1.0, max_frequency: int | None = None
                             ) -> pd.DataFrame:
    """Expected purchases in the next ``t`` time units at age ``T`` for every (frequency, recency).

    As lifetimes' ``plot_frequency_recency_matrix`` (default ``t = 1``); grid and NaNs as in
    :func:`probability_alive_matrix`.

    Examples
    --------
    >>> m = frequency_recency_matrix("bgnbd", (0.243, 4.414, 0.793, 2.426), 38.86, t=39, max_frequency=2)
    >>> round(float(m.loc[2, 30]), 4)  # lifetimes: 1.2166
    1.2166
    """
    module = model_module(model)
    x, t_x = _grid(T if max_frequency is None else max_frequency, T)
    values = module.expected_purchases(_params(module, params), t, x.ravel(), t_x.ravel(), np.full(x.size, float(T)))
    return _matrix(np.asarray(values).reshape(x.shape), x, t_x)


@dataclass
class ModelDiagnostics:
    """The diagnostics of one model fitted on the calibration period (see the module docs).

    Parameters
    ----------
    model : str
        Name in :data:`MODELS`.
    params : dict
    log_likelihood, bic : float
        Calibration log-likelihood and ``-2 LL + k ln(customers)``.
    unconditional : pandas.DataFrame
        :func:`unconditional_expectations` at the ``t`` of every period of ``tracking``.
    histogram : pandas.DataFrame
    chi_square : dict
    tracking : pandas.DataFrame
    tracking_error : float
    conditional : pandas.DataFrame
    pearson_corr, mae : float
        Per-customer holdout purchases: correlation and mean absolute error.
    p_alive_matrix, frequency_recency_matrix : pandas.DataFrame
    """

    model: str
    params: dict
    log_likelihood: float
    bic: float
    unconditional: pd.DataFrame
    histogram: pd.DataFrame
    chi_square: dict
    tracking: pd.DataFrame
    tracking_error: float
    conditional: pd.DataFrame
    pearson_corr: float
    mae: float
    p_alive_matrix: pd.DataFrame = field(repr=False)
    frequency_recency_matrix: pd.DataFrame = field(repr=False)

    @property
    def label(self) -> str:
        """Printed name of the model."""
        return model_label(self.model)

    def to_dict(self) -> dict:
        """Every figure as plain JSON types."""
        def frame(table, index):
            return table.reset_index(names=index).to_dict("records")

        out = {
            "model": self.model, "label": self.label, "params": self.params,
            "log_likelihood": self.log_likelihood, "bic": self.bic,
            "tracking_error": self.tracking_error, "pearson_corr": self.pearson_corr, "mae": self.mae,
            "chi_square": self.chi_square,
            "histogram": frame(self.histogram, "repeat_purchases"),
            "tracking": frame(self.tracking.assign(end=self.tracking["end"].astype(str)), "period"),
            "unconditional": frame(self.unconditional, "t"),
            "conditional_expectations": frame(self.conditional, "calibration_repeat_purchases"),
            "p_alive_matrix": json.loads(self.p_alive_matrix.to_json(orient="split")),
            "frequency_recency_matrix": json.loads(self.frequency_recency_matrix.to_json(orient="split")),
        }
        return json_ready(out)


@dataclass
class CLVDiagnostics:
    """Diagnostics of several models on one calibration / holdout split.

    Parameters
    ----------
    calibration_end, holdout_end : str
        Ends of the calibration and holdout periods (ISO dates).
    time_unit : str
        Time unit of the fits (``"D"`` or ``"W"``).
    holdout_duration : float
        In time units.
    customers : int
        Customers of the calibration period.
    models : dict
        Name -> :class:`ModelDiagnostics`.
    comparison : pandas.DataFrame
        One row per model: ``log_likelihood``, ``bic``, ``tracking_error``, ``pearson_corr``,
        ``mae``, ``chi_square``, ``chi_square_p``.
    failed : dict
        Name -> message of the models whose fit did not converge.
    """

    calibration_end: str
    holdout_end: str
    time_unit: str
    holdout_duration: float
    customers: int
    models: dict
    comparison: pd.DataFrame
    failed: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Every figure as plain JSON types: ``models`` by name, ``comparison`` by model."""
        return {
            "calibration_end": self.calibration_end, "holdout_end": self.holdout_end, "time_unit": self.time_unit,
            "holdout_duration": float(self.holdout_duration), "customers": int(self.customers),
            "models": {name: d.to_dict() for name, d in self.models.items()},
            "comparison": json.loads(self.comparison.to_json(orient="index")),
            "failed": dict(self.failed),
        }


def _fit(name, x, t_x, T, penalizer):
    from tierkit.clv.bgnbd import distinct_rows

    module = MODELS[name].module
    rows, weights, _ = distinct_rows(x, t_x, T)
    params, _ = MODELS[name].fit(rows[:, 0], rows[:, 1], rows[:, 2], weights, penalizer=penalizer)
    ll = float(np.sum(module.log_likelihood(_params(module, params), x, t_x, T)))
    return params, ll


def diagnose_model(model, params, features: pd.DataFrame, transactions: pd.DataFrame, *, calibration_end,
                   holdout_end, time_unit: str, log_likelihood: float | None = None, max_frequency: int = 7
                   ) -> ModelDiagnostics:
    """Every diagnostic of one fitted model.

    Parameters
    ----------
    model : str
        Name in :data:`MODELS`.
    params : dict
    features : pandas.DataFrame
        :func:`tierkit.rfm_features` at ``calibration_end`` with ``holdout_end``.
    transactions : pandas.DataFrame
    calibration_end, holdout_end : date-like
    time_unit : {"D", "W"}
    log_likelihood : float, optional
        Calibration log-likelihood (computed when not given).
    max_frequency : int, default=7

    Returns
    -------
    ModelDiagnostics
    """
    module = model_module(model)
    p = _params(module, params)
    x = features["frequency_btyd"].to_numpy(dtype="float64")
    t_x = features["recency_btyd"].to_numpy(dtype="float64")
    T = features["T"].to_numpy(dtype="float64")
    duration = float(features["holdout_duration"].iloc[0])
    actual = features["holdout_purchases"].to_numpy(dtype="float64")
    if log_likelihood is None:
        log_likelihood = float(np.sum(module.log_likelihood(p, x, t_x, T)))
    from tierkit.clv.bgnbd import distinct_rows

    rows, _, inverse = distinct_rows(x, t_x, T)
    predicted = np.asarray(module.expected_purchases(p, duration, rows[:, 0], rows[:, 1], rows[:, 2]))[inverse]
    histogram = frequency_histogram(module, p, x, T, max_frequency)
    tracking = repeat_tracking(module, p, transactions, calibration_end=calibration_end, holdout_end=holdout_end,
                               time_unit=time_unit)
    unconditional = unconditional_expectations(module, p, tracking["t"].to_numpy(), max_frequency)
    age = float(T.max())
    return ModelDiagnostics(
        model=model if isinstance(model, str) else module.__name__.rsplit(".", 1)[-1],
        params=dict(zip(module.PARAMS, p, strict=True)), log_likelihood=float(log_likelihood),
        bic=float(-2 * log_likelihood + len(module.PARAMS) * math.log(len(x))),
        unconditional=unconditional, histogram=histogram,
        chi_square=chi_square_test(histogram, len(module.PARAMS)),
        tracking=tracking, tracking_error=tracking_error(tracking),
        conditional=conditional_expectations(predicted, actual, x, max_frequency),
        pearson_corr=pearson_corr(predicted, actual), mae=float(np.abs(predicted - actual).mean()),
        p_alive_matrix=probability_alive_matrix(module, p, age, int(x.max())),
        frequency_recency_matrix=frequency_recency_matrix(module, p, age, 1.0, int(x.max())),
    )


def clv_diagnostics(transactions: pd.DataFrame, *, calibration_end, holdout_end, time_unit: str = "D",
                    models=tuple(MODELS), penalizers: dict | None = None, max_frequency: int = 7
                    ) -> CLVDiagnostics:
    """Fit each model on the calibration period and diagnose it on the holdout (FHL 2005).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (:func:`tierkit.read_transactions`).
    calibration_end, holdout_end : date-like
        End of the fitting period and of the holdout period.
    time_unit : {"D", "W"}, default="D"
        Time unit of the fits.
    models : sequence of str, default=all of :data:`MODELS`
        Models to fit and diagnose, compared in this order.
    penalizers : dict, optional
        Model name -> L2 penalizer of its fit (default 0).
    max_frequency : int, default=7
        Last cell (``7+``) of the histogram and the conditional expectations.

    Returns
    -------
    CLVDiagnostics
        A model whose fit does not converge is in ``failed`` with its message.

    Examples
    --------
    The CDNOW sample in weeks, 39 weeks of calibration and 39 of holdout:

    >>> import tierkit as tk
    >>> d = clv_diagnostics(tk.load_cdnow(sample=True), calibration_end="1997-09-30", holdout_end="1998-06-30",
    ...                     time_unit="W", models=["bgnbd"])
    >>> bg = d.models["bgnbd"]
    >>> bg.tracking[["cumulative_actual", "cumulative_predicted"]].iloc[[38, 77]].round(1).values.tolist()
    [[2457.0, 2501.5], [4339.0, 4165.7]]
    >>> round(bg.tracking_error, 4)
    -0.0399
    """
    from tierkit.features.definition import parse_date, rfm_features

    start, end = parse_date(calibration_end, "calibration_end"), parse_date(holdout_end, "holdout_end")
    if end <= start:
        raise TierkitError("after_param", param=Param("holdout_end"), end=end, other=Param("calibration_end"),
                           start=start)
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise TierkitError("some_of", param=Param("models"), value=repr(unknown or list(models)),
                           choices=tuple(MODELS))
    with warnings.catch_warnings():
        from tierkit.errors import LaterTransactionsWarning

        warnings.filterwarnings("ignore", category=LaterTransactionsWarning)
        features = rfm_features(transactions, as_of=start, time_unit=time_unit, holdout_end=end)
    x = features["frequency_btyd"].to_numpy(dtype="float64")
    t_x = features["recency_btyd"].to_numpy(dtype="float64")
    T = features["T"].to_numpy(dtype="float64")
    done, failed = {}, {}
    for name in models:
        try:
            params, ll = _fit(name, x, t_x, T, float((penalizers or {}).get(name, 0.0)))
        except ModelError as error:
            failed[name] = str(error)
            continue
        done[name] = diagnose_model(name, params, features, transactions, calibration_end=start, holdout_end=end,
                                    time_unit=time_unit, log_likelihood=ll, max_frequency=max_frequency)
    comparison = pd.DataFrame({
        model_label(name): {"log_likelihood": d.log_likelihood, "bic": d.bic, "tracking_error": d.tracking_error,
                            "pearson_corr": d.pearson_corr, "mae": d.mae, "chi_square": d.chi_square["statistic"],
                            "chi_square_p": d.chi_square["p_value"]}
        for name, d in done.items()}).T
    comparison.index.name = "model"
    return CLVDiagnostics(calibration_end=str(start), holdout_end=str(end), time_unit=time_unit,
                          holdout_duration=float(features["holdout_duration"].iloc[0]), customers=len(features),
                          models=done, comparison=comparison, failed=failed)
