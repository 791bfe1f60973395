"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV").

A customer's transaction values are Gamma(p, nu) around their own mean, and nu ~ Gamma(q, v)
across customers. For a customer with ``x`` repeat transactions of mean value ``m`` the
log-likelihood is::

    ln L = ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(xm+v)

and the expected spend per transaction, given that history, is the weighted mean of the
population mean ``p v / (q - 1)`` and the customer's own mean::

    E(M | x, m) = (q - 1) / (px + q - 1) * p v / (q - 1) + px / (px + q - 1) * m

Only repeat customers (x > 0) with a positive mean spend enter the fit; a customer with no
repeat purchase gets the population mean, as the model prescribes. The model assumes spend is
independent of frequency: :func:`spend_frequency_correlation` checks it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln

from tierkit.clv._optimize import PRIOR_SD, fit_log_params, with_prior

PARAMS = ("p", "q", "v")


def log_likelihood(params, x, m) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood (x > 0, m > 0).

    Examples
    --------
    >>> ll = log_likelihood((6.25, 3.74, 15.44), np.array([1., 2.]), np.array([22.35, 22.35]))
    >>> bool(np.isfinite(ll).all())
    True
    """
    p, q, v = params
    x = np.asarray(x, dtype="float64")
    m = np.asarray(m, dtype="float64")
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(x * m + v))


def _objective(log_params, rows, w, groups, penalizer, unit=(1.0, 1.0, 1.0)):
    """Mean negative log-likelihood and gradient; ``groups`` = (distinct x, row -> group, weight per group).

    ``rows`` = ``(x m, w x, (w @ ln m, (w x) @ ln m))``: a row's ``(px - 1) ln m - (px + q) ln(xm + v)``
    is ``p x ln m - ln m - p x ln(xm + v) - q ln(xm + v)``, so only ``ln(xm + v)`` (and ``1 / (xm + v)``
    for the gradient) are computed per row and evaluation.

    The penalty acts on ``params / unit``: ``unit`` = (1, 1, mean spend) makes it independent of
    the currency.
    """
    params = np.exp(log_params)
    p, q, v = params
    ux, _, wx = groups
    total = wx.sum()
    pux = p * ux
    # terms of x alone, once per distinct x
    ll_x = gammaln(pux + q) - gammaln(pux) - gammaln(q) + q * np.log(v) + pux * np.log(ux)
    dg = digamma(pux + q)
    d_p_x = ux * (dg - digamma(pux) + np.log(ux))
    d_q_x = dg - digamma(q) + np.log(v)
    # per row: ln(xm + v) and 1 / (xm + v); every other factor is fixed, so it sits in the weights
    xm, wx_row, fixed = rows
    log_xmv = np.log(xm + v)
    inv_xmv = 1.0 / (xm + v)
    w_log = w @ log_xmv
    wx_log = wx_row @ log_xmv
    ll = wx @ ll_x + p * fixed[1] - fixed[0] - p * wx_log - q * w_log
    d_p = wx @ d_p_x + fixed[1] - wx_log
    d_q = wx @ d_q_x - w_log
    d_v = q / v * total - p * (wx_row @ inv_xmv) - q * (w @ inv_xmv)
    unit = np.asarray(unit)
    value = -ll / total + penalizer * np.sum((params / unit) ** 2)
    grad = -np.array([d_p, d_q, d_v]) / total + 2 * penalizer * params / unit**2
    return value, grad * params


def _objective_q_minus_one(eta, *args):
    """:func:`_objective` on ``(ln p, ln(q - 1), ln v)``."""
    log_q = np.logaddexp(0.0, eta[1])
    value, gradient = _objective(np.array([eta[0], log_q, eta[2]]), *args)
    return value, gradient * np.array([1.0, -np.expm1(-log_q), 1.0])  # d ln q / d eta = (q - 1) / q


def log_prior(log_params, mean_spend: float) -> float:
    """The weak prior's log-density (up to a constant) at ``(ln p, ln q, ln v)``; see :func:`fit_gamma_gamma`.

    Examples
    --------
    >>> log_prior(np.log([1.0, 2.0, 10.0]), 10.0) == 0  # at the centre: p = 1, q = 2, v = mean spend
    True
    """
    eta = np.array([log_params[0], np.log(np.expm1(log_params[1])), log_params[2] - np.log(mean_spend)])
    return float(-(eta @ eta) / (2 * PRIOR_SD**2))


def fit_gamma_gamma(x, m, weights=None, penalizer: float = 0.0, prior: bool = False):
    """Maximum-likelihood Gamma-Gamma parameters from repeat customers; ``(params dict, log-likelihood)``.

    The L2 ``penalizer`` acts on ``(p, q, v / c)`` with ``c`` the mean spend, so it does not
    depend on the currency unit: spends in cents give ``v`` 100 times larger and the same
    expected spend in cents.

    ``prior=True`` maximises the posterior under a weak prior instead, on ``(ln p, ln(q - 1),
    ln(v / c))`` each Normal(0, :data:`~tierkit.clv._optimize.PRIOR_SD`): centred on a population
    mean spend ``p v / (q - 1)`` equal to the mean spend, and with ``q > 1`` by construction, so
    the mean spend is always defined -- for constant spends (where maximum likelihood sends ``q``
    and ``v`` to infinity) and for heavy-tailed ones (where it puts ``q`` at or below 1) alike.

    Examples
    --------
    Data drawn from the model with p = 6, q = 4, v = 15 give the parameters back (within 15 %):

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 8, 5000).astype(float)
    >>> nu = rng.gamma(4.0, 1 / 15.0, 5000)
    >>> m = rng.gamma(6.0 * x, 1 / nu) / x
    >>> fitted, _ = fit_gamma_gamma(x, m)
    >>> all(abs(fitted[k] / true - 1) < 0.15 for k, true in {"p": 6, "q": 4, "v": 15}.items())
    True
    """
    x = np.asarray(x, dtype="float64")
    m = np.asarray(m, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    ux, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.reshape(-1)
    groups = (ux, inverse, np.bincount(inverse, weights=w, minlength=len(ux)))
    # v carries the money unit (p, q and v / c fit spends m / c as p, q, v fit m): the penalty on v,
    # the run-off test and the prior take v in units of the mean spend c, so they mean the same in
    # dollars and cents. On degenerate data (one spend rate for every customer) q and v run off to
    # infinity together: maximum likelihood has no answer there, and CLVModel turns to the prior.
    unit = (1.0, 1.0, float(w @ m / w.sum()))
    log_m = np.log(m)
    rows = (x * m, w * x, (w @ log_m, (w * x) @ log_m))
    args = (rows, w, groups, penalizer, unit)
    if prior:
        center = np.array([0.0, 0.0, np.log(unit[2])])
        posterior = with_prior(_objective_q_minus_one, float(w.sum()), center=center)
        p, q_minus_one, v = fit_log_params(posterior, center, args, model="Gamma-Gamma", penalizer="gg_penalizer",
                                           center=center)
        params = np.array([p, 1.0 + q_minus_one, v])
    else:
        # scaled to the mean spend, p, q and v / c are of order one: one that runs off counts as not converged
        params = fit_log_params(_objective, np.full(3, 0.1), args, model="Gamma-Gamma", penalizer="gg_penalizer",
                                scaled=PARAMS, center=np.array([0.0, 0.0, np.log(unit[2])]))
    fitted = dict(zip(PARAMS, (float(v) for v in params), strict=True))
    return fitted, float(w @ log_likelihood(params, x, m))


def expected_spend(params, x, m) -> np.ndarray:
    """Expected spend per transaction given ``x`` repeat transactions of mean value ``m``.

    ``x = 0`` gives the population mean ``p v / (q - 1)``.

    Examples
    --------
    Population mean 6.25 * 15.44 / 2.74 = 35.22; with two purchases of mean 22.35,
    (2.74 * 35.22 + 12.5 * 22.35) / 15.24 = 24.66:

    >>> expected_spend((6.25, 3.74, 15.44), np.array([0., 2.]), np.array([0., 22.35])).round(2)
    array([35.22, 24.66])
    """
    p, q, v = params
    x = np.asarray(x, dtype="float64")
    m = np.asarray(m, dtype="float64")
    population = p * v / (q - 1)
    return ((q - 1) * population + p * x * m) / (p * x + q - 1)


def weighted_correlation(x, m, weights) -> float:
    """:func:`spend_frequency_correlation` of distinct ``(x, m)`` rows held by ``weights`` customers each.

    Examples
    --------
    >>> round(weighted_correlation(np.array([1., 3]), np.array([10., 40]), np.array([2., 1])), 3)
    1.0
    >>> round(spend_frequency_correlation(np.array([1., 1, 3]), np.array([10., 10, 40])), 3)
    1.0
    """
    x, m, w = (np.ascontiguousarray(v, dtype="float64") for v in (x, m, weights))
    total = math.fsum(w.tolist())
    if total < 3:
        return 0.0

    def wsum(values):  # an exactly rounded sum: the same on every machine, whatever the memory layout
        return math.fsum((w * values).tolist())

    dx = x - wsum(x) / total
    dm = m - wsum(m) / total
    vx, vm = wsum(dx * dx), wsum(dm * dm)
    if vx <= 0 or vm <= 0:
        return 0.0
    return float(wsum(dx * dm) / math.sqrt(vx * vm))


def spend_frequency_correlation(x, m) -> float:
    """Pearson correlation of repeat purchases and mean spend among repeat customers.

    Gamma-Gamma assumes none; Fader & Hardie report 0.11 on CDNOW.

    Examples
    --------
    >>> round(spend_frequency_correlation(np.array([1., 2, 3]), np.array([10., 10, 40])), 3)
    0.866
    """
    x = np.asarray(x, dtype="float64")
    m = np.asarray(m, dtype="float64")
    if len(x) < 3 or x.std() == 0 or m.std() == 0:
        return 0.0
    return float(np.corrcoef(x, m)[0, 1])
