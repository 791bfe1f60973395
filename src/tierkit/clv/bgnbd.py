"""The BG/NBD model of Fader, Hardie & Lee (2005): how many purchases, and is the customer alive.

A customer buys at Poisson rate ``lambda`` ~ Gamma(r, alpha) while alive and, after each
purchase, drops out with probability ``p`` ~ Beta(a, b). Given the buy-till-you-die summary of
one customer -- ``x`` repeat purchases, the last at age ``t_x``, observed until age ``T`` --
the log-likelihood is (FHL 2005, eq. 6)::

    ln L = ln G(r+x) - ln G(r) + r ln(alpha) + ln B(a, b+x) - ln B(a, b)
           + ln[ (alpha+T)^-(r+x) + [x > 0] a / (b+x-1) (alpha+t_x)^-(r+x) ]

tierkit fits it on the *distinct* ``(x, t_x, T)`` rows with their counts as weights (daily
data of a million customers has far fewer distinct rows), with the analytic gradient below and
L-BFGS on the log-parameters; lifetimes differentiates the same function with autograd on every
row. Time is scaled by ``1 / max(T)`` during the fit, as lifetimes does, so the optimiser sees
parameters near 1 and a penalizer means the same in both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc, betaln, digamma, gammaln, hyp2f1, xlogy

from tierkit.clv._optimize import fit_time_scaled

PARAMS = ("r", "alpha", "a", "b")


def distinct_rows(*columns: np.ndarray, weights: np.ndarray | None = None):
    """The distinct rows of the given columns, their summed weights, and each input row's index.

    Rows come sorted (lexicographically by the columns in order).

    Examples
    --------
    >>> rows, w, inverse = distinct_rows(np.array([1., 1., 2.]), np.array([5., 5., 6.]))
    >>> rows.tolist(), w.tolist(), inverse.tolist()
    ([[1.0, 5.0], [2.0, 6.0]], [2.0, 1.0], [0, 0, 1])
    """
    # Hash-based codes per column, then one integer key per row: linear time, where
    # np.unique(axis=0) sorts every row; only the distinct values get sorted.
    values, codes = [], []
    for column in columns:
        code, uniq = pd.factorize(np.asarray(column, dtype="float64").reshape(-1), sort=True)
        values.append(np.asarray(uniq, dtype="float64"))
        codes.append(code.astype("int64"))
    sizes = [len(v) for v in values]
    if float(np.prod([float(n) for n in sizes])) >= 2.0**62:
        stacked = np.column_stack(columns).astype("float64")
        rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        key = np.zeros(len(codes[0]), dtype="int64")
        for code, n in zip(codes, sizes, strict=True):
            key = key * n + code
        inverse, keys = pd.factorize(key, sort=True)
        keys = np.asarray(keys, dtype="int64")
        parts = []
        for uniq, n in zip(reversed(values), reversed(sizes), strict=True):
            parts.append(uniq[keys % n])
            keys = keys // n
        rows = np.column_stack(parts[::-1])
    w = np.ones(len(inverse)) if weights is None else np.asarray(weights, dtype="float64")
    return rows, np.bincount(inverse, weights=w, minlength=len(rows)), inverse


def _terms(params, x, t_x, T):
    r, alpha, a, b = params
    log_a3 = -(r + x) * np.log(alpha + T)
    log_a4 = np.where(
        x > 0, np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x), -np.inf
    )
    log_mix = np.logaddexp(log_a3, log_a4)
    share4 = np.exp(log_a4 - log_mix)  # weight of the "dropped out after t_x" branch
    return log_a3, log_a4, log_mix, share4


def log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-row log-likelihood of the BG/NBD model (``params`` = r, alpha, a, b).

    Examples
    --------
    Without repeat purchases ln L = r ln(alpha / (alpha + T)) = 0.243 ln(4.414 / 43.274):

    >>> float(log_likelihood((0.243, 4.414, 0.793, 2.426), np.array([0.]), np.array([0.]), np.array([38.86]))[0])
    -0.5547...
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype="float64")
    _, _, log_mix, _ = _terms(params, x, np.asarray(t_x, dtype="float64"), np.asarray(T, dtype="float64"))
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b) + log_mix


class _Data:
    """Rows prepared for the likelihood: terms that depend on ``x`` alone are computed once per distinct x."""

    def __init__(self, x, t_x, T, w):
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.ux, inverse = np.unique(x, return_inverse=True)
        self.inverse = inverse.reshape(-1)
        self.wx = np.bincount(self.inverse, weights=w, minlength=len(self.ux))
        self.repeat = x > 0
        self.total = w.sum()


def _objective(log_params, data: _Data, penalizer):
    """Mean negative log-likelihood (+ penalizer * sum(params**2)) and its gradient in log-params."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    t_x, T, w, ux, wx = data.t_x, data.T, data.w, data.ux, data.wx
    # per distinct x
    rx = r + ux
    ll_x = gammaln(rx) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
    dab_x = digamma(a + b) - digamma(a + b + ux)
    d_r_x = digamma(rx) - digamma(r) + np.log(alpha)
    d_b_x = dab_x + digamma(b + ux) - digamma(b)
    shift = np.where(ux > 0, b + ux - 1, 1.0)
    inv_b_x = np.where(ux > 0, 1.0 / shift, 0.0)
    log_a_x = np.where(ux > 0, np.log(a) - np.log(shift), -np.inf)  # ln(a / (b+x-1)); none for x = 0
    # per row
    rxr = rx[data.inverse]
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    log_a3 = -rxr * log_at
    log_a4 = log_a_x[data.inverse] - rxr * log_atx
    log_mix = np.logaddexp(log_a3, log_a4)
    s4 = np.exp(log_a4 - log_mix)
    s3 = 1.0 - s4
    total = data.total
    ll = wx @ ll_x + w @ log_mix
    d_r = wx @ d_r_x - w @ (s3 * log_at + s4 * log_atx)
    d_alpha = r / alpha * total - w @ (rxr * (s3 / (alpha + T) + s4 / (alpha + t_x)))
    ws4_x = np.bincount(data.inverse, weights=w * s4, minlength=len(ux))
    d_a = wx @ dab_x + ws4_x.sum() / a
    d_b = wx @ d_b_x - ws4_x @ inv_b_x
    value = -ll / total + penalizer * np.sum(params**2)
    grad = -np.array([d_r, d_alpha, d_a, d_b]) / total + 2 * penalizer * params
    return value, grad * params  # chain rule: d/d log(theta) = theta * d/d theta


