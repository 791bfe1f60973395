"""The purchase models :class:`~tierkit.clv.CLVModel` can use, and how ``model="auto"`` chooses.

One table, :data:`MODELS`, maps each name to its module (:mod:`~tierkit.clv.bgnbd`,
:mod:`~tierkit.clv.mbgnbd`, :mod:`~tierkit.clv.pareto_nbd`); every module has the same
functions (``fit_<name>``, ``p_alive``, ``expected_purchases`` ...) on ``(x, t_x, T)`` in
continuous time. The discrete-time BG/BB model (:data:`BGBB`) has its own estimator,
:class:`tierkit.clv.discrete.BGBBModel`: its data are opportunities, not ages.

Quantities by lifetimes' names
------------------------------
:meth:`PurchaseModel.quantity` is the one place a quantity is asked of whichever model is in use,
by the name lifetimes' fitters (and PyMC-Marketing's) give it (:data:`QUANTITIES`); the
estimators' methods of those names (:class:`~tierkit.clv.CLVModel`,
:class:`~tierkit.clv.BGBBModel`) go through it. A model whose module has no function for a
quantity refuses it in one line naming both.

The three differ in what happens to a customer who never bought again:

* BG/NBD: a customer can drop out only right after a repeat purchase, so a one-time buyer is
  alive with probability 1 however long ago the purchase was;
* MBG/NBD: a customer may drop out at time 0 too, so one-time buyers are not certainly alive;
* Pareto/NBD: a customer dies at an exponential time, purchases or not.

``auto``
--------
Without a holdout each model is fitted on the data and the one with the lowest BIC,
``k ln(n) - 2 ln L`` (``n`` customers, ``k`` parameters), is chosen. All three have four
parameters, so the BIC ranks them exactly as their log-likelihoods do: the choice is the
highest likelihood, and the BIC is reported only to say so. With a holdout (each customer's
purchases in a period of ``duration`` time units right after the features' date), the model
whose forecast of those purchases has the lowest root mean squared error per customer is chosen
instead (the error :func:`tierkit.clv.validate_clv` reports as ``rmse``). A model whose fit does
not converge is left out of the comparison, with the reason; if none converges the first
error is raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from tierkit.clv import bgbb, bgnbd, mbgnbd, pareto_nbd
from tierkit.clv._optimize import at_boundary
from tierkit.clv.bgnbd import distinct_rows
from tierkit.errors import DataError, Message, ModelError, Param

#: The CLVModel option that penalises the purchase model, whatever the model (the name is kept
#: from when BG/NBD was the only one).
PENALIZER_OPTION = "bgnbd_penalizer"
#: What ``CLVModel(prior=...)`` accepts: ``"auto"`` maximum likelihood, and the weak prior's
#: posterior maximum where the likelihood has no interior optimum; ``"weak"`` always the
#: posterior maximum; ``"none"`` maximum likelihood only (a fit without an interior optimum is
#: refused, as lifetimes does).
PRIOR_CHOICES = ("auto", "weak", "none")


@dataclass(frozen=True)
class Fit:
    """One fitted model: parameters, log-likelihood, and how they were estimated.

    Unpacks as ``params, log_likelihood``.

    Parameters
    ----------
    params : dict
        Parameter name -> estimate.
    log_likelihood : float
        Total (unpenalised) log-likelihood at the estimate.
    method : {"mle", "map"}
        Maximum likelihood, or the posterior maximum under the weak prior
        (:func:`tierkit.clv._optimize.with_prior`).
    reason : str
        Why the weak prior was used ("" for maximum likelihood).

    Examples
    --------
    >>> params, ll = Fit({"r": 1.0}, -3.5)
    >>> params, ll
    ({'r': 1.0}, -3.5)
    """

    params: dict
    log_likelihood: float
    method: str = "mle"
    reason: str = ""

    def __iter__(self):
        return iter((self.params, self.log_likelihood))

    def __getitem__(self, index):
        return (self.params, self.log_likelihood)[index]


def fit_with_prior(fit, names, *, prior: str = "auto", scaled_at=None, **kwargs) -> Fit:
    """Run ``fit(**kwargs)`` as maximum likelihood, the weak prior's posterior maximum, or the first then the second.

    With ``prior="auto"`` the maximum-likelihood fit stands when it converged inside the
    parameter space; when it failed, or ended with a (scaled) parameter at the boundary
    (:func:`tierkit.clv._optimize.at_boundary`), the model is fitted again under the weak prior,
    and the returned :class:`Fit` says why.

    Parameters
    ----------
    fit : callable
        ``fit(..., prior=bool) -> (params dict, log-likelihood)``.
    names : tuple of str
        Parameter names, in order.
    prior : {"auto", "weak", "none"}
    scaled_at : callable, optional
        ``scaled_at(params dict) -> log-parameters on the scale the prior is centred on``;
        default the logs of the parameters.
    **kwargs
        Passed to ``fit``.

    Returns
    -------
    Fit
    """
    if prior == "weak":
        params, ll = fit(**kwargs, prior=True)
        return Fit(params, ll, "map", Message("prior_asked"))
    try:
        params, ll = fit(**kwargs, prior=False)
    except ModelError as exc:
        if prior == "none":
            raise
        reason = Message("no_interior_optimum", reason=exc.values.get("reason", exc.as_message()))
    else:
        scaled = scaled_at(params) if scaled_at is not None else np.log([params[k] for k in names])
        edge = at_boundary(scaled)
        if prior == "none" or not edge:
            return Fit(params, ll)
        shown = ", ".join(f"{names[i]} = {params[names[i]]:.3g}" for i in edge)
        reason = Message("at_model_boundary", shown=shown)
    params, ll = fit(**kwargs, prior=True)
    return Fit(params, ll, "map", reason)


#: The quantities a purchase model answers, by lifetimes' method name (``BetaGeoFitter``,
#: ``ParetoNBDFitter`` ...): the function of the model's module that computes each. Its
#: arguments after the parameters are those of the lifetimes method, in the model's time unit:
#: ``(t)``, ``(t, n)``, ``(t, x, t_x, T)``, ``(x, t_x, T)`` (BG/BB: ``n`` opportunities for ``T``,
#: and P(alive) takes the opportunities ahead last, ``(x, t_x, n, m)``).
QUANTITIES = {
    "expected_number_of_purchases_up_to_time": "expected_number_of_purchases_up_to_time",
    "probability_of_n_purchases_up_to_time": "probability_of_n_purchases_up_to_time",
    "conditional_expected_number_of_purchases_up_to_time": "expected_purchases",
    "conditional_probability_alive": "p_alive",
}


@dataclass(frozen=True)
class PurchaseModel:
    """One purchase model: its label and the module with its functions (continuous time, but for :data:`BGBB`).

    Examples
    --------
    >>> MODELS["pareto_nbd"].label, MODELS["pareto_nbd"].params
    ('Pareto/NBD', ('r', 'alpha', 's', 'beta'))
    >>> MODELS["bgnbd"].one_time_buyers_alive
    True
    """

    name: str
    label: str
    module: ModuleType
    #: True when P(alive) is 1 for every customer without a repeat purchase (BG/NBD).
    one_time_buyers_alive: bool

    @property
    def params(self) -> tuple:
        """Parameter names, in the order the module's functions take them."""
        return self.module.PARAMS

    def values(self, params: dict) -> tuple:
        """The parameters as the tuple the module's functions take."""
        return tuple(params[k] for k in self.params)

    def fit(self, x, t_x, T, weights=None, penalizer: float = 0.0, prior: str = "auto") -> Fit:
        """Fit on ``(x, t_x, T)`` rows (:func:`fit_with_prior`); a refusal names :data:`PENALIZER_OPTION`."""
        fit = getattr(self.module, f"fit_{self.name}")
        scale = 1.0 / float(np.max(T)) if len(T) else 1.0
        rates = [i for i, k in enumerate(self.params) if k in ("alpha", "beta")]

        def scaled_at(params):  # the prior and the boundary are judged in time scaled by 1 / max(T)
            logs = np.log([params[k] for k in self.params])
            logs[rates] += np.log(scale)
            return logs

        try:
            return fit_with_prior(fit, self.params, prior=prior, scaled_at=scaled_at, x=x, t_x=t_x, T=T,
                                  weights=weights, penalizer=penalizer)
        except ModelError as exc:
            if exc.key is None:
                raise
            values = {k: Param(PENALIZER_OPTION) if isinstance(v, Param) and v == f"{self.name}_penalizer" else v
                      for k, v in exc.values.items()}
            raise ModelError(exc.key, where=exc.where, **values) from None

    def quantity(self, name: str, params: dict, *args) -> np.ndarray:
        """The quantity lifetimes calls ``name`` (a key of :data:`QUANTITIES`), from this model.

        Parameters
        ----------
        name : str
            A key of :data:`QUANTITIES`, e.g. ``"conditional_probability_alive"``.
        params : dict
            The model's parameters by name.
        *args
            The arguments after the parameters, in the model's time unit (see :data:`QUANTITIES`).

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        ModelError
            The model has no function for the quantity (one line naming both).

        Examples
        --------
        >>> bg = MODELS["bgnbd"]
        >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> round(float(bg.quantity("conditional_expected_number_of_purchases_up_to_time", params, 39, 2, 30.43,
        ...                         38.86)), 3)
        1.226
        """
        function = getattr(self.module, QUANTITIES[name], None)
        if function is None:
            raise ModelError("no_quantity", model=self.label, name=name)
        return function(self.values(params), *args)

    def p_alive(self, params: dict, x, t_x, T) -> np.ndarray:
        """P(alive at ``T``) per customer."""
        return self.quantity("conditional_probability_alive", params, x, t_x, T)

    def expected_purchases(self, params: dict, t, x, t_x, T) -> np.ndarray:
        """Expected purchases in ``(T, T + t]`` per customer."""
        return self.quantity("conditional_expected_number_of_purchases_up_to_time", params, t, x, t_x, T)


