"""Holdout validation of the CLV model: fit on a calibration period, compare with what happened next.

For every customer who bought in the calibration period: predicted purchases in the holdout
period (BG/NBD) against actual purchase days there, and predicted holdout value (expected
purchases x expected spend, undiscounted) against actual holdout spend. Figures:

* per-customer purchases: MAE and RMSE; aggregate error in % of the actual total;
* the conditional expectation table (the classic plot of FHL 2005, Figure 4): mean actual and
  predicted holdout purchases by the number of repeat purchases in calibration (0 .. 7+);
* value ranking: Spearman correlation of predicted value and actual spend, and the share of
  all holdout spend made by the top decile by predicted value (against the top decile by
  actual spend, the best any ranking can do);
* the same figures for a **naive baseline** on the same customers (:func:`naive_forecast`): each
  customer's past repeat-purchase rate carried on over the holdout, and for value, those
  purchases at the customer's own mean repeat spend. A model that does not beat it has not
  earned its parameters.

One function, :func:`forecast_figures`, computes the figures of any forecast, the model's and
the baseline's alike.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from tierkit.clv.alerts import clv_model_alerts
from tierkit.clv.gamma_gamma import expected_spend
from tierkit.clv.model import CLVModel
from tierkit.errors import Param, TierkitError
from tierkit.features.definition import parse_date, rfm_features
from tierkit.output import json_ready


@dataclass
class CLVValidation:
    """Figures of a holdout validation (see module docs); ``customers`` has one row per customer.

    Parameters
    ----------
    calibration_end, holdout_end : str
        Ends of the calibration and holdout periods (ISO dates).
    time_unit : str
        Time unit of the model (``"D"``, ``"W"`` ...).
    holdout_duration : float
        Length of the holdout period in time units.
    bgnbd_params, gamma_gamma_params : dict
        Parameters of the two models fitted on the calibration period: the purchase model
        (``CLVModel.model_``, MBG/NBD by default; the field keeps its name) and Gamma-Gamma.
    log_likelihood : float
        Purchase-model log-likelihood on the calibration period.
    mae, rmse : float
        Per-customer errors of the predicted holdout purchases.
    aggregate_error_pct : float
        Predicted minus actual total holdout purchases, in % of the actual total.
    predicted_total, actual_total : float
        Total holdout purchases, predicted and actual.
    spearman : float
        Spearman correlation of predicted value and actual holdout spend.
    top_decile_capture, top_decile_ideal : float
        Share of all holdout spend made by the top decile by predicted value, and by actual
        spend (the best any ranking can do).
    purchase_model : str
        The purchase model fitted (``"mbgnbd"``, ``"bgnbd"`` ...), whose parameters
        ``bgnbd_params`` holds.
    baseline : dict
        The same figures (``mae``, ``rmse``, ``aggregate_error_pct``, ``predicted_total``,
        ``spearman``, ``top_decile_capture``) of the naive baseline (:func:`naive_forecast`) on
        the same customers.
    by_frequency : pandas.DataFrame
        Mean actual and predicted holdout purchases by repeat purchases in calibration.
    customers : pandas.DataFrame
        One row per customer: predicted and actual purchases, value and spend, and the naive
        baseline's purchases and value (``baseline_purchases``, ``baseline_value``).
    alerts : list of str
        What a reader must know about the fitted model, in English: the alerts ``segment``
        raises for the same fit (:func:`tierkit.clv.alerts.clv_model_alerts`).
    model : CLVModel
        The model fitted on the calibration period.
    """

    calibration_end: str
    holdout_end: str
    time_unit: str
    holdout_duration: float
    bgnbd_params: dict
    gamma_gamma_params: dict
    log_likelihood: float
    mae: float
    rmse: float
    aggregate_error_pct: float
    predicted_total: float
    actual_total: float
    spearman: float
    top_decile_capture: float
    top_decile_ideal: float
    by_frequency: pd.DataFrame
    customers: pd.DataFrame = field(repr=False)
    purchase_model: str = "bgnbd"
    baseline: dict = field(default_factory=dict)
    alerts: list = field(default_factory=list)
    model: CLVModel | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Every figure as plain JSON types (the per-customer table left out)."""
        out = {k: getattr(self, k) for k in (
            "calibration_end", "holdout_end", "time_unit", "holdout_duration", "bgnbd_params", "gamma_gamma_params",
            "log_likelihood", "mae", "rmse", "aggregate_error_pct", "predicted_total", "actual_total", "spearman",
            "top_decile_capture", "top_decile_ideal", "purchase_model", "alerts", "baseline")}
        out["customers"] = int(len(self.customers))
        out["by_frequency"] = self.by_frequency.reset_index().to_dict("records")
        return json_ready(out)


