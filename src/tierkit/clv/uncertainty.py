"""Parameter uncertainty of the CLV models, cheaply: observed information and the delta method.

Written over a model module's ``log_likelihood(params, *columns)`` (per-row log-likelihood), so
it serves :mod:`~tierkit.clv.bgnbd`, :mod:`~tierkit.clv.mbgnbd`, :mod:`~tierkit.clv.pareto_nbd`,
:mod:`~tierkit.clv.bgbb` and :mod:`~tierkit.clv.gamma_gamma` alike.

Parameters
----------
Every model is fitted on the log-parameters ``eta = ln(theta)``. At the maximum-likelihood
estimate the observed information ``I = -d^2 ln L / d eta d eta'`` of the *total* (weighted)
log-likelihood is computed by central second differences of the log-likelihood
(:func:`observed_information`); its inverse is the asymptotic covariance of ``eta_hat``. Each
parameter's standard error follows by the delta method, ``se(theta) = theta sd(eta)``, and the
interval at level ``c`` is taken on the log scale, ``theta exp(+- z sd(eta))`` with ``z`` the
``(1 + c) / 2`` normal quantile, so it stays positive (and is not symmetric around the
estimate). lifetimes' ``summary`` has the same standard errors (its Hessian is autograd's, in
the same log-parameters) but symmetric intervals ``theta +- 1.96 se``, which can go negative.

The information is that of the *unpenalised* log-likelihood: with a penalizer the intervals
are centred on the penalised estimate but measure only what the data say. When the information
is not positive definite -- a parameter at its boundary, the likelihood flat along it (BG/NBD's
``a`` -> 0 when nobody is seen to drop out) -- there is no asymptotic normal: the covariance is
all NaN (:func:`log_covariance`).

Predictions
-----------
A prediction ``f(theta)`` that is positive (expected purchases, spend, CLV) gets the
delta-method interval on its log scale: ``g = d ln f / d eta`` by forward differences
(:func:`log_scale_sd`), ``sd(ln f) = sqrt(g' S g)`` with ``S`` the covariance of ``eta``, and the
interval ``f exp(+- z sd)``. It costs one extra evaluation of ``f`` per parameter (four for
BG/NBD) where drawing parameter vectors costs one per draw (hundreds), and it is deterministic.
Estimates of models fitted on separate likelihoods (BG/NBD on ``(x, t_x, T)``, Gamma-Gamma on the
spend given ``x``) are independent -- the joint likelihood factorises -- so the variances of
``ln`` of a product add.

The interval is for the *model's expectation* for the customer -- the value the model would
predict with the true parameters -- and reflects parameter uncertainty only. What one customer
will actually buy varies far more (a customer who has dropped out buys nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

#: Step in the log-parameters of the second differences of the log-likelihood. A central
#: second difference errs by about ``h^2 |f''''| / 12`` (truncation) plus ``4 eps |f| / h^2``
#: (rounding of ``f``, relative precision ``eps`` = 2.2e-16); with the fourth derivative of the
#: size of ``f`` itself, as for these sums of log-gamma and log-power terms in ``ln theta``, the
#: sum is smallest near ``h = (48 eps)^(1/4)`` ~ 10^-3.5, where both errors are ~1e-8 relative
#: (Press et al., Numerical Recipes, 3rd ed., 5.7).
HESSIAN_STEP = 10**-3.5
#: Step in the log-parameters of the forward differences of predictions. The forward difference
#: errs by about ``h |f''| / 2 + 2 delta |f| / h`` with ``delta`` the relative accuracy of ``f``;
#: taking ``delta`` = 1e-13 (hypergeometric functions lose a few digits) the sum is smallest near
#: ``h = 2 sqrt(delta)`` ~ 1e-6, a relative error of ~1e-6 on each derivative -- far below what
#: matters for an interval.
JACOBIAN_STEP = 1e-6


def normal_quantile(level: float) -> float:
    """``z`` of a two-sided normal interval at ``level``: the ``(1 + level) / 2`` quantile.

    Examples
    --------
    >>> round(normal_quantile(0.95), 4), round(normal_quantile(0.9), 4)
    (1.96, 1.6449)
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level={level!r}; expected a probability strictly between 0 and 1")
    return float(ndtri((1.0 + level) / 2.0))


