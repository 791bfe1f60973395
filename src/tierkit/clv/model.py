"""``CLVModel``: a purchase model + Gamma-Gamma on the feature table, predicted CLV per customer.

Purchase model
--------------
``model`` names it: ``"mbgnbd"`` (the default), ``"bgnbd"``, ``"pareto_nbd"``, or ``"auto"`` to
fit all three and keep the one with the lowest BIC -- with four parameters each, the highest
log-likelihood -- or, when ``fit`` is given each customer's holdout purchases, the lowest
error on them (:mod:`tierkit.clv.family`, which also says how the three differ). The
choice and its reason are kept in ``model_`` and ``model_choice_``. BG/NBD gives every
customer without a repeat purchase P(alive) = 1, however long ago they bought (on CDNOW,
4,992 of the 5,301 customers the lifecycle calls churned); MBG/NBD (Batislam, Denizel &
Filiztekin 2007) lets a customer drop out at the first purchase too, so a long-gone one-time
buyer is not called alive. It is the default: the same four parameters and the same cost as
BG/NBD, and a likelihood at least as high on CDNOW. ``"bgnbd"`` reproduces Fader, Hardie &
Lee (2005) and lifetimes' ``BetaGeoFitter``. ``"auto"`` is not the default because it fits
Pareto/NBD too (several times the cost of the others). Below, "BG/NBD" stands for whichever
purchase model is in use.

Units
-----
Time is in the feature table's unit (``features.attrs["time_unit"]``: ``"D"`` days or ``"W"``
weeks of 7 days). ``horizon`` is a duration written with its unit, ``"365D"`` or ``"52W"``
(:mod:`tierkit.features.durations`): a bare number is days with daily features and refused as
ambiguous with weekly ones. ``discount_rate`` is an *annual* rate ``d``;
money expected ``s`` days from the observation date is worth ``(1 + d) ** (-s / 365.25)``
today (365.25 days a year, exactly).

CLV
---
The horizon is cut into ``discount_steps`` equal steps (default: as many steps as the horizon
has average months of 365.25 / 12 days, rounded up, at least one; 365 days give 12 steps of
30.42 days, 52 weeks 12 steps of 4.33 weeks). The purchases the BG/NBD model expects within a step,
``E(t_k) - E(t_{k-1})``, times the Gamma-Gamma expected spend per purchase, are discounted
from the step's end::

    clv = margin * E[spend] * sum_k (E(t_k) - E(t_{k-1})) * (1 + d) ** (-days(t_k) / 365.25)

where ``E(t)`` is the BG/NBD conditional expectation of purchases in ``(0, t]`` after the
observation date (FHL 2005, eq. 10), ``t_0 = 0`` and ``t_k = k * horizon / steps``. The discount
factor of a step's purchases is that of the step's *end*, so the monthly steps make CLV
slightly conservative (by at most one step of discounting). With ``discount_rate=0`` this is
exactly ``margin * E[spend] * E(horizon)``.

Equivalently, the annual rate is turned into the rate per step ``(1 + d) ** (days_per_step /
365.25) - 1``, compounded once per step.

lifetimes' ``GammaGammaFitter.customer_lifetime_value(model, frequency, recency, T,
monetary_value, time=12, discount_rate=0.01, freq="D")`` is the same sum in other terms: ``time``
is a number of months, each one step, of 30 days (``freq="D"``) or 4.345 weeks (``freq="W"``);
``discount_rate`` is a *monthly* rate ``d_m``, the purchases of month ``k`` discounted by ``(1 +
d_m) ** -k``; there is no margin (``monetary_value`` is taken as profit). So lifetimes' CLV is
tierkit's with ``horizon`` = ``time`` such months (``"360D"``; ``"52.14W"``), ``discount_steps =
time``, the annual rate ``d = (1 + d_m) ** (365.25 / days_per_month) - 1`` (0.01 a month is
12.88 % a year with 30-day months, 12.69 % with 4.345-week ones) and ``margin=1``:
:func:`lifetimes_clv_settings` computes those settings. tierkit's defaults differ on purpose: a
horizon written with its unit, a rate per year whatever the unit, and steps of an average month
(365.25 / 12 days) rather than 30 days.

``net_clv = clv - acquisition_cost`` is added when ``acquisition_cost > 0``.

lifetimes' names
----------------
A fitted model answers the questions of lifetimes' fitters (``BetaGeoFitter``,
``ModifiedBetaGeoFitter``, ``ParetoNBDFitter``, ``GammaGammaFitter``) and PyMC-Marketing's
under the same names, from whichever purchase model it uses (the dispatch is
:meth:`tierkit.clv.family.PurchaseModel.quantity`):
:meth:`~CLVModel.expected_number_of_purchases_up_to_time`,
:meth:`~CLVModel.probability_of_n_purchases_up_to_time`,
:meth:`~CLVModel.conditional_expected_number_of_purchases_up_to_time`,
:meth:`~CLVModel.conditional_probability_alive`,
:meth:`~CLVModel.conditional_expected_average_profit` and
:meth:`~CLVModel.customer_lifetime_value` (tierkit's horizon and annual rate, above). Histories
(``frequency``, ``recency``, ``T``) are numbers in the model's time unit, as lifetimes takes
them; a time ``t`` is a duration as ``horizon`` is (``"39W"``, ``"273D"``; a bare number is days
for a daily model and refused for a weekly one). Customers given as a Series come back as a
Series with their index.

Spend
-----
``expected_spend`` is the Gamma-Gamma conditional expectation of the spend per purchase day.
A customer without a repeat purchase (``frequency_btyd == 0``) gets the population mean ``p v /
(q - 1)``, as the model prescribes; a repeat customer whose repeat days net to zero or less
(returns) counts with mean spend 0 and is pulled towards 0, and is left out of the fit (the
Gamma distribution has no zero or negative values).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from tierkit.clv import gamma_gamma as gamma_gamma_model
from tierkit.clv import predictive as predictive_draws
from tierkit.clv import trust, uncertainty
from tierkit.clv._optimize import PRIOR_SD
from tierkit.clv.bgnbd import distinct_rows
from tierkit.clv.family import (
    MODEL_CHOICES,
    MODELS,
    PRIOR_CHOICES,
    Fit,
    choose_model,
    fit_customers,
    fit_with_prior,
    shaped_like,
)
from tierkit.clv.gamma_gamma import expected_spend, fit_gamma_gamma, weighted_correlation
from tierkit.errors import DataError, FitWarning, Message, ModelError, Param, TierkitError
from tierkit.features.definition import TIME_UNITS, time_unit_from_dates
from tierkit.features.durations import as_given, duration_text, to_time_units
from tierkit.features.statistics import Distinct, quantiles_of_counts
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column, require_columns
from tierkit.tiers.constraints import Duration, Interval, Options, check_param

#: Feature columns the model reads.
CLV_INPUTS = ("frequency_btyd", "recency_btyd", "T", "monetary_btyd")
#: Days per time unit.
DAYS_PER_UNIT = {unit: float(days) for unit, days in TIME_UNITS.items()}
#: Days in a year and in a month, for discounting.
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: lifetimes' month in each of its ``freq`` units that tierkit has (``lifetimes.utils._customer_lifetime_value``).
LIFETIMES_MONTH = {"D": 30.0, "W": 4.345}
#: Fewest customers with a repeat purchase the models are fitted on.
MIN_REPEAT_CUSTOMERS = 10
#: |correlation| of frequency and spend above which Gamma-Gamma's independence is doubted.
CORRELATION_WARNING = 0.3
#: Gamma-Gamma's p when every repeat customer spends the same: purchases vary around their mean by
#: 1 / sqrt(p) = 0.1 %, and the expected spend is that mean for every customer.
SPEND_CONSTANT_P = 1e6
#: Why a maximum-likelihood fit without standard errors is refitted under the weak prior.
FLAT_RIDGE = Message("flat_ridge")
#: A penalizer that moves a parameter by at least this share of its unpenalised value says so.
PENALTY_NOTICE = 0.01


def penalty_moves(shift: dict) -> str:
    """The parameters a penalty moved by at least :data:`PENALTY_NOTICE`, as text ("" when none).

    Parameters
    ----------
    shift : dict
        One entry of ``CLVModel.penalty_shift_``: ``unpenalized`` and ``penalized`` parameters.

    Returns
    -------
    str

    Examples
    --------
    >>> penalty_moves({"unpenalized": {"r": 0.243, "a": 0.793}, "penalized": {"r": 0.2428, "a": 0.498}})
    'a 0.793 -> 0.498 (-37 %)'
    """
    moves = []
    for name, before in shift["unpenalized"].items():
        after = shift["penalized"][name]
        change = after / before - 1 if before else math.inf
        if abs(change) >= PENALTY_NOTICE:
            moves.append(f"{name} {before:.3g} -> {after:.3g} ({100 * change:+.0f} %)")
    return ", ".join(moves)


def _penalty_shift(option: str, penalizer: float, penalized: dict, unpenalized_fit) -> dict:
    """``{option: {penalizer, unpenalized, penalized}}`` when the unpenalised fit converges, else ``{}``.

    Run only with a penalizer > 0; a penalty that moves a parameter is warned about.
    """
    try:
        plain = unpenalized_fit()
    except ModelError:  # the penalty is what makes the fit converge: nothing to compare with
        return {}
    shift = {"penalizer": float(penalizer), "unpenalized": plain, "penalized": dict(penalized)}
    moves = penalty_moves(shift)
    if moves:
        warnings.warn(FitWarning("alert_penalty_shift", penalizer=Param(option), value=penalizer, moves=moves),
                      stacklevel=5)  # the caller of fit
    return {option: shift}


class CLVModel(TierTransformer):
    """Predicted customer lifetime value from a purchase model (BG/NBD ...) and Gamma-Gamma (spend).

    Parameters
    ----------
    horizon : str, pandas.Timedelta or float, default="365D"
        How far ahead: ``"365D"`` (days), ``"52W"`` (weeks) or a time delta, whatever the
        features' unit. A bare number is days with daily features; with weekly features it is
        refused as ambiguous. Months and years are refused (no exact number of days).
    discount_rate : float, default=0.10
        Annual discount rate (0.10 = 10 % a year), whatever the time unit; see the module
        docs for how it is applied.
    margin : float, default=1.0
        Share of spend that is profit; ``clv`` is ``margin`` times discounted spend.
    acquisition_cost : float, default=0.0
        Cost of winning a customer; when > 0, ``net_clv = clv - acquisition_cost`` is added.
    discount_steps : int, optional
        Equal steps the horizon is cut into for discounting; default about one per month.
    bgnbd_penalizer, gg_penalizer : float, default=0
        L2 penalty on the (time-scaled) parameters, as in lifetimes; try 0.001 when a fit
        does not converge. ``bgnbd_penalizer`` penalises whichever purchase model is used.
    time_unit : {"D", "W"}, optional
        Unit of the features; default ``features.attrs["time_unit"]``, else what their
        ``first_purchase`` / ``last_purchase`` dates prove, else days.
    model : {"mbgnbd", "bgnbd", "pareto_nbd", "auto"}, default="mbgnbd"
        The purchase model, or ``"auto"`` to choose one (see the module docs).
    interval : float, optional
        Coverage of the per-customer intervals ``transform`` adds (``predict(X,
        interval=...)``), e.g. 0.9; default none.
    predictive : float, optional
        Coverage of the per-customer *predictive* intervals ``transform`` adds
        (``predict(X, predictive=...)``), e.g. 0.9: the range of what the customer will actually
        buy and be worth; default none.
    prior : {"auto", "weak", "none"}, default="auto"
        How parameters are estimated. ``"auto"``: maximum likelihood, which reproduces the
        published fits (Fader, Hardie & Lee 2005; lifetimes), and where it has no interior optimum
        -- it fails, or ends at the boundary of the model (no dropout seen, every spend the same,
        counts less variable than Poisson) -- the posterior maximum under a weak prior, with a
        warning naming the parameter (:mod:`tierkit.clv._optimize`); ``fit_method_`` records
        which. ``"weak"``: always the posterior maximum. ``"none"``: maximum likelihood only,
        refusing a fit without an interior optimum as lifetimes does.

    Attributes
    ----------
    model_ : str
        The purchase model used: ``"bgnbd"``, ``"mbgnbd"`` or ``"pareto_nbd"``.
    model_choice_ : str
        Why: ``"given"`` (``model="..."``) or the reason ``"auto"`` chose it, with every
        candidate's log-likelihood and BIC (or holdout error).
    model_comparison_ : dict
        With ``"auto"``: per candidate ``log_likelihood``, ``bic`` (``holdout_rmse``), or
        ``error``; empty otherwise.
    params_ : dict
        The purchase model's parameters: ``r``, ``alpha``, ``a``, ``b`` (BG/NBD, MBG/NBD) or
        ``r``, ``alpha``, ``s``, ``beta`` (Pareto/NBD).
    bgnbd_params_ : dict
        ``params_`` when the model is BG/NBD (absent otherwise).
    gamma_gamma_params_ : dict
        ``p``, ``q``, ``v``.
    log_likelihood_ : float
        Purchase-model log-likelihood of the training customers.
    spend_frequency_corr_ : float
        Correlation of repeat purchases and mean spend (Gamma-Gamma assumes none).
    trust_ : dict
        Whether the model tells active from lapsed customers (:func:`tierkit.clv.trust.assess`):
        ``discriminates``, ``dropout_in_period``, ``alive_share``, ``reason``, ``remedy``. When it
        does not, every prediction carries ``clv_caveat`` (the reason) and
        :class:`tierkit.Segmentation` ranks nobody by it.
    fit_method_ : dict
        Per model (the purchase model's name and ``"gamma_gamma"``): ``method`` (``"mle"``,
        ``"map"``, or ``"constant"`` when every repeat customer's mean spend is the same and that
        is everyone's expected spend) and ``reason`` (why, "" for maximum likelihood).
    params_cov_ : dict
        ``{model_: ..., "gamma_gamma": ...}``: covariance matrix of each model's
        log-parameters, the inverse of the observed information at the estimate (all NaN when
        it is not positive definite); see :meth:`parameter_table` and ``predict(interval=)``.
    params_se_ : dict
        ``{model_: {"r": se, ...}, "gamma_gamma": {...}}``: standard errors of the parameters.
    penalty_shift_ : dict
        With a penalizer > 0 whose model also converges without it: ``{"bgnbd_penalizer" or
        "gg_penalizer": {"penalizer", "unpenalized", "penalized"}}``, the parameters with and
        without the penalty (the unpenalised fit is run only then); empty otherwise.
    n_customers_, n_repeat_customers_ : int
    time_unit_ : str
    settings_ : dict
        ``horizon`` in ``time_unit_``, ``horizon_given`` as written, the discounting settings.
    scale_ : dict
        ``on_day_grid`` (whether the training ``T`` and ``recency_btyd`` were whole days) and
        ``median_T``: what :meth:`predict` compares features without a declared unit with.

    Notes
    -----
    Besides :meth:`predict`, a fitted model answers lifetimes' questions under lifetimes' names,
    from whichever purchase model it uses: :meth:`expected_number_of_purchases_up_to_time`,
    :meth:`probability_of_n_purchases_up_to_time`,
    :meth:`conditional_expected_number_of_purchases_up_to_time`,
    :meth:`conditional_probability_alive`, :meth:`conditional_expected_average_profit` and
    :meth:`customer_lifetime_value` (tierkit's horizon and annual rate; :func:`lifetimes_clv_settings`
    converts lifetimes' months and monthly rate).

    Examples
    --------
    The CDNOW sample of Fader, Hardie & Lee (2005) in weeks, a 52-week horizon at 10 % a year:

    >>> import tierkit as tk, warnings
    >>> with warnings.catch_warnings():  # transactions after the calibration end are left out
    ...     warnings.simplefilter("ignore")
    ...     f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    >>> model = CLVModel(horizon="52W", discount_rate=0.10, model="bgnbd").fit(f)
    >>> {k: round(v, 3) for k, v in model.bgnbd_params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}

    Customer 00004 of the paper (x = 2, t_x = 30.43, T = 38.86) is expected to buy 1.226 times
    in the next 39 weeks; over 52 weeks, at 24.65 a purchase, that is worth 36.64 today:

    >>> f.loc["00004", ["frequency_btyd", "recency_btyd", "T"]].round(2).tolist()
    [2.0, 30.43, 38.86]
    >>> round(float(model.predict(f, horizon="39W").loc["00004", "expected_purchases"]), 3)
    1.226
    >>> model.predict(f).loc["00004"].round(3)
    expected_purchases     1.559
    p_alive                0.727
    expected_spend        24.654
    clv                   36.636
    Name: 00004, dtype: float64

    ``model="auto"`` keeps MBG/NBD here, whose likelihood is a hair above BG/NBD's:

    >>> auto = CLVModel(horizon="52W", model="auto").fit(f)
    >>> auto.model_, round(auto.log_likelihood_, 1)
    ('mbgnbd', -9582.1)
    """

    _parameter_constraints = {
        "horizon": [Duration()],
        "discount_rate": [Interval(Real, 0, None, closed="left")],
        "margin": [Interval(Real, 0, None, closed="left")],
        "acquisition_cost": [Interval(Real, 0, None, closed="left")],
        "discount_steps": [Interval(Integral, 1, None, closed="left"), None],
        "bgnbd_penalizer": [Interval(Real, 0, None, closed="left")],
        "gg_penalizer": [Interval(Real, 0, None, closed="left")],
        "time_unit": [Options(DAYS_PER_UNIT), None],
        "model": [Options(MODEL_CHOICES)],
        "interval": [Interval(Real, 0, 1, closed="neither", what=Message("a_coverage"), example="0.9"), None],
        "prior": [Options(PRIOR_CHOICES)],
        "predictive": [Interval(Real, 0, 1, closed="neither", what=Message("a_coverage"), example="0.9"), None],
    }

    def __init__(self, horizon="365D", discount_rate=0.10, margin=1.0, acquisition_cost=0.0, discount_steps=None,
                 bgnbd_penalizer=0.0, gg_penalizer=0.0, time_unit=None, model="mbgnbd", interval=None, prior="auto",
                 predictive=None):
        self.horizon = horizon
        self.discount_rate = discount_rate
        self.margin = margin
        self.acquisition_cost = acquisition_cost
        self.discount_steps = discount_steps
        self.bgnbd_penalizer = bgnbd_penalizer
        self.gg_penalizer = gg_penalizer
        self.time_unit = time_unit
        self.model = model
        self.interval = interval
        self.prior = prior
        self.predictive = predictive

    def _inputs(self, X):
        require_columns(X, CLV_INPUTS, "CLVModel")
        x, t_x, T, m = (numeric_column(X, c, "CLVModel") for c in CLV_INPUTS)
        bad = (x < 0) | (t_x < 0) | (T < t_x) | (x != np.round(x))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError("btyd_history", where="CLVModel", customer=repr(X.index[pos]), x=repr(x[pos]),
                            t_x=repr(t_x[pos]), T=repr(T[pos]))
        return x, t_x, T, m

    def fit(self, X, y=None):
        """Fit the purchase model on every customer and Gamma-Gamma on the repeat customers with positive spend.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature table of :func:`tierkit.rfm_features` (``frequency_btyd``,
            ``recency_btyd``, ``T``, ``monetary_btyd``), one row per customer.
        y : array-like, optional
            With ``model="auto"``: each customer's purchases in a holdout period right after the
            features' date (``rfm_features(..., holdout_end=...)["holdout_purchases"]``); the
            model whose forecast of them has the lowest RMSE is chosen, the period's length
            read from ``X["holdout_duration"]``. Ignored with a named model.

        Returns
        -------
        self

        Raises
        ------
        DataError
            A missing or impossible column value (``recency_btyd > T``), or fewer than 10
            customers with a repeat purchase (or with positive repeat spend).
        ModelError
            A fit that does not converge, including a BG/NBD fit whose parameters run off
            towards 0 or infinity with the likelihood still improving (no interior maximum);
            the message names the penalizer to try.

        Warns
        -----
        UserWarning
            When the correlation of repeat purchases and mean spend among repeat customers is
            above 0.3 in absolute value: Gamma-Gamma assumes they are independent. When a penalizer moved a
            parameter by 1 % or more from an unpenalised fit that converges too (e.g.
            ``bgnbd_penalizer=0.001 moved a 0.793 -> 0.498 (-37 %)`` on CDNOW): the penalty was
            not needed and changed the model; see ``penalty_shift_``.
        """
        self._holdout = y  # read by _fit; not learned state
        try:
            return super().fit(X, y)
        finally:
            del self._holdout

    def _columns_in(self, X):
        # monetary, when there, marks the customers whose purchases were all returned (no expected spend)
        return CLV_INPUTS + (("monetary",) if "monetary" in X.columns else ())

    def _columns_out(self):
        net = self.settings_["acquisition_cost"] > 0
        ranges = ("expected_purchases_low", "expected_purchases_high", "clv_low", "clv_high") + (
            ("net_clv_low", "net_clv_high") if net else ())
        predictive_ranges = ("purchases_predictive_low", "purchases_predictive_high", "clv_predictive_low",
                             "clv_predictive_high") + (
            ("net_clv_predictive_low", "net_clv_predictive_high") if net else ())
        return ("expected_purchases", "p_alive", "expected_spend", "clv") + (("net_clv",) if net else ()) + (
            predictive_ranges if getattr(self, "predictive", None) is not None else ()) + (
            ranges if getattr(self, "interval", None) is not None else ()) + (
            () if self.discriminates_() else ("clv_caveat",))

    def discriminates_(self) -> bool:
        """Whether the fitted model tells active from lapsed customers (:mod:`tierkit.clv.trust`)."""
        return bool(getattr(self, "trust_", {"discriminates": True})["discriminates"])

    _learns_from_counts = True

    def _fit_columns_in(self, X):
        return CLV_INPUTS  # monetary is read by predict only

    def _fit(self, X):
        x, t_x, T, _ = self._inputs(X)  # every customer's values checked, the first bad one named
        proven = time_unit_from_dates(X)
        holdout = getattr(self, "_holdout", None)
        self._fit_statistics(FrameStatistics(X, "CLVModel"), proven=proven,
                             per_customer=(x, t_x, T) if holdout is not None and self.model == "auto" else None)

    def _fit_statistics(self, statistics, proven: str | None = None, per_customer=None):
        """Fit from distinct rows and their counts, all the likelihoods read (any engine counts them).

        The rows are (frequency_btyd, recency_btyd, T) of every customer and (frequency_btyd,
        monetary_btyd) of the repeat customers with positive spend.
        """
        declared = statistics.attrs.get("time_unit")
        if self.time_unit is not None and declared is not None and declared != self.time_unit:
            raise DataError("time_unit_mismatch", where="CLVModel", param=Param("time_unit"),
                            value=repr(self.time_unit), declared=repr(declared))
        if proven is not None and (self.time_unit or declared or proven) != proven:
            raise DataError("time_unit_dates", where="CLVModel", param=Param("time_unit"),
                            value=repr(self.time_unit or declared), proven=repr(proven))
        unit = self.time_unit or declared or proven or "D"
        if unit not in DAYS_PER_UNIT:
            raise TierkitError("time_unit_unknown", where="CLVModel", unit=repr(unit))
        horizon = to_time_units(self.horizon, unit, "CLVModel: horizon")
        rows, counts = statistics.rows(CLV_INPUTS[:3])  # found once: the fit(s), the information, the penalty check
        weights = counts.astype("float64")
        n_customers = int(counts.sum())
        n_repeat = int(counts[rows[:, 0] > 0].sum())
        if n_repeat < MIN_REPEAT_CUSTOMERS:
            raise DataError("too_few_repeat", where="CLVModel", n=n_repeat, total=n_customers,
                            least=MIN_REPEAT_CUSTOMERS)
        spend_rows, spend_counts = statistics.rows((CLV_INPUTS[0], CLV_INPUTS[3]), positive=(CLV_INPUTS[0],
                                                                                            CLV_INPUTS[3]))
        spend_weights = spend_counts.astype("float64")
        if int(spend_counts.sum()) < MIN_REPEAT_CUSTOMERS:
            raise DataError("too_few_spenders", where="CLVModel", n=int(spend_counts.sum()),
                            least=MIN_REPEAT_CUSTOMERS)
        if per_customer is not None:  # model="auto" chosen on each customer's holdout purchases
            x, t_x, T = per_customer
            holdout = self._holdout
            require_columns(statistics.frame, ("holdout_duration",), "CLVModel")
            duration = float(numeric_column(statistics.frame, "holdout_duration", "CLVModel")[0])
            choice = choose_model(x, t_x, T, self.bgnbd_penalizer, holdout=holdout, duration=duration,
                                  distinct=(rows, weights), prior=self.prior)
            name, why, comparison = choice.model, choice.reason, choice.candidates
            purchase_fit = choice.fits[name]
        elif self.model == "auto":
            choice = choose_model(None, None, None, self.bgnbd_penalizer, distinct=(rows, weights), prior=self.prior)
            name, why, comparison = choice.model, choice.reason, choice.candidates
            purchase_fit = choice.fits[name]
        else:
            name, why, comparison = self.model, "given", {}
            purchase_fit = fit_customers(name, None, None, None, self.bgnbd_penalizer, distinct=(rows, weights),
                                         prior=self.prior)
        correlation = weighted_correlation(spend_rows[:, 0], spend_rows[:, 1], spend_weights)
        if abs(correlation) > CORRELATION_WARNING:
            warnings.warn(FitWarning("warn_spend_correlation", where="CLVModel", correlation=f"{correlation:+.2f}"),
                          stacklevel=4)  # the caller of fit
        spend_fit = _fit_spend(spend_rows[:, 0], spend_rows[:, 1], spend_weights, self.gg_penalizer, self.prior)
        mean_spend = math.fsum((spend_weights * spend_rows[:, 1]).tolist()) / math.fsum(spend_weights.tolist())

        # covariance of the log-parameters from the observed (posterior) information
        def purchase_covariance(fit):
            return uncertainty.estimate_covariance(MODELS[name].module.log_likelihood, fit.params, rows.T, weights,
                                                   log_prior=_purchase_log_prior if fit.method == "map" else None)

        def spend_covariance(fit):
            if fit.method == "constant":  # nothing left to estimate
                return np.zeros((3, 3))
            return uncertainty.estimate_covariance(
                gamma_gamma_model.log_likelihood, fit.params, spend_rows.T, spend_weights,
                log_prior=(lambda eta: gamma_gamma_model.log_prior(eta, mean_spend)) if fit.method == "map" else None)

        purchase_cov, spend_cov = purchase_covariance(purchase_fit), spend_covariance(spend_fit)
        # a maximum on a flat ridge (no positive-definite information) is answered by the prior too
        if self.prior == "auto" and purchase_fit.method == "mle" and not np.all(np.isfinite(purchase_cov)):
            params, ll = fit_customers(name, None, None, None, self.bgnbd_penalizer, distinct=(rows, weights),
                                       prior="weak")
            purchase_fit = Fit(params, ll, "map", FLAT_RIDGE)
            purchase_cov = purchase_covariance(purchase_fit)
        if self.prior == "auto" and spend_fit.method == "mle" and not np.all(np.isfinite(spend_cov)):
            params, ll = _fit_spend(spend_rows[:, 0], spend_rows[:, 1], spend_weights, self.gg_penalizer, "weak")
            spend_fit = Fit(params, ll, "map", FLAT_RIDGE)
            spend_cov = spend_covariance(spend_fit)
        purchase, log_likelihood = purchase_fit
        gamma_gamma, gg_log_likelihood = spend_fit
        covariance = {name: purchase_cov, "gamma_gamma": spend_cov}
        for label, fit in ((MODELS[name].label, purchase_fit), ("Gamma-Gamma", spend_fit)):
            if fit.method == "map" and self.prior == "auto":
                warnings.warn(FitWarning("warn_weak_prior", where=f"CLVModel: {label}", reason=fit.reason,
                                         param=Param("prior")), stacklevel=4)
            elif fit.method == "constant":
                warnings.warn(FitWarning("warn_constant_fit", where=f"CLVModel: {label}", reason=fit.reason),
                              stacklevel=4)
        shift = {}  # how far each penalty moved the parameters from a converging unpenalised fit
        if self.bgnbd_penalizer > 0:
            shift.update(_penalty_shift("bgnbd_penalizer", self.bgnbd_penalizer, purchase,
                                        lambda: fit_customers(name, None, None, None, distinct=(rows, weights),
                                                              prior=self.prior)[0]))
        if self.gg_penalizer > 0:
            shift.update(_penalty_shift("gg_penalizer", self.gg_penalizer, gamma_gamma, lambda: _fit_spend(
                spend_rows[:, 0], spend_rows[:, 1], spend_weights, 0.0, self.prior)[0]))
        if gamma_gamma["q"] <= 1:
            raise ModelError("gg_q_undefined", where="CLVModel", q=f"{gamma_gamma['q']:.3f}")
        # learned state only once every step has succeeded: a failed fit leaves no half-fitted model
        self.model_, self.model_choice_, self.model_comparison_ = name, why, comparison
        self.params_, self.log_likelihood_ = purchase, log_likelihood
        self.fit_method_ = {name: {"method": purchase_fit.method, "reason": purchase_fit.reason},
                            "gamma_gamma": {"method": spend_fit.method, "reason": spend_fit.reason}}
        if name == "bgnbd":
            self.bgnbd_params_ = purchase
        elif hasattr(self, "bgnbd_params_"):  # a refit with another model
            del self.bgnbd_params_
        self.gamma_gamma_params_, self.gg_log_likelihood_ = gamma_gamma, gg_log_likelihood
        self.spend_frequency_corr_ = correlation
        self.penalty_shift_ = shift
        self.params_cov_ = covariance
        self.params_se_ = {name: uncertainty.parameter_table(params, covariance[name])["se"].to_dict()
                           for name, params in ((name, purchase), ("gamma_gamma", gamma_gamma))}
        ages = statistics.distinct(Distinct(CLV_INPUTS[2]))
        median_T = float(quantiles_of_counts(*ages, [0.5])[0])
        self.trust_ = trust.assess(name, purchase, MODELS[name].p_alive(purchase, rows[:, 0], rows[:, 1], rows[:, 2]),
                                   rows[:, 0], rows[:, 2], weights, age=median_T)
        self.time_unit_ = unit
        self.n_customers_ = n_customers
        self.n_repeat_customers_ = n_repeat
        self.settings_ = {"horizon": horizon, "horizon_given": as_given(self.horizon),
                          "discount_rate": float(self.discount_rate),
                          "margin": float(self.margin), "acquisition_cost": float(self.acquisition_cost),
                          "discount_steps": self.discount_steps}
        self.scale_ = {"on_day_grid": _on_day_grid(unit, rows[:, 2], rows[:, 1]), "median_T": median_T,
                       "max_T": float(ages[0][-1])}

    def _steps(self, horizon: float, steps: int | None = None) -> np.ndarray:
        """Ends of the discounting steps, in time units (``steps`` of them, default the model's setting)."""
        days = horizon * DAYS_PER_UNIT[self.time_unit_]
        steps = steps or self.settings_["discount_steps"] or max(1, math.ceil(days / DAYS_PER_MONTH - 1e-9))
        return horizon * np.arange(1, steps + 1) / steps

    def predict(self, X, horizon: float | None = None, discount_rate: float | None = None,
                interval: float | None = None, predictive: float | None = None,
                discount_steps: int | None = None) -> pd.DataFrame:
        """Expected purchases, probability alive, expected spend and CLV of each customer.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature table in the fitted time unit (``frequency_btyd``, ``recency_btyd``, ``T``,
            ``monetary_btyd``); any other columns are ignored.
        horizon : str, pandas.Timedelta or float, optional
            Overrides the model's ``horizon`` for this call, written as ``horizon`` is
            (``"39W"``, ``"273D"``; a bare number is days, refused for a weekly model).
        discount_rate : float, optional
            Overrides the model's annual ``discount_rate`` for this call.
        interval : float, optional
            Coverage of per-customer intervals from parameter uncertainty, e.g. ``0.9``: adds
            ``expected_purchases_low``, ``expected_purchases_high``, ``clv_low``, ``clv_high``
            (and ``net_clv_low``, ``net_clv_high`` with an acquisition cost). They are
            delta-method intervals on the log scale from the observed information of both fits
            (:mod:`tierkit.clv.uncertainty`): where the model's *expectation* for the customer
            would lie with the true parameters, not the range of what the customer will buy.
        predictive : float, optional
            Coverage of per-customer *predictive* intervals, e.g. ``0.9``: adds
            ``purchases_predictive_low``, ``purchases_predictive_high``, ``clv_predictive_low``,
            ``clv_predictive_high`` (and ``net_clv_predictive_low/high`` with an acquisition
            cost): quantiles of the customer's own purchases and discounted value over the
            horizon, drawn from the posterior predictive distribution given their history
            (alive or not, their purchase process, their spend; :mod:`tierkit.clv.predictive`,
            2,000 draws with a fixed seed: the same output every run). A realised value falls
            inside for about ``predictive`` of the customers (measured in simulation and on CDNOW).
        discount_steps : int, optional
            Overrides the model's ``discount_steps`` for this call.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``X``: ``expected_purchases`` (within the horizon), ``p_alive`` (now),
            ``expected_spend`` (per purchase), ``clv`` and, with an acquisition cost,
            ``net_clv``; then the interval columns when asked for. Every value is finite.

        Raises
        ------
        ModelError
            ``interval`` given for a model without parameter covariance: a parameter at its
            boundary (the observed information is not positive definite), or a model fitted
            before intervals existed.

        Examples
        --------
        Customer 00004 of the CDNOW sample, a 90 % interval from parameter uncertainty:

        >>> import tierkit as tk, warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
        >>> model = CLVModel(horizon="52W", model="bgnbd").fit(f)
        >>> model.predict(f, interval=0.9).loc["00004", ["clv_low", "clv", "clv_high"]].round(1).tolist()
        [34.0, 36.6, 39.5]
        """
        check_is_fitted(self, "gamma_gamma_params_")
        horizon = (self.settings_["horizon"] if horizon is None
                   else to_time_units(horizon, self.time_unit_, "CLVModel: horizon"))
        rate = self.settings_["discount_rate"] if discount_rate is None else discount_rate
        check_param(self, "discount_rate", rate)  # the bounds of the parameters of the same names
        check_param(self, "discount_steps", discount_steps)
        x, t_x, T, m = self._inputs(X)
        self._check_unit(X, t_x, T)
        model, params = self._purchase_model()
        bg = model.values(params)  # the tuple the model's functions take
        gg = tuple(self.gamma_gamma_params_[k] for k in ("p", "q", "v"))
        z = None if interval is None else self._interval_z(interval)
        rows, _, inverse = distinct_rows(x, t_x, T)
        rx, rtx, rT = rows[:, 0], rows[:, 1], rows[:, 2]
        ends = self._steps(float(horizon), discount_steps)
        discount = (1.0 + rate) ** (-ends * DAYS_PER_UNIT[self.time_unit_] / DAYS_PER_YEAR)

        def purchases(params):  # per distinct row: expected purchases within the horizon, and discounted
            cumulative = np.stack([model.module.expected_purchases(params, t, rx, rtx, rT) for t in ends])
            return np.stack([cumulative[-1], discounted_sum(discount, np.diff(cumulative, axis=0, prepend=0.0))])

        # a customer whose purchases were all returned (net spend <= 0) is expected to spend nothing
        returned = (numeric_column(X, "monetary", "CLVModel") <= 0 if "monetary" in X.columns
                    else np.zeros(len(x), dtype=bool))

        def spends(params):
            return np.where(returned, 0.0, expected_spend(params, x, np.where(x > 0, np.maximum(m, 0.0), 0.0)))

        within, discounted = purchases(bg)
        spend = spends(gg)
        out = pd.DataFrame(index=X.index)
        out["expected_purchases"] = within[inverse]
        out["p_alive"] = model.module.p_alive(bg, rx, rtx, rT)[inverse]
        out["expected_spend"] = spend
        out["clv"] = self.settings_["margin"] * spend * discounted[inverse]
        cost = self.settings_["acquisition_cost"]
        if cost > 0:
            out["net_clv"] = out["clv"] - cost
        if predictive is not None:
            self._add_predictive(out, predictive, (model.name, params, gg), (x, t_x, T, m), ends, discount, returned)
        if z is not None:
            covariance = self.params_cov_
            sd_within, sd_discounted = uncertainty.log_scale_sd(purchases, bg, covariance[self.model_name_()])
            # the two fits' estimates are independent: variances of ln(purchases) and ln(spend) add
            sd_clv = np.sqrt(sd_discounted[inverse] ** 2 + uncertainty.log_scale_sd(
                spends, gg, covariance["gamma_gamma"]) ** 2)
            out["expected_purchases_low"] = out["expected_purchases"] * np.exp(-z * sd_within[inverse])
            out["expected_purchases_high"] = out["expected_purchases"] * np.exp(z * sd_within[inverse])
            out["clv_low"] = out["clv"] * np.exp(-z * sd_clv)
            out["clv_high"] = out["clv"] * np.exp(z * sd_clv)
            if cost > 0:
                out["net_clv_low"] = out["clv_low"] - cost
                out["net_clv_high"] = out["clv_high"] - cost
        values = out.to_numpy(dtype="float64")
        if not np.isfinite(values).all():
            pos = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
            raise ModelError("non_finite_prediction", where="CLVModel", customer=repr(X.index[pos]))
        if not self.discriminates_():  # every row says the ranking is not to be trusted, and why
            out["clv_caveat"] = pd.Categorical.from_codes(np.zeros(len(out), dtype="int8"),
                                                          [self.trust_["reason"]])
        return out

    def _add_predictive(self, out, level, fitted, columns, ends, discount, returned) -> None:
        """Add the predictive interval columns of ``predict(..., predictive=level)`` to ``out``."""
        check_param(self, "predictive", level)
        name, params, gg = fitted
        x, t_x, T, m = columns
        spend = np.where(x > 0, np.maximum(m, 0.0), 0.0)
        drawn = predictive_draws.predictive_intervals(name, params, gg, x, t_x, T, spend, ends, discount=discount,
                                                      margin=self.settings_["margin"], level=float(level), seed=0)
        out["purchases_predictive_low"] = drawn["purchases_low"].to_numpy()
        out["purchases_predictive_high"] = drawn["purchases_high"].to_numpy()
        # a customer who returned everything is worth nothing, whatever he buys
        out["clv_predictive_low"] = np.where(returned, 0.0, drawn["clv_low"].to_numpy())
        out["clv_predictive_high"] = np.where(returned, 0.0, drawn["clv_high"].to_numpy())
        cost = self.settings_["acquisition_cost"]
        if cost > 0:
            out["net_clv_predictive_low"] = out["clv_predictive_low"] - cost
            out["net_clv_predictive_high"] = out["clv_predictive_high"] - cost

    # -- the quantities of lifetimes' fitters, by their names (tierkit.clv.family.QUANTITIES) --

    def _durations(self, t, name: str = "t"):
        """``t`` in the model's time unit: one duration or an array of them, each read as ``horizon`` is.

        Numbers are days for a daily model and refused as ambiguous for a weekly one
        (:func:`~tierkit.features.durations.to_time_units`); 0 is allowed.
        """
        who = f"CLVModel: {name}"
        unit = self.time_unit_
        if isinstance(t, np.ndarray) and t.ndim == 0:
            t = t[()]
        if isinstance(t, (str, bytes)) or np.ndim(t) == 0:
            return to_time_units(t, unit, who, allow_zero=True)
        values = np.asarray(t)
        if values.dtype.kind in "iuf":  # numbers: days in a daily model, checked at once
            flat = values.astype("float64").reshape(-1)
            bad = ~np.isfinite(flat) | (flat < 0)
            if (unit != "D" and flat.size) or bad.any():  # the first offending value says why, as one would
                to_time_units(float(flat[np.flatnonzero(bad)[0]] if bad.any() else flat[0]), unit, who,
                              allow_zero=True)
            return values.astype("float64")  # days, the model's unit
        return np.array([to_time_units(v, unit, who, allow_zero=True) for v in values.reshape(-1)],
                        dtype="float64").reshape(values.shape)

    @staticmethod
    def _history(frequency, recency, T):
        """``(x, t_x, T)`` as float arrays broadcast together, refusing impossible histories in one line."""
        try:
            x, t_x, age = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (frequency, recency, T)))
        except (TypeError, ValueError):
            raise DataError("btyd_inputs", where="CLVModel") from None
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(age) & (x >= 0) & (x == np.round(x))
                    & (t_x >= 0) & (t_x <= age))
        if bad.any():
            pos = int(np.flatnonzero(bad.reshape(-1))[0])
            like = next((v for v in (frequency, recency, T) if isinstance(v, pd.Series)), None)
            who = (Message("customer", customer=repr(like.index[pos]))
                   if like is not None and len(like) == bad.size else Message("position", n=pos))
            shown = ", ".join(f"{k}={float(v.reshape(-1)[pos])!r}"
                              for k, v in (("frequency", x), ("recency", t_x), ("T", age)))
            raise DataError("btyd_value", where="CLVModel", who=who, shown=shown)
        return x, t_x, age

    def _quantity(self, name: str, *args) -> np.ndarray:
        """The purchase model's ``name`` (:meth:`tierkit.clv.family.PurchaseModel.quantity`)."""
        model, params = self._purchase_model()
        return model.quantity(name, params, *args)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases in ``(0, t]`` of a new customer, drawn from the population.

        lifetimes' and PyMC-Marketing's quantity of that name (FHL 2005, eq. 9, for BG/NBD), from
        whichever purchase model was fitted (``model_``); ``t`` counts from the first purchase.

        Parameters
        ----------
        t : str, pandas.Timedelta, float or array-like of them
            How long, written as ``horizon`` is (``"39W"``, ``"273D"``): a bare number is days for a
            daily model and refused as ambiguous for a weekly one. 0 is allowed.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``E[X(t)]``: a float for one ``t``, else shaped like ``t`` (a Series keeps its index).

        Examples
        --------
        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd").fit(f)
        >>> round(model.expected_number_of_purchases_up_to_time("39W"), 3)
        1.195
        >>> model.expected_number_of_purchases_up_to_time(["0W", "1W", "273D"]).round(3)
        array([0.   , 0.053, 1.195])
        """
        check_is_fitted(self, "gamma_gamma_params_")
        t_units = self._durations(t)
        values = self._quantity("expected_number_of_purchases_up_to_time", t_units)
        return shaped_like(values, (t,), "expected_purchases")

    def probability_of_n_purchases_up_to_time(self, t, n):
        """Probability that a new customer, from the population, makes exactly ``n`` repeat purchases in ``(0, t]``.

        lifetimes' quantity of that name (FHL 2005, eq. 8, for BG/NBD), from whichever purchase
        model was fitted; Pareto/NBD's has no closed form and is integrated numerically
        (:func:`tierkit.clv.pareto_nbd.probability_of_n_purchases_up_to_time`: for reports, not
        for millions of values).

        Parameters
        ----------
        t : str, pandas.Timedelta, float or array-like of them
            How long, written as ``horizon`` is (``"39W"``, ``"273D"``; a bare number is days for a
            daily model, refused for a weekly one).
        n : int or array-like of int
            Number of repeat purchases, whole and >= 0 (broadcast against ``t``).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``P(X(t) = n)``.

        Raises
        ------
        ModelError
            When the purchase model has no such probability (one line naming both).

        Examples
        --------
        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd").fit(f)
        >>> model.probability_of_n_purchases_up_to_time("39W", [0, 1, 2]).round(3)
        array([0.574, 0.199, 0.085])
        """
        check_is_fitted(self, "gamma_gamma_params_")
        t_units = self._durations(t)
        try:
            counts = np.asarray(n, dtype="float64")
        except (TypeError, ValueError):
            raise TierkitError("n_counts", where="CLVModel", param=Param("n"), value=repr(n)) from None
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(counts) & (counts >= 0) & (counts == np.round(counts)))
        if bad.any():
            first = float(counts.reshape(-1)[np.flatnonzero(bad.reshape(-1))[0]])
            raise TierkitError("n_counts", where="CLVModel", param=Param("n"), value=repr(first))
        values = self._quantity("probability_of_n_purchases_up_to_time", t_units, counts)
        return shaped_like(values, (n, t), "probability")

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases in the ``t`` after the end of observation, given each customer's history.

        lifetimes' quantity of that name (FHL 2005, eq. 10, for BG/NBD), from whichever purchase
        model was fitted: what :meth:`predict` reports as ``expected_purchases`` for a horizon of
        ``t``.

        Parameters
        ----------
        t : str, pandas.Timedelta, float or array-like of them
            How far ahead, written as ``horizon`` is (``"39W"``, ``"273D"``; a bare number is days
            for a daily model, refused for a weekly one). Broadcast against the customers.
        frequency, recency, T : float or array-like
            Repeat purchases, age at the last one, age at the end of observation, per customer:
            the feature table's ``frequency_btyd``, ``recency_btyd``, ``T``, ages in the model's
            time unit (``time_unit_``), as lifetimes takes them.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected purchases in ``(T, T + t]``; a Series indexed like the customers when they
            come as one.

        Raises
        ------
        DataError
            An impossible history (``recency > T``, a fractional or negative frequency).

        Examples
        --------
        Customer 1 of the CDNOW sample (Fader, Hardie & Lee 2005: x = 2, t_x = 30.43, T = 38.86
        weeks) is expected to buy 1.226 times in the next 39 weeks:

        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd").fit(f)
        >>> round(model.conditional_expected_number_of_purchases_up_to_time("39W", 2, 30.43, 38.86), 3)
        1.226
        >>> model.conditional_expected_number_of_purchases_up_to_time(
        ...     "39W", f["frequency_btyd"], f["recency_btyd"], f["T"]).head(3).round(3)
        customer_id
        1    1.226
        2    0.203
        3    0.195
        Name: expected_purchases, dtype: float64
        """
        check_is_fitted(self, "gamma_gamma_params_")
        t_units = self._durations(t)
        x, t_x, age = self._history(frequency, recency, T)
        try:
            np.broadcast_shapes(np.shape(t_units), x.shape)
        except ValueError:
            raise DataError("t_histories", where="CLVModel", n_t=np.size(t_units), n=x.size) from None
        values = self._quantity("conditional_expected_number_of_purchases_up_to_time", t_units, x, t_x, age)
        return shaped_like(values, (frequency, recency, T, t), "expected_purchases")

    def conditional_probability_alive(self, frequency, recency, T):
        """Probability that each customer is still alive at the end of observation, given their history.

        lifetimes' quantity of that name, from whichever purchase model was fitted: what
        :meth:`predict` reports as ``p_alive``. Under BG/NBD a customer without a repeat purchase
        is alive with probability 1 (they can drop out only after a purchase); not so under
        MBG/NBD and Pareto/NBD.

        Parameters
        ----------
        frequency, recency, T : float or array-like
            Repeat purchases, age at the last one, age at the end of observation, per customer,
            in the model's time unit (``time_unit_``).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``P(alive at T)``; a Series indexed like the customers when they come as one.

        Raises
        ------
        DataError
            An impossible history (``recency > T``, a fractional or negative frequency).

        Examples
        --------
        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd").fit(f)
        >>> model.conditional_probability_alive([0, 2], [0, 30.43], [38.86, 38.86]).round(3)
        array([1.   , 0.727])
        """
        check_is_fitted(self, "gamma_gamma_params_")
        x, t_x, age = self._history(frequency, recency, T)
        values = self._quantity("conditional_probability_alive", x, t_x, age)
        return shaped_like(values, (frequency, recency, T), "p_alive")

    def conditional_expected_average_profit(self, frequency, monetary_value):
        """Expected spend per purchase of each customer, given their repeat purchases and their mean spend.

        lifetimes' ``GammaGammaFitter.conditional_expected_average_profit`` (Fader, Hardie & Lee
        2005, "RFM and CLV", eq. 5): the weighted mean ``((q - 1) p v / (q - 1) + p x m) / (p x +
        q - 1)`` of the population mean ``p v / (q - 1)`` and the customer's own mean ``m``. A
        customer without a repeat purchase gets the population mean whatever ``monetary_value``
        says; a repeat customer's mean spend below 0 (returns) counts as 0, where lifetimes would
        expect a negative spend. This is :meth:`predict`'s ``expected_spend``, except that
        :meth:`predict` also reads the feature table's ``monetary`` (net spend of every purchase)
        and expects nothing (0) from a customer whose purchases were all returned.

        Parameters
        ----------
        frequency : float or array-like
            Repeat purchases per customer (the feature table's ``frequency_btyd``).
        monetary_value : float or array-like
            Mean spend of those repeat purchases (``monetary_btyd``); read only where
            ``frequency > 0``.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Expected spend per purchase; a Series indexed like the customers when they come as one.

        Raises
        ------
        DataError
            A fractional or negative frequency, or a repeat customer's spend that is not a number.

        Examples
        --------
        On the CDNOW sample (Fader, Hardie & Lee's p = 6.25, q = 3.74, v = 15.44): the population
        mean for a customer without repeat purchases, and 24.66 for two of mean 22.35:

        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd").fit(f)
        >>> model.conditional_expected_average_profit([0, 2], [0.0, 22.35]).round(2)
        array([35.17, 24.66])
        """
        check_is_fitted(self, "gamma_gamma_params_")
        try:
            x, m = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (frequency, monetary_value)))
        except (TypeError, ValueError):
            raise DataError("spend_inputs", where="CLVModel") from None
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(x) & (x >= 0) & (x == np.round(x)) & (np.isfinite(m) | (x == 0)))
        if bad.any():
            pos = int(np.flatnonzero(bad.reshape(-1))[0])
            raise DataError("spend_value", where="CLVModel", who=Message("position", n=pos),
                            x=repr(float(x.reshape(-1)[pos])), m=repr(float(m.reshape(-1)[pos])))
        gg = tuple(self.gamma_gamma_params_[k] for k in gamma_gamma_model.PARAMS)
        values = expected_spend(gg, x, np.where(x > 0, np.maximum(np.nan_to_num(m), 0.0), 0.0))
        return shaped_like(values, (frequency, monetary_value), "expected_spend")

    def customer_lifetime_value(self, frequency, recency, T, monetary_value, horizon=None, discount_rate=None,
                                discount_steps=None):
        """Discounted value of each customer's purchases over the horizon, given their history (``clv``).

        tierkit's semantics, not lifetimes' (see the module docs, "CLV"): ``horizon`` is a
        duration, ``discount_rate`` an *annual* rate, and the horizon is cut into
        ``discount_steps`` equal steps (default about one a month of 365.25 / 12 days)::

            clv = margin * E[spend] * sum_k (E(t_k) - E(t_{k-1})) * (1 + d) ** (-days(t_k) / 365.25)

        lifetimes' ``GammaGammaFitter.customer_lifetime_value(model, frequency, recency, T,
        monetary_value, time, discount_rate, freq)`` counts ``time`` months of 30 days (``freq="D"``)
        or of 4.345 weeks (``freq="W"``), one step a month, at a *monthly* rate ``d_m``, and no
        margin. It is this sum with ``horizon`` = ``time`` such months, ``discount_steps=time``,
        the annual rate ``(1 + d_m) ** (365.25 / days_per_month) - 1`` and ``margin=1``:
        :func:`lifetimes_clv_settings` gives those settings, and with them the two agree to
        rounding (``tests/clv/test_lifetimes_api.py``). Read the other way, lifetimes'
        ``discount_rate=0.01`` is 12.88 % a year here (``freq="D"``), not 1 %.

        With the model's own settings this is :meth:`predict`'s ``clv`` (the spend as in
        :meth:`conditional_expected_average_profit`: :meth:`predict` also values at 0 a customer
        whose purchases were all returned, which it reads from the feature table's ``monetary``).

        Parameters
        ----------
        frequency, recency, T : float or array-like
            Repeat purchases, age at the last one, age at the end of observation, per customer,
            in the model's time unit (``time_unit_``).
        monetary_value : float or array-like
            Mean spend of the repeat purchases (read where ``frequency > 0``), as for
            :meth:`conditional_expected_average_profit`.
        horizon : str, pandas.Timedelta or float, optional
            Overrides the model's ``horizon`` (``"52W"``, ``"365D"``; a bare number is days for a
            daily model, refused for a weekly one).
        discount_rate : float, optional
            Overrides the model's annual ``discount_rate``.
        discount_steps : int, optional
            Overrides the model's ``discount_steps``.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            CLV per customer (times the model's ``margin``); a Series indexed like the customers
            when they come as one.

        Raises
        ------
        DataError
            An impossible history, or a repeat customer's spend that is not a number.

        Examples
        --------
        Customer 1 of the CDNOW sample over 52 weeks at 10 % a year, then lifetimes' default of 12
        months at 1 % a month with weekly data:

        >>> from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
        >>> f = load_cdnow_summary_data_with_monetary_value().set_axis(
        ...     ["frequency_btyd", "recency_btyd", "T", "monetary_btyd"], axis=1)
        >>> f.attrs["time_unit"] = "W"
        >>> model = CLVModel(model="bgnbd", horizon="52W", discount_rate=0.10).fit(f)
        >>> round(model.customer_lifetime_value(2, 30.43, 38.86, 22.35), 2)
        36.64
        >>> settings = lifetimes_clv_settings(time=12, discount_rate=0.01, freq="W")
        >>> round(model.customer_lifetime_value(2, 30.43, 38.86, 22.35, **settings), 2)
        36.28
        """
        check_is_fitted(self, "gamma_gamma_params_")
        x, t_x, age = self._history(frequency, recency, T)
        try:
            x, t_x, age, m = np.broadcast_arrays(x, t_x, age, np.asarray(monetary_value, dtype="float64"))
        except (TypeError, ValueError):
            raise DataError("monetary_inputs", where="CLVModel") from None
        self.conditional_expected_average_profit(x, m)  # refuses a spend that is not a number, in one line
        inputs = (frequency, recency, T, monetary_value)
        like = next((v for v in inputs if isinstance(v, pd.Series)), None)
        X = pd.DataFrame({"frequency_btyd": x.reshape(-1), "recency_btyd": t_x.reshape(-1), "T": age.reshape(-1),
                          "monetary_btyd": np.where(x > 0, m, 0.0).reshape(-1)},
                         index=like.index if like is not None and len(like) == x.size else None)
        X.attrs["time_unit"] = self.time_unit_  # the arrays are in the model's unit
        clv = self.predict(X, horizon=horizon, discount_rate=discount_rate, discount_steps=discount_steps)["clv"]
        return shaped_like(clv.to_numpy().reshape(x.shape), inputs, "clv")

    def model_name_(self) -> str:
        """The purchase model in use (a model pickled before the choice existed is BG/NBD)."""
        return getattr(self, "model_", "bgnbd")

    def _purchase_model(self):
        """``(PurchaseModel, params)`` in use."""
        return MODELS[self.model_name_()], (self.params_ if hasattr(self, "params_") else self.bgnbd_params_)

    def _interval_z(self, interval) -> float:
        """The normal quantile of a two-sided ``interval``; refuses a model without parameter covariance."""
        check_param(self, "interval", interval)
        covariance = getattr(self, "params_cov_", None)
        if covariance is None:
            raise ModelError("no_intervals_old", where="CLVModel")
        bad = [name for name, cov in covariance.items() if not np.all(np.isfinite(cov))]
        if bad:
            raise ModelError("no_intervals", where="CLVModel", names=", ".join(bad))
        return uncertainty.normal_quantile(interval)

    def profile_table(self, X, level: float = 0.95) -> pd.DataFrame:
        """Profile-likelihood intervals of the purchase model's parameters (:mod:`tierkit.clv.profile`).

        Where the delta method of :meth:`parameter_table` under-covers (MBG/NBD's ``r`` and ``b``:
        nominal 90 % intervals held the truth in 81-83 % of 300 simulated CDNOW-sized worlds), the
        profile intervals held it in 87-90 % (``benchmarks/bench_clv_param_coverage.py``).

        Parameters
        ----------
        X : pandas.DataFrame
            The features the model was fitted on (the likelihood is profiled on them).
        level : float, default=0.95

        Returns
        -------
        pandas.DataFrame
            Indexed by parameter: ``estimate``, ``lower``, ``upper``.
        """
        from tierkit.clv.profile import profile_intervals

        check_is_fitted(self, "params_")
        x, t_x, T, _ = self._inputs(X)
        self._check_unit(X, t_x, T)
        rows, weights, _ = distinct_rows(x, t_x, T)
        prior = getattr(self, "fit_method_", {}).get(self.model_name_(), {}).get("method") == "map"
        return profile_intervals(MODELS[self.model_name_()].module, self.params_, rows[:, 0], rows[:, 1], rows[:, 2],
                                 weights, level=level, prior=prior)

    def parameter_table(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate, standard error and interval of every parameter, from the observed information.

        Standard errors by the delta method from the covariance of the log-parameters (the
        inverse observed information, :mod:`tierkit.clv.uncertainty`); intervals on the log
        scale, ``estimate * exp(-+ z sd(ln estimate))``, so they stay positive. NaN when the
        information is not positive definite.

        Parameters
        ----------
        level : float, default=0.95
            Coverage of the intervals.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(model, parameter)``: ``estimate``, ``se``, ``lower``, ``upper``.

        Examples
        --------
        On the CDNOW sample lifetimes' ``summary`` has the same standard errors (a = 0.793 +- 0.186):

        >>> import tierkit as tk, warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
        >>> CLVModel(horizon="52W", model="bgnbd").fit(f).parameter_table(level=0.9).loc["bgnbd"].round(3)
                   estimate     se  lower  upper
        parameter
        r             0.243  0.013  0.223  0.264
        alpha         4.414  0.378  3.833  5.082
        a             0.793  0.186  0.539  1.166
        b             2.426  0.705  1.504  3.914
        """
        check_is_fitted(self, "params_cov_")
        tables = {name: uncertainty.parameter_table(params, self.params_cov_[name], level)
                  for name, params in ((self.model_name_(), self.params_), ("gamma_gamma", self.gamma_gamma_params_))}
        return pd.concat(tables, names=["model", "parameter"])

    def _check_unit(self, X, t_x, T) -> None:
        """Refuse features in another time unit than the fitted one, declared or not.

        First ``attrs["time_unit"]``; then the purchase dates, which prove the unit when there;
        then, for numbers alone, their grid and scale: a model fitted on whole days refuses
        values that are not whole days (weeks), and a weekly model refuses whole numbers whose
        median ``T`` is further from the training median than the square root of 7 towards
        days (the geometric middle of the two readings).
        """
        fitted = self.time_unit_
        hint = Message("compute_in_unit", unit=repr(fitted))
        declared = X.attrs.get("time_unit")
        if declared is not None and declared != fitted:
            raise DataError("unit_declared", where="CLVModel", declared=repr(declared), fitted=repr(fitted),
                            hint=hint)
        proven = time_unit_from_dates(X)
        if proven is not None and proven != fitted:
            raise DataError("unit_proven", where="CLVModel", proven=repr(proven), fitted=repr(fitted), hint=hint)
        scale = getattr(self, "scale_", None)  # models pickled before it was learned have none
        if declared is not None or proven is not None or scale is None or len(T) == 0:
            return
        if scale["on_day_grid"] and not _on_day_grid(fitted, T, t_x):
            raise DataError("unit_not_days", where="CLVModel", fitted=repr(fitted), hint=hint)
        if fitted == "W" and _on_day_grid("D", T, t_x) and scale["median_T"] > 0 \
                and float(np.median(T)) > math.sqrt(DAYS_PER_UNIT["W"]) * scale["median_T"]:
            raise DataError("unit_looks_days", where="CLVModel", median=f"{float(np.median(T)):.4g}",
                            at_fit=f"{scale['median_T']:.4g}", hint=hint)

    def _transform(self, X):
        """Same as :meth:`predict` with the model's horizon, discount rate and interval."""
        return self.predict(X, interval=getattr(self, "interval", None), predictive=getattr(self, "predictive", None))

    def standards(self) -> dict:
        """Parameters and settings, for reports and the model's JSON standards.

        The purchase model's parameters are under its name (``"bgnbd"``, ``"mbgnbd"`` or
        ``"pareto_nbd"``), which ``"model"`` gives; ``"model_choice"`` says why it was used.

        Returns
        -------
        dict
        """
        check_is_fitted(self, "gamma_gamma_params_")
        purchases, params = self._purchase_model()
        return {
            "model": purchases.name,
            "model_choice": getattr(self, "model_choice_", "given"),
            "model_comparison": dict(getattr(self, "model_comparison_", {})),
            purchases.name: dict(params),
            "gamma_gamma": dict(self.gamma_gamma_params_),
            "log_likelihood": self.log_likelihood_,
            "spend_frequency_corr": self.spend_frequency_corr_,
            "time_unit": self.time_unit_,
            "horizon": self.settings_["horizon"],
            "horizon_given": self.settings_.get("horizon_given"),
            "discount_rate": self.settings_["discount_rate"],
            "margin": self.settings_["margin"],
            "acquisition_cost": self.settings_["acquisition_cost"],
            "repeat_customers": self.n_repeat_customers_,
            "customers": self.n_customers_,
            "penalty_shift": dict(getattr(self, "penalty_shift_", {})),
            "trust": dict(getattr(self, "trust_", {})),
            "fit_method": dict(getattr(self, "fit_method_", {})),
            # standard errors from the observed information; None where there is none
            "standard_errors": {name: {k: (float(v) if math.isfinite(v) else None) for k, v in se.items()}
                                for name, se in getattr(self, "params_se_", {}).items()},
        }


def lifetimes_clv_settings(time: int = 12, discount_rate: float = 0.01, freq: str = "D") -> dict:
    """The ``horizon``, ``discount_steps`` and ``discount_rate`` that make tierkit's CLV lifetimes'.

    lifetimes' ``GammaGammaFitter.customer_lifetime_value(..., time, discount_rate, freq)``
    discounts ``time`` months, one step each, at the *monthly* ``discount_rate``; its month is 30
    days (``freq="D"``) or 4.345 weeks (``freq="W"``). tierkit's CLV (:class:`CLVModel`, module
    docs) discounts ``discount_steps`` equal steps of ``horizon`` at an *annual* rate, by days /
    365.25. The two are the same sum when ``horizon`` is ``time`` such months, ``discount_steps``
    is ``time`` and the annual rate is ``(1 + discount_rate) ** (365.25 / days_per_month) - 1``;
    the horizon carries its unit, so the settings hold for a daily or a weekly model alike.

    Parameters
    ----------
    time : int, default=12
        lifetimes' ``time``: months.
    discount_rate : float, default=0.01
        lifetimes' monthly ``discount_rate``.
    freq : {"D", "W"}, default="D"
        lifetimes' ``freq``, which sets its month: 30 days, or 4.345 weeks.

    Returns
    -------
    dict
        ``horizon``, ``discount_steps``, ``discount_rate`` (annual), for
        :meth:`CLVModel.customer_lifetime_value` or :meth:`CLVModel.predict` (with
        ``margin=1`` the model's ``clv`` is then lifetimes').

    Raises
    ------
    TierkitError
        ``freq`` other than ``"D"`` or ``"W"`` (tierkit has no months or hours), ``time`` not a
        whole number >= 1, or a rate below 0.

    Examples
    --------
    >>> settings = lifetimes_clv_settings(time=12, discount_rate=0.01, freq="D")
    >>> settings["horizon"], settings["discount_steps"], round(settings["discount_rate"], 4)
    ('360D', 12, 0.1288)
    >>> lifetimes_clv_settings(time=6, freq="W")["horizon"]
    '26.07W'
    """
    if freq not in LIFETIMES_MONTH:
        raise TierkitError("param_invalid", where="lifetimes_clv_settings", param=Param("freq"), value=repr(freq),
                           expected=Message("d_or_w"))
    if isinstance(time, (bool, np.bool_)) or not isinstance(time, (int, np.integer)) or time < 1:
        raise TierkitError("param_invalid", where="lifetimes_clv_settings", param=Param("time"), value=repr(time),
                           expected=Message("whole_months"))
    if isinstance(discount_rate, (bool, np.bool_)) or not isinstance(discount_rate, (int, float, np.number)) \
            or not math.isfinite(discount_rate) or discount_rate < 0:
        raise TierkitError("param_invalid", where="lifetimes_clv_settings", param=Param("discount_rate"),
                           value=repr(discount_rate), expected=Message("monthly_rate"))
    amount, days = LIFETIMES_MONTH[freq], LIFETIMES_MONTH[freq] * DAYS_PER_UNIT[freq]
    return {"horizon": duration_text(round(time * amount, 12), freq), "discount_steps": int(time),
            "discount_rate": float((1.0 + discount_rate) ** (DAYS_PER_YEAR / days) - 1.0)}


def _purchase_log_prior(log_params) -> float:
    """The weak prior's log-density of a purchase model up to a constant (its Hessian is all that is used)."""
    return float(-(log_params @ log_params) / (2 * PRIOR_SD**2))


def _fit_spend(x, m, weights, penalizer: float, prior: str) -> Fit:
    """Gamma-Gamma by maximum likelihood, or the weak prior's posterior maximum (``prior``, as for purchases).

    With ``prior="auto"`` maximum likelihood stands unless it fails, ends at the boundary
    (``p``, ``q`` or ``v`` / mean spend beyond 1e4 or below 1e-4: constant spends) or leaves the
    mean spend undefined (``q <= 1``: heavy-tailed spends).
    """
    mean = float(weights @ m / weights.sum())
    if prior != "none" and float(np.ptp(m)) <= 1e-9 * mean:
        # every repeat customer spends the same: the likelihood has no maximum (a point mass), and the
        # answer is that constant for everyone -- p v / (q - 1) = mean with m = mean gives it for any x
        p = SPEND_CONSTANT_P
        params = {"p": p, "q": 2.0, "v": mean / p}
        return Fit(params, float(weights @ gamma_gamma_model.log_likelihood(tuple(params.values()), x, m)), "constant",
                   Message("constant_spend", mean=f"{mean:.6g}"))
    fit = fit_with_prior(fit_gamma_gamma, gamma_gamma_model.PARAMS, prior=prior,
                         scaled_at=lambda p: np.log([p["p"], p["q"], p["v"] / float(weights @ m / weights.sum())]),
                         x=x, m=m, weights=weights, penalizer=penalizer)
    if fit.method == "mle" and fit.params["q"] <= 1 and prior == "auto":
        params, ll = fit_gamma_gamma(x, m, weights, penalizer, prior=True)
        return Fit(params, ll, "map", Message("q_at_most_1", q=f"{fit.params['q']:.3g}"))
    return fit


def discounted_sum(discount: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``sum_k discount[k] * steps[k]`` for each column of ``steps``, added in step order.

    Not ``discount @ steps``: BLAS's matrix-vector product (OpenBLAS ``dgemv``) adds a column's
    terms in an order, with fused multiply-adds or not, that depends on the column's place in
    the array and on the array's width, so a customer's CLV changed in its last bit with the
    customers scored in the same call (the local scorer's chunks, Spark's batches). Element-wise
    products and sums are rounded the same wherever the column sits.

    Examples
    --------
    >>> discounted_sum(np.array([1.0, 0.5]), np.array([[2.0, 4.0], [2.0, 0.0]])).tolist()
    [3.0, 4.0]
    """
    total = np.zeros(steps.shape[1:])
    for weight, step in zip(discount, steps, strict=True):
        total = total + weight * step
    return total


def _on_day_grid(unit: str, *columns) -> bool:
    """Whether every value of ``columns`` (in ``unit``) is a whole number of days."""
    days = np.concatenate([np.asarray(c, dtype="float64") for c in columns]) * DAYS_PER_UNIT[unit]
    return bool(np.all(np.abs(days - np.round(days)) <= 1e-6 * np.maximum(1.0, np.abs(days))))