#: The figures :func:`forecast_figures` gives for a forecast, in the order they are printed.
FIGURES = ("mae", "rmse", "aggregate_error_pct", "predicted_total", "spearman", "top_decile_capture")


def naive_forecast(x, T, duration: float) -> np.ndarray:
    """Naive baseline forecast of holdout purchases: each customer's past repeat rate, carried on.

    ``x / T * duration``: the customer's repeat purchases per time unit since the first purchase,
    times the holdout length; 0 where ``T == 0`` (first purchase on the last calibration day, so
    no rate is known; such a customer has ``x == 0`` anyway). No dropout, no pooling across
    customers: what a model has to beat.

    The baseline's value forecast (:func:`validate_clv`) is these purchases times the customer's
    own mean repeat spend (``monetary_btyd``, negative means from net returns taken as 0). A
    customer without repeat purchases (``x == 0``) has no repeat spend and gets 0, the same as
    their forecast purchases: one-time buyers tie at the bottom of the baseline's value ranking
    (no first-purchase spend is borrowed for them, so the baseline stays a pure "more of the
    same" forecast).

    Parameters
    ----------
    x : array-like
        Repeat purchases in the calibration period (``frequency_btyd``).
    T : array-like
        Age of the customer at the end of calibration, in time units (``T``).
    duration : float
        Length of the holdout period in the same time units.

    Returns
    -------
    numpy.ndarray
        Forecast holdout purchases per customer.

    Examples
    --------
    >>> naive_forecast([2, 0, 3], [20.0, 0.0, 30.0], 10.0)
    array([1., 0., 1.])
    """
    x = np.asarray(x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    rate = np.divide(x, T, out=np.zeros(np.broadcast(x, T).shape), where=T > 0)
    return rate * float(duration)


def _top_decile_share(score: np.ndarray, spend: np.ndarray) -> float:
    """Share of the total ``spend`` made by the tenth of customers with the highest ``score``."""
    total = spend.sum()
    n_top = max(1, int(round(len(spend) / 10)))
    order = np.argsort(-score, kind="stable")[:n_top]  # ties: the earlier customer first
    return float(spend[order].sum() / total) if total else 0.0


def forecast_figures(predicted_purchases, predicted_value, actual_purchases, actual_spend) -> dict:
    """The figures of one forecast of the holdout (the model's or the baseline's), by one code path.

    Parameters
    ----------
    predicted_purchases, predicted_value : array-like
        Forecast holdout purchases and value per customer.
    actual_purchases, actual_spend : array-like
        What the same customers did in the holdout.

    Returns
    -------
    dict
        ``mae`` and ``rmse`` of the purchases per customer; ``aggregate_error_pct``, the predicted
        minus actual total in % of the actual total (NaN when nobody bought); ``predicted_total``;
        ``spearman`` of predicted value and actual spend (NaN when either is constant); and
        ``top_decile_capture``, the share of all holdout spend made by the top tenth by
        predicted value (:data:`FIGURES`, in this order).

    Examples
    --------
    >>> f = forecast_figures([1.0, 0.0], [10.0, 0.0], [2.0, 0.0], [30.0, 10.0])
    >>> f["mae"], f["aggregate_error_pct"], f["top_decile_capture"]
    (0.5, -50.0, 0.75)
    """
    predicted = np.asarray(predicted_purchases, dtype="float64")
    actual = np.asarray(actual_purchases, dtype="float64")
    value = np.asarray(predicted_value, dtype="float64")
    spend = np.asarray(actual_spend, dtype="float64")
    error = predicted - actual
    predicted_total, actual_total = float(predicted.sum()), float(actual.sum())
    aggregate = 100.0 * (predicted_total - actual_total) / actual_total if actual_total else float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant input: NaN, said in the docs
        rho = float(spearmanr(value, spend).statistic)
    return {
        "mae": float(np.abs(error).mean()),
        "rmse": float(np.sqrt((error**2).mean())),
        "aggregate_error_pct": aggregate,
        "predicted_total": predicted_total,
        "spearman": rho,
        "top_decile_capture": _top_decile_share(value, spend),
    }


def validate_clv(transactions: pd.DataFrame, *, calibration_end, holdout_end, time_unit: str = "D",
                 max_frequency: int = 7, model: CLVModel | None = None) -> CLVValidation:
    """Fit the CLV model up to ``calibration_end`` and compare its forecast with ``holdout_end``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (:func:`tierkit.read_transactions`).
    calibration_end, holdout_end : date-like
        End of the fitting period and of the holdout period.
    time_unit : {"D", "W"}, default="D"
    max_frequency : int, default=7
        Last row of the conditional expectation table (``7+``).
    model : CLVModel, optional
        Penalizers and other settings; default ``CLVModel()``.

    Returns
    -------
    CLVValidation
        The figures; ``to_dict()`` for JSON; its charts are
        :func:`tierkit.reporting.charts.clv_validation.write_validation_plots`.

    Examples
    --------
    The CDNOW sample, fitted on its first 39 weeks and checked on the next 39:

    >>> import tierkit as tk
    >>> v = validate_clv(tk.load_cdnow(sample=True), calibration_end="1997-09-30",
    ...                  holdout_end="1998-06-30", time_unit="W", model=CLVModel(model="bgnbd"))
    >>> round(v.predicted_total), round(v.actual_total), round(v.aggregate_error_pct, 1)
    (1653, 1882, -12.1)
    >>> v.by_frequency.loc["7+"].round(2).tolist()
    [64.0, 6.36, 6.16]
    """
    start, end = parse_date(calibration_end, "calibration_end"), parse_date(holdout_end, "holdout_end")
    if end <= start:
        raise TierkitError("after_param", param=Param("holdout_end"), end=end, other=Param("calibration_end"),
                           start=start)
    with warnings.catch_warnings():
        from tierkit.errors import LaterTransactionsWarning

        warnings.filterwarnings("ignore", category=LaterTransactionsWarning)
        features = rfm_features(transactions, as_of=start, time_unit=time_unit, holdout_end=end)
    model = (model if model is not None else CLVModel()).fit(features)
    duration = float(features["holdout_duration"].iloc[0])
    purchases, params = model._purchase_model()
    gg = tuple(model.gamma_gamma_params_[k] for k in ("p", "q", "v"))
    x = features["frequency_btyd"].to_numpy(dtype="float64")
    T = features["T"].to_numpy(dtype="float64")
    own_spend = np.where(x > 0, np.maximum(features["monetary_btyd"].to_numpy(dtype="float64"), 0.0), 0.0)
    predicted = purchases.expected_purchases(params, duration, x, features["recency_btyd"].to_numpy(dtype="float64"),
                                             T)
    naive = naive_forecast(x, T, duration)
    customers = pd.DataFrame({
        "frequency_btyd": x,
        "predicted_purchases": predicted,
        "actual_purchases": features["holdout_purchases"].to_numpy(dtype="float64"),
        "predicted_value": predicted * expected_spend(gg, x, own_spend),
        "actual_spend": features["holdout_spend"].to_numpy(dtype="float64"),
        "baseline_purchases": naive,
        "baseline_value": naive * own_spend,
    }, index=features.index)
    actual = (customers["actual_purchases"], customers["actual_spend"])
    figures = forecast_figures(customers["predicted_purchases"], customers["predicted_value"], *actual)
    baseline = forecast_figures(customers["baseline_purchases"], customers["baseline_value"], *actual)
    group = np.minimum(x, max_frequency).astype(int)
    by_frequency = customers.groupby(group).agg(
        customers=("actual_purchases", "size"), actual=("actual_purchases", "mean"),
        predicted=("predicted_purchases", "mean"))
    by_frequency.index = [f"{i}+" if i == max_frequency else str(i) for i in by_frequency.index]
    by_frequency.index.name = "calibration_repeat_purchases"
    spend = customers["actual_spend"].to_numpy()
    return CLVValidation(
        calibration_end=str(start), holdout_end=str(end), time_unit=time_unit, holdout_duration=duration,
        bgnbd_params=dict(params), gamma_gamma_params=dict(model.gamma_gamma_params_),
        log_likelihood=float(model.log_likelihood_), **figures,
        actual_total=float(customers["actual_purchases"].sum()), top_decile_ideal=_top_decile_share(spend, spend),
        by_frequency=by_frequency, customers=customers, purchase_model=model.model_name_(), baseline=baseline,
        alerts=clv_model_alerts(model), model=model,
    )
