"""The MBG/NBD model of Batislam, Denizel & Filiztekin (2007): BG/NBD in which a one-time buyer can drop out too.

As in BG/NBD (:mod:`tierkit.clv.bgnbd`) a customer buys at Poisson rate ``lambda`` ~ Gamma(r,
alpha) while alive, and drops out with probability ``p`` ~ Beta(a, b) -- but at time 0 as well as
after each purchase, so a customer without repeat purchases is no longer certainly alive. For
``x`` repeat purchases, the last at age ``t_x``, observed until age ``T`` (Batislam et al. 2007,
with the correction of Wagner & Hoppe 2008)::

    ln L = ln G(r+x) - ln G(r) + r ln(alpha) + ln B(a, b+x+1) - ln B(a, b)
           + ln[ (alpha+T)^-(r+x) + a / (b+x) (alpha+t_x)^-(r+x) ]

The fit follows :func:`tierkit.clv.bgnbd.fit_bgnbd`: distinct ``(x, t_x, T)`` rows with counts as
weights, analytic gradient, L-BFGS on log-parameters, time scaled by ``1 / max(T)``. lifetimes
calls this model ``ModifiedBetaGeoFitter``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln

from tierkit.clv._optimize import fit_time_scaled
from tierkit.clv.bgnbd import _Data, _nbd_at_least, _nbd_log_pmf, power_hyp2f1  # the rows prepared alike

PARAMS = ("r", "alpha", "a", "b")


def _log_odds(params, x, t_x, T):
    """``ln[a / (b+x) ((alpha+T) / (alpha+t_x))^(r+x)]``: log-odds of having dropped out by ``T``."""
    r, alpha, a, b = params
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-row log-likelihood of the MBG/NBD model.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.

    Returns
    -------
    numpy.ndarray
        ``ln L`` per row.

    Examples
    --------
    Without repeat purchases L = b/(a+b) (alpha/(alpha+T))^r + a/(a+b): alive and silent, or gone at once.

    >>> p = (0.525, 6.183, 0.891, 1.614)
    >>> ll = log_likelihood(p, np.array([0.]), np.array([0.]), np.array([38.86]))
    >>> bool(np.isclose(np.exp(ll[0]), 1.614 / 2.505 * (6.183 / 45.043) ** 0.525 + 0.891 / 2.505))
    True
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1) - betaln(a, b)
            - (r + x) * np.log(alpha + T) + np.logaddexp(0.0, _log_odds(params, x, t_x, T)))


def _objective(log_params, data: _Data, penalizer):
    """Mean negative log-likelihood (+ penalizer * sum(params**2)) and its gradient in log-params."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    t_x, T, w, ux, wx = data.t_x, data.T, data.w, data.ux, data.wx
    # per distinct x
    rx = r + ux
    ll_x = gammaln(rx) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux + 1) - betaln(a, b)
    dab_x = digamma(a + b) - digamma(a + b + ux + 1)
    d_r_x = digamma(rx) - digamma(r) + np.log(alpha)
    d_b_x = dab_x + digamma(b + ux + 1) - digamma(b)
    log_a_x = np.log(a) - np.log(b + ux)  # ln(a / (b+x)), for x = 0 too
    # per row
    rxr = rx[data.inverse]
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    log_a3 = -rxr * log_at
    log_a4 = log_a_x[data.inverse] - rxr * log_atx
    log_mix = np.logaddexp(log_a3, log_a4)
    s4 = np.exp(log_a4 - log_mix)  # weight of the "dropped out after t_x" branch
    s3 = 1.0 - s4
    total = data.total
    ll = wx @ ll_x + w @ log_mix
    d_r = wx @ d_r_x - w @ (s3 * log_at + s4 * log_atx)
    d_alpha = r / alpha * total - w @ (rxr * (s3 / (alpha + T) + s4 / (alpha + t_x)))
    ws4_x = np.bincount(data.inverse, weights=w * s4, minlength=len(ux))
    d_a = wx @ dab_x + ws4_x.sum() / a
    d_b = wx @ d_b_x - ws4_x @ (1.0 / (b + ux))
    value = -ll / total + penalizer * np.sum(params**2)
    grad = -np.array([d_r, d_alpha, d_a, d_b]) / total + 2 * penalizer * params
    return value, grad * params  # chain rule: d/d log(theta) = theta * d/d theta