def observed_information(log_likelihood, params, columns, weights=None, step: float = HESSIAN_STEP) -> np.ndarray:
    """Observed information of the total log-likelihood in the log-parameters, ``-d^2 ln L / d eta^2``.

    Central second differences of ``sum_i w_i log_likelihood(theta, *columns)_i`` in
    ``eta = ln(theta)`` at ``params``: ``f(+-e_i)`` for the diagonal and ``f(+-(e_i + e_j))``
    for each pair, ``1 + 2k + k(k-1)`` evaluations for ``k`` parameters (21 for four), each
    entry with error ``O(h^2)``. Differences are taken row by row before the weighted sum. See
    :data:`HESSIAN_STEP` for the step.

    Parameters
    ----------
    log_likelihood : callable
        ``log_likelihood(params, *columns)`` -> per-row log-likelihood (a model module's).
    params : sequence of float
        The estimate, in the model's parameter order (all positive).
    columns : sequence of numpy.ndarray
        The data rows, as the model's ``log_likelihood`` takes them (distinct rows, say).
    weights : numpy.ndarray, optional
        How many customers each row stands for; default one each.
    step : float
        Step in the log-parameters.

    Returns
    -------
    numpy.ndarray
        Symmetric ``k x k`` matrix.

    Examples
    --------
    For ``n`` Poisson counts the information on ``ln(lambda)`` is ``n lambda``:

    >>> from scipy.stats import poisson
    >>> def ll(params, x):
    ...     return poisson.logpmf(x, params[0])
    >>> info = observed_information(ll, [2.0], [np.array([1., 2., 3.])])
    >>> round(float(info[0, 0]), 4)
    6.0
    """
    eta = np.log(np.asarray(params, dtype="float64"))
    k = len(eta)
    columns = [np.asarray(c, dtype="float64") for c in columns]
    w = np.ones(len(columns[0])) if weights is None else np.asarray(weights, dtype="float64")

    def at(*moves):
        shifted = eta.copy()
        for i, d in moves:
            shifted[i] += d * step
        return np.asarray(log_likelihood(np.exp(shifted), *columns), dtype="float64")

    centre = at()
    up = [at((i, 1)) - centre for i in range(k)]
    down = [at((i, -1)) - centre for i in range(k)]
    hessian = np.empty((k, k))
    for i in range(k):
        hessian[i, i] = w @ (up[i] + down[i]) / step**2
        for j in range(i):
            # f(+i+j) + f(-i-j) - f(+i) - f(-i) - f(+j) - f(-j) + 2 f = 2 h^2 H_ij + O(h^4)
            both = (at((i, 1), (j, 1)) - centre) + (at((i, -1), (j, -1)) - centre)
            hessian[i, j] = hessian[j, i] = w @ (both - up[i] - down[i] - up[j] - down[j]) / (2 * step**2)
    return -hessian


def log_covariance(information) -> np.ndarray:
    """Covariance of the log-parameters: the inverse of the information, or all NaN if not positive definite.

    Examples
    --------
    >>> log_covariance(np.array([[4., 0.], [0., 25.]]))
    array([[0.25, 0.  ],
           [0.  , 0.04]])
    >>> log_covariance(np.array([[1., 0.], [0., 0.]]))
    array([[nan, nan],
           [nan, nan]])
    """
    information = np.asarray(information, dtype="float64")
    try:
        if not np.all(np.isfinite(information)):
            raise np.linalg.LinAlgError("non-finite information")
        lower = np.linalg.cholesky(information)
        inverse_lower = np.linalg.inv(lower)
        covariance = inverse_lower.T @ inverse_lower
    except np.linalg.LinAlgError:
        return np.full(information.shape, np.nan)
    return (covariance + covariance.T) / 2