def fit_bgnbd(x, t_x, T, weights=None, penalizer: float = 0.0, initial=None, prior: bool = False):
    """Maximum-likelihood BG/NBD parameters; returns ``(params dict, total log-likelihood)``.

    ``weights`` counts how many customers each row stands for. The log-likelihood is the
    unpenalised total over customers, in the data's own time unit (FHL 2005 report -9582.4
    for the CDNOW sample in weeks).

    A fit that does not converge raises :class:`~tierkit.errors.ModelError` naming
    ``bgnbd_penalizer``; so does one whose (time-scaled) parameters run off towards 0 or
    infinity while the likelihood still improves along them -- no interior maximum -- even when
    the optimiser reports success. A parameter whose limit is reached, the likelihood flat in it
    (``a`` -> 0 when nobody is seen to drop out), is kept. ``prior=True`` maximises the posterior
    under the weak prior of :mod:`tierkit.clv._optimize` instead.

    Examples
    --------
    The CDNOW sample of Fader, Hardie & Lee (2005), in weeks, from its raw transactions:

    >>> import tierkit as tk, warnings
    >>> with warnings.catch_warnings():  # the sample's later transactions are left out, as intended
    ...     warnings.simplefilter("ignore")
    ...     f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    >>> params, ll = fit_bgnbd(f["frequency_btyd"], f["recency_btyd"], f["T"])
    >>> {k: round(v, 3) for k, v in params.items()}, round(ll, 1)
    ({'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}, -9582.4)
    """
    return fit_time_scaled(_objective, _Data, x, t_x, T, weights, penalizer, initial, names=PARAMS, rates=[1],
                           model="BG/NBD", penalizer_name="bgnbd_penalizer", log_likelihood=log_likelihood,
                           prior=prior)


def _alive_odds(params, x, t_x, T):
    """``[x > 0] a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x)``: odds of having dropped out."""
    r, alpha, a, b = params
    safe = np.where(x > 0, b + x - 1, 1.0)
    log_odds = np.log(a) - np.log(safe) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def p_alive(params, x, t_x, T) -> np.ndarray:
    """Probability that each customer is still alive at age ``T`` (FHL 2005, eq. 11).

    Examples
    --------
    >>> p_alive((0.243, 4.414, 0.793, 2.426), np.array([0., 2.]), np.array([0., 30.43]), np.array([38.86, 38.86]))
    array([1.        , 0.7...])
    """
    params = tuple(params)
    return 1.0 / (1.0 + _alive_odds(params, np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)))


def expected_purchases(params, t, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next ``t`` time units, given each customer's history (FHL 2005, eq. 10).

    Equation 10 is ``(a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
    / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))`` with ``z = t/(alpha+T+t)``. For
    frequent buyers and long horizons that 2F1 overflows while the power underflows; Euler's
    transformation (Abramowitz & Stegun 15.3.3) turns the product into the equal and
    well-behaved ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, which is computed here.

    Examples
    --------
    The published example: x = 2, t_x = 30.43, T = 38.86 weeks, 39 weeks ahead.

    >>> round(float(expected_purchases((0.243, 4.414, 0.793, 2.426), 39, 2, 30.43, 38.86)), 3)
    1.226
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    t = np.asarray(t, dtype="float64")
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1.0 - power_hyp2f1(z, a - 1, a + b - 1 - r, a - 1, a + b + x - 1, r + x, r + x, b + x)
    return head * tail / (1.0 + _alive_odds(params, x, t_x, T))