#: Every continuous-time purchase model by the name ``CLVModel(model=...)`` takes.
MODELS = {
    "bgnbd": PurchaseModel("bgnbd", "BG/NBD", bgnbd, one_time_buyers_alive=True),
    "mbgnbd": PurchaseModel("mbgnbd", "MBG/NBD", mbgnbd, one_time_buyers_alive=False),
    "pareto_nbd": PurchaseModel("pareto_nbd", "Pareto/NBD", pareto_nbd, one_time_buyers_alive=False),
}
#: What ``CLVModel(model=...)`` accepts.
MODEL_CHOICES = (*MODELS, "auto")


def shaped_like(values, inputs, name: str):
    """A quantity's ``values`` shaped as its caller gave ``inputs``, as lifetimes' arithmetic would.

    Parameters
    ----------
    values : array-like
        The quantity.
    inputs : sequence
        The caller's arguments; the first :class:`pandas.Series` among them, when it has as many
        values, lends its index.
    name : str
        The Series' name.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for a single value (never ``-0.0``), a Series indexed like the input Series, or
        else an array.

    Examples
    --------
    >>> shaped_like([0.5, 0.25], (pd.Series([1, 2], index=["a", "b"]),), "p_alive")
    a    0.50
    b    0.25
    Name: p_alive, dtype: float64
    >>> shaped_like(-0.0, (0,), "expected_purchases")
    0.0
    """
    values = np.asarray(values, dtype="float64") + 0.0  # no -0.0 (E[X(0)])
    like = next((v for v in inputs if isinstance(v, pd.Series)), None)
    if like is not None and values.shape == (len(like),):
        return pd.Series(values, index=like.index, name=name)
    return float(values) if values.ndim == 0 else values