def fit_mbgnbd(x, t_x, T, weights=None, penalizer: float = 0.0, initial=None, prior: bool = False):
    """Maximum-likelihood MBG/NBD parameters; returns ``(params dict, total log-likelihood)``.

    Same conventions as :func:`tierkit.clv.bgnbd.fit_bgnbd`: ``weights`` counts the customers
    each row stands for, the log-likelihood is the unpenalised total in the data's own time unit,
    and a fit without an interior optimum raises :class:`~tierkit.errors.ModelError` naming
    ``mbgnbd_penalizer``.

    Parameters
    ----------
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.
    weights : array-like, optional
        Customers per row (default 1 each).
    penalizer : float
        L2 penalty on the (time-scaled) parameters, as in lifetimes.
    initial : sequence of float, optional
        Starting ``(r, alpha, a, b)``, alpha in the data's time unit.
    prior : bool
        Maximise the posterior under the weak prior of :mod:`tierkit.clv._optimize` instead.

    Returns
    -------
    tuple of (dict, float)
        The parameters by name, and the log-likelihood.

    Examples
    --------
    The CDNOW sample in weeks; BTYDplus reports r = 0.525, alpha = 6.183, a = 0.891, b = 1.614:

    >>> from lifetimes.datasets import load_cdnow_summary
    >>> d = load_cdnow_summary()
    >>> params, ll = fit_mbgnbd(d["frequency"], d["recency"], d["T"])
    >>> {k: round(v, 3) for k, v in params.items()}
    {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
    """
    return fit_time_scaled(_objective, _Data, x, t_x, T, weights, penalizer, initial, names=PARAMS, rates=[1],
                           model="MBG/NBD", penalizer_name="mbgnbd_penalizer", log_likelihood=log_likelihood,
                           prior=prior)


def p_alive(params, x, t_x, T) -> np.ndarray:
    """Probability that each customer is still alive at age ``T``: ``1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))``.

    Unlike BG/NBD this is below 1 for customers without repeat purchases.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.

    Returns
    -------
    numpy.ndarray
        ``P(alive at T)``.

    Examples
    --------
    >>> params = (0.525, 6.183, 0.891, 1.614)
    >>> p_alive(params, np.array([0., 2.]), np.array([0., 30.43]), np.array([38.86, 38.86])).round(3)
    array([0.39 , 0.706])
    """
    x = np.asarray(x, dtype="float64")
    log_odds = _log_odds(tuple(params), x, np.asarray(t_x, float), np.asarray(T, float))
    return np.exp(-np.logaddexp(0.0, log_odds))


def expected_purchases(params, t, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next ``t`` time units, given each customer's history (Wagner & Hoppe 2008).

    ``(a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] P(alive)``
    with ``z = t/(alpha+T+t)``; as in :func:`tierkit.clv.bgnbd.expected_purchases`, Euler's
    transformation turns the bracketed product into ``(1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z)``,
    which stays finite for frequent buyers and long horizons.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    t : float or array-like
        Horizon, in the time unit of the fit.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.

    Returns
    -------
    numpy.ndarray
        ``E[X(T, T+t) | x, t_x, T]``.

    Examples
    --------
    >>> round(float(expected_purchases((0.525, 6.183, 0.891, 1.614), 39, 2, 30.43, 38.86)), 3)
    1.2...
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype="float64")
    t = np.asarray(t, dtype="float64")
    T = np.asarray(T, dtype="float64")
    z = t / (alpha + T + t)
    head = (a + b + x) / (a - 1)
    tail = 1.0 - power_hyp2f1(z, a - 1, a + b - r, a - 1, a + b + x, r + x, r + x, b + x + 1)
    return head * tail * p_alive(params, x, t_x, T)


def expected_number_of_purchases_up_to_time(params, t) -> np.ndarray:
    """Expected repeat purchases in ``(0, t]`` of a customer drawn from the population.

    ``b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]``, computed after Euler's
    transformation as ``b/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b; z)]``.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    t : float or array-like
        Length of the period from the first purchase, in the time unit of the fit.

    Returns
    -------
    numpy.ndarray
        ``E[X(t)]``.

    Examples
    --------
    >>> expected_number_of_purchases_up_to_time((0.525, 6.183, 0.891, 1.614), [1., 39.]).round(3)
    array([0.053, 1.183])
    """
    r, alpha, a, b = params
    t = np.asarray(t, dtype="float64")
    z = t / (alpha + t)
    return b / (a - 1) * (1.0 - power_hyp2f1(z, a - 1, a + b - r, a - 1, a + b, r, r, b + 1))


def probability_of_n_purchases_up_to_time(params, t, n) -> np.ndarray:
    """Probability of exactly ``n`` repeat purchases in ``(0, t]``.

    ``B(a, b+n+1)/B(a, b) NBD(n; t) + B(a+1, b+n)/B(a, b) P(NBD(t) >= n)``: alive after ``n``
    purchases, or dropped out right after the ``n``-th (``n = 0``: at once) with at least ``n``
    purchases due by ``t``.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    t : float or array-like
        Length of the period, in the time unit of the fit.
    n : int or array-like
        Number of repeat purchases (broadcast against ``t``).

    Returns
    -------
    numpy.ndarray
        ``P(X(t) = n)``.

    Examples
    --------
    >>> p = (0.525, 6.183, 0.891, 1.614)
    >>> round(float(probability_of_n_purchases_up_to_time(p, 39, np.arange(200)).sum()), 6)
    1.0
    """
    r, alpha, a, b = params
    t = np.asarray(t, dtype="float64")
    n = np.asarray(n, dtype="float64")
    alive = np.exp(betaln(a, b + n + 1) - betaln(a, b) + _nbd_log_pmf(r, alpha, t, n))
    dropped = np.exp(betaln(a + 1, b + n) - betaln(a, b)) * _nbd_at_least(r, alpha, t, n)
    return alive + dropped