def parameter_table(params: dict, covariance, level: float = 0.95) -> pd.DataFrame:
    """Estimate, delta-method standard error and log-scale interval of each parameter.

    Parameters
    ----------
    params : dict
        ``{name: estimate}`` in the order of ``covariance``.
    covariance : numpy.ndarray
        Covariance of the log-parameters (:func:`log_covariance`).
    level : float
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter name: ``estimate``, ``se`` (``estimate * sd(ln estimate)``),
        ``lower``, ``upper`` (``estimate * exp(-+ z sd)``).

    Examples
    --------
    >>> parameter_table({"a": 0.8}, np.array([[0.0625]]), level=0.95).round(3)
               estimate   se  lower  upper
    parameter
    a               0.8  0.2   0.49  1.306
    """
    z = normal_quantile(level)
    estimate = np.array(list(params.values()), dtype="float64")
    sd = np.sqrt(np.diag(np.asarray(covariance, dtype="float64")))
    return pd.DataFrame({"estimate": estimate, "se": estimate * sd, "lower": estimate * np.exp(-z * sd),
                         "upper": estimate * np.exp(z * sd)}, index=pd.Index(list(params), name="parameter"))


def log_scale_sd(predict, params, covariance, step: float = JACOBIAN_STEP) -> np.ndarray:
    """Delta-method standard deviation of ``ln predict(theta)``, element by element.

    ``g = d ln f / d ln theta`` by forward differences (``k + 1`` calls of ``predict``; see
    :data:`JACOBIAN_STEP`), then ``sqrt(g' S g)``. Elements where ``f`` is 0 get 0.

    Parameters
    ----------
    predict : callable
        ``predict(params)`` -> array of predictions, positive or 0, any shape.
    params : sequence of float
        The estimate.
    covariance : numpy.ndarray
        Covariance of the log-parameters.
    step : float
        Step in the log-parameters.

    Returns
    -------
    numpy.ndarray
        Shaped like ``predict(params)``.

    Examples
    --------
    ``f = theta_1^2 theta_2``: ``g = (2, 1)``, so ``sd = sqrt(4 * 0.01 + 0.04)``:

    >>> sd = log_scale_sd(lambda p: np.array([p[0] ** 2 * p[1]]), [3.0, 5.0], np.diag([0.01, 0.04]))
    >>> round(float(sd[0]), 6), round(float(np.sqrt(0.08)), 6)
    (0.282843, 0.282843)
    """
    eta = np.log(np.asarray(params, dtype="float64"))
    covariance = np.asarray(covariance, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.log(np.asarray(predict(np.exp(eta)), dtype="float64"))
        grads = []
        for i in range(len(eta)):
            shifted = eta.copy()
            shifted[i] += step
            moved = np.log(np.asarray(predict(np.exp(shifted)), dtype="float64"))
            grads.append(np.where(np.isfinite(base), (moved - base) / step, 0.0))
    g = np.stack(grads)  # (k, ...)
    variance = np.einsum("i...,ij,j...->...", g, covariance, g)
    return np.sqrt(np.maximum(variance, 0.0))


def estimate_covariance(log_likelihood, params: dict, columns, weights=None, log_prior=None) -> np.ndarray:
    """Covariance of the log-parameters at ``params``: :func:`log_covariance` of :func:`observed_information`.

    At a posterior maximum (``log_prior``, a function of the log-parameters) the prior's
    information, ``-d^2 ln p / d eta^2`` by central differences, is added to the data's: the
    inverse is then the curvature of the posterior (a Laplace approximation).

    Examples
    --------
    The BG/NBD fit of the CDNOW sample; lifetimes' ``summary`` has se(a) = 0.1857:

    >>> import tierkit as tk, warnings
    >>> from tierkit.clv import bgnbd
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    >>> rows, w, _ = bgnbd.distinct_rows(f["frequency_btyd"], f["recency_btyd"], f["T"])
    >>> params, _ = bgnbd.fit_bgnbd(*rows.T, w)
    >>> cov = estimate_covariance(bgnbd.log_likelihood, params, rows.T, w)
    >>> parameter_table(params, cov)["se"].round(4).to_dict()
    {'r': 0.0126, 'alpha': 0.3782, 'a': 0.1857, 'b': 0.7054}
    """
    information = observed_information(log_likelihood, list(params.values()), list(columns), weights)
    if log_prior is not None:
        information = information + observed_information(
            lambda theta: np.array([log_prior(np.log(theta))]), list(params.values()), [], np.ones(1))
    return log_covariance(information)