def power_hyp2f1(z, p, a, b, c, q, a2, b2) -> np.ndarray:
    """``(1-z)^p 2F1(a, b; c; z)``, or where that is not finite the equal ``(1-z)^q 2F1(a2, b2; c; z)``.

    The two are one number by Euler's transformation (``q = p + c - a - b`` ... the callers
    pass both spellings). The first stays finite for frequent buyers and long horizons; the
    second when the dropout parameters are large (``a`` in the hundreds: ``(1-z)^(a-1)``
    underflows to 0 while its hypergeometric factor overflows, and their product is nan).
    SciPy evaluates each; the second is computed only for the elements the first misses, so
    every number the first gives is unchanged.

    Examples
    --------
    ``a = 484``, ``b = 5691`` (an MBG/NBD fit on a base that barely lapses), ten years ahead:

    >>> r, a, b, x, z = 0.83, 484.0, 5691.0, 13.0, 3650 / (7 + 514 + 3650)
    >>> float(power_hyp2f1(z, a - 1, a + b - r, a - 1, a + b + x, r + x, r + x, b + x + 1).round(6))
    0.002458
    """
    z = np.asarray(z, dtype="float64")
    with np.errstate(invalid="ignore", over="ignore"):  # 0 x inf: the elements the second spelling computes
        first = np.exp(p * np.log1p(-z)) * hyp2f1(a, b, c, z)
    missed = ~np.isfinite(first)
    if not missed.any():
        return first
    first = np.array(first, dtype="float64", copy=True)
    broadcast = np.broadcast_arrays(z, np.asarray(q, dtype="float64"), np.asarray(a2, dtype="float64"),
                                    np.asarray(b2, dtype="float64"), np.asarray(c, dtype="float64"), first)
    z_, q_, a2_, b2_, c_ = (v[missed] for v in broadcast[:5])
    first[missed] = np.exp(q_ * np.log1p(-z_)) * hyp2f1(a2_, b2_, c_, z_)
    return first


def _nbd_log_pmf(r, alpha, t, n):
    """``ln P(N(t) = n)`` of the NBD count: Poisson purchases at a Gamma(r, alpha) rate over ``t``."""
    return (gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * (np.log(alpha) - np.log(alpha + t))
            + xlogy(n, t) - n * np.log(alpha + t))


def _nbd_at_least(r, alpha, t, n):
    """``P(N(t) >= n)`` of the NBD count, ``1 - sum_{j<n} P(N(t) = j)``, as a regularised incomplete beta."""
    q = np.asarray(t / (alpha + t), dtype="float64")
    return np.where(n > 0, betainc(np.maximum(n, 1), r, q), 1.0)


def expected_number_of_purchases_up_to_time(params, t) -> np.ndarray:
    """Expected repeat purchases in ``(0, t]`` of a customer drawn from the population (FHL 2005, eq. 9).

    Equation 9, ``(a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``, is
    computed after Euler's transformation as in :func:`expected_purchases`.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, a, b)``.
    t : float or array-like
        Length of the period from the first purchase, in the time unit of the fit.

    Returns
    -------
    numpy.ndarray
        ``E[X(t)]`` for each ``t``.

    Examples
    --------
    About one repeat purchase in the 31.86 weeks after the first (Fader and Hardie's spreadsheet
    has 1.0405 at the unrounded estimates):

    >>> expected_number_of_purchases_up_to_time((0.243, 4.414, 0.793, 2.426), [1., 31.8571]).round(3)
    array([0.053, 1.042])
    """
    r, alpha, a, b = params
    t = np.asarray(t, dtype="float64")
    z = t / (alpha + t)
    tail = 1.0 - power_hyp2f1(z, a - 1, a + b - 1 - r, a - 1, a + b - 1, r, r, b)
    return (a + b - 1) / (a - 1) * tail


def probability_of_n_purchases_up_to_time(params, t, n) -> np.ndarray:
    """Probability of exactly ``n`` repeat purchases in ``(0, t]`` (FHL 2005, eq. 8).

    ``B(a, b+n)/B(a, b) NBD(n; t) + [n > 0] B(a+1, b+n-1)/B(a, b) P(NBD(t) >= n)``: still alive
    after ``n`` purchases, or dropped out after the ``n``-th with at least ``n`` purchases due by
    ``t``. The NBD tail is a regularised incomplete beta function rather than one minus a finite
    sum, so small probabilities keep their digits.

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
    The R package BTYD's example: 10 repeat purchases in 2 weeks, none in 39.

    >>> p = (0.243, 4.414, 0.793, 2.426)
    >>> float(probability_of_n_purchases_up_to_time(p, 2, 10)), float(probability_of_n_purchases_up_to_time(p, 39, 0))
    (1.0786...e-07, 0.57378...)
    """
    r, alpha, a, b = params
    t = np.asarray(t, dtype="float64")
    n = np.asarray(n, dtype="float64")
    alive = np.exp(betaln(a, b + n) - betaln(a, b) + _nbd_log_pmf(r, alpha, t, n))
    shift = np.where(n > 0, b + n - 1, 1.0)
    dropped = np.where(n > 0, np.exp(betaln(a + 1, shift) - betaln(a, b)), 0.0) * _nbd_at_least(r, alpha, t, n)
    return alive + dropped