#: The discrete-time BG/BB model of :class:`~tierkit.clv.BGBBModel`, for :meth:`PurchaseModel.quantity`
#: (not a choice of ``CLVModel``, and not fitted through :meth:`PurchaseModel.fit`: time in opportunities).
BGBB = PurchaseModel("bgbb", "BG/BB", bgbb, one_time_buyers_alive=False)


def fit_customers(name: str, x, t_x, T, penalizer: float = 0.0, *, distinct=None, prior: str = "auto") -> Fit:
    """Fit model ``name`` on one row per customer (through their distinct rows); ``(params, log-likelihood)``.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.
    penalizer : float
        L2 penalty of the fit.
    distinct : tuple of (ndarray, ndarray), optional
        The customers' distinct rows and their counts (:func:`~tierkit.clv.bgnbd.distinct_rows`),
        when the caller has them already.
    prior : {"auto", "weak", "none"}
        See :func:`fit_with_prior`.

    Returns
    -------
    Fit
        Unpacks as ``(params, log-likelihood)``.

    Examples
    --------
    >>> from lifetimes.datasets import load_cdnow_summary
    >>> d = load_cdnow_summary()
    >>> params, ll = fit_customers("mbgnbd", d["frequency"], d["recency"], d["T"])
    >>> {k: round(v, 3) for k, v in params.items()}  # BTYDplus' estimates
    {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
    """
    if distinct is None:
        distinct = distinct_rows(*(np.asarray(c, dtype="float64") for c in (x, t_x, T)))[:2]
    rows, weights = distinct
    return MODELS[name].fit(rows[:, 0], rows[:, 1], rows[:, 2], weights, penalizer=penalizer, prior=prior)


@dataclass
class ModelChoice:
    """What ``model="auto"`` chose and why.

    Parameters
    ----------
    model : str
        The chosen key of :data:`MODELS`.
    criterion : str
        ``"bic"`` or ``"holdout_rmse"``.
    reason : str
        One line saying why, with every candidate's figures.
    candidates : dict
        Per model: ``log_likelihood``, ``bic`` (and ``holdout_rmse``), or ``error`` when its
        fit did not converge.
    fits : dict
        Per converged model: its :class:`Fit` (unpacks as ``(params, log_likelihood)``).
    """

    model: str
    criterion: str
    reason: str
    candidates: dict
    fits: dict


def bic(log_likelihood: float, n_params: int, n_customers: float) -> float:
    """``k ln(n) - 2 ln L``.

    Examples
    --------
    >>> round(bic(-9582.4, 4, 2357), 1)
    19195.9
    """
    return n_params * math.log(n_customers) - 2.0 * log_likelihood


def choose_model(x, t_x, T, penalizer: float = 0.0, holdout=None, duration=None, *, distinct=None,
                 prior: str = "auto") -> ModelChoice:
    """Fit every model of :data:`MODELS` and choose one (see the module docs).

    Parameters
    ----------
    x, t_x, T : array-like or None
        Repeat purchases, age at the last purchase, age at the end of observation, per customer;
        None with ``distinct`` and no holdout (the distinct rows are all the fits need).
    penalizer : float
        L2 penalty of every fit.
    holdout : array-like, optional
        Each customer's purchases in the holdout period; chooses by their RMSE.
    duration : float, optional
        Length of the holdout period in the time unit of ``T``; needed with ``holdout``.
    distinct : tuple of (ndarray, ndarray), optional
        The customers' distinct rows and their counts, when the caller has them already.
    prior : {"auto", "weak", "none"}
        See :func:`fit_with_prior`.

    Returns
    -------
    ModelChoice

    Examples
    --------
    The CDNOW sample of Fader, Hardie & Lee (2005) in weeks: MBG/NBD has the highest
    likelihood, by a hair over BG/NBD (whose -9582.4 and Pareto/NBD's -9595.0 are the published
    values):

    >>> from lifetimes.datasets import load_cdnow_summary
    >>> d = load_cdnow_summary()
    >>> choice = choose_model(d["frequency"], d["recency"], d["T"])
    >>> choice.model, {k: round(v["log_likelihood"], 1) for k, v in choice.candidates.items()}
    ('mbgnbd', {'bgnbd': -9582.4, 'mbgnbd': -9582.1, 'pareto_nbd': -9595.0})
    """
    if x is None:  # the distinct rows alone (no holdout then): what an engine's counts give
        if distinct is None or holdout is not None:
            raise TypeError("choose_model: x, t_x and T are needed without distinct rows or with a holdout")
        n = int(round(float(np.sum(distinct[1]))))
    else:
        x, t_x, T = (np.asarray(c, dtype="float64") for c in (x, t_x, T))
        n = len(x)
    if distinct is None:  # found once, fitted by every model
        distinct = distinct_rows(x, t_x, T)[:2]
    if holdout is not None:
        holdout = np.asarray(holdout, dtype="float64")
        if holdout.shape != x.shape or not np.all(np.isfinite(holdout)) or np.any(holdout < 0):
            raise DataError("holdout_purchases", where="CLVModel", n=len(x))
        if duration is None or not (math.isfinite(duration) and duration > 0):
            raise DataError("holdout_duration", where="CLVModel", param=Param("duration"), value=repr(duration))
    fits, candidates, first_error = {}, {}, None
    for name, model in MODELS.items():
        try:
            fit = fit_customers(name, x, t_x, T, penalizer, distinct=distinct, prior=prior)
        except ModelError as exc:
            first_error = first_error or exc
            candidates[name] = {"error": str(exc)}
            continue
        params, ll = fit
        fits[name] = fit
        candidates[name] = {"log_likelihood": ll, "bic": bic(ll, len(model.params), n)}
        if holdout is not None:
            error = model.expected_purchases(params, duration, x, t_x, T) - holdout
            candidates[name]["holdout_rmse"] = float(np.sqrt(np.mean(error**2)))
    if not fits:
        raise first_error
    if holdout is None:
        criterion = "bic"
        chosen = min(fits, key=lambda k: candidates[k]["bic"])
        shown = ", ".join(f"{MODELS[k].label} {c['log_likelihood']:.1f}" for k, c in candidates.items() if k in fits)
        reason = (f"{MODELS[chosen].label}: lowest BIC {candidates[chosen]['bic']:.1f} on the {n} customers; "
                  f"all candidates have 4 parameters, so that is the highest log-likelihood ({shown})")
    else:
        criterion = "holdout_rmse"
        chosen = min(fits, key=lambda k: candidates[k]["holdout_rmse"])
        shown = ", ".join(f"{MODELS[k].label} {c['holdout_rmse']:.4f}" for k, c in candidates.items() if k in fits)
        reason = (f"{MODELS[chosen].label}: lowest RMSE of the {len(x)} customers' holdout purchases over "
                  f"{duration:g} time units ({shown})")
    failed = [MODELS[k].label for k in candidates if k not in fits]
    if failed:
        reason += f"; {', '.join(failed)} did not converge"
    return ModelChoice(chosen, criterion, reason, candidates, fits)
