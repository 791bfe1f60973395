"""The BG/BB model of Fader, Hardie & Shang (2010): buy-till-you-die in discrete time.

Time comes in transaction opportunities (a yearly fund drive, a weekly event). While alive, a
customer transacts at each opportunity with probability ``p`` ~ Beta(alpha, beta); before each
opportunity after the first, they die with probability ``theta`` ~ Beta(gamma, delta). A customer
with ``x`` transactions in ``n`` opportunities after the first, the last at opportunity ``t_x``,
has (FHS 2010, eq. 5)::

    L = B(alpha+x, beta+n-x) / B(alpha, beta) * B(gamma, delta+n) / B(gamma, delta)
        + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i) / B(alpha, beta)
                              * B(gamma+1, delta+t_x+i) / B(gamma, delta)

the first term for a customer alive through opportunity ``n``, the others for one who died just
after opportunity ``t_x + i``. As in :mod:`tierkit.clv.bgnbd` the fit runs on the distinct
``(x, t_x, n)`` rows with their counts as weights, with the analytic gradient (each term is a
product of beta functions, whose log-derivatives are digamma differences) and L-BFGS on the
log-parameters. Time needs no scaling: it is counted in opportunities. The ``n - t_x`` terms of
a row are laid out side by side, so memory grows with (distinct rows) x (largest ``n - t_x``).
lifetimes calls this model ``BetaGeoBetaBinomFitter``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln
from scipy.special import logsumexp as _logsumexp

from tierkit.clv._optimize import fit_log_params

PARAMS = ("alpha", "beta", "gamma", "delta")


def _log_terms(params, x, t_x, n):
    """Log of the likelihood's terms, one row each: column 0 alive through ``n``, column 1 + i died after ``t_x + i``.

    Also returns ``k`` = ``t_x + i`` per column (``n`` in column 0) and the mask of terms that exist.
    """
    alpha, beta, gamma, delta = params
    span = int(np.max(n - t_x)) if len(x) else 0
    k = t_x[:, None] + np.arange(span)[None, :]
    exists = k < n[:, None]
    kk = np.where(exists, k, t_x[:, None])
    xx = x[:, None]
    base = -betaln(alpha, beta) - betaln(gamma, delta)
    log_alive = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n) + base
    log_died = betaln(alpha + xx, beta + kk - xx) + betaln(gamma + 1, delta + kk) + base
    log_died = np.where(exists, log_died, -np.inf)
    return np.column_stack([log_alive, log_died]), np.column_stack([n, kk]), np.column_stack(
        [np.ones(len(x), bool), exists])


def log_likelihood(params, x, t_x, n) -> np.ndarray:
    """Per-row log-likelihood of the BG/BB model (FHS 2010, eq. 5).

    Parameters
    ----------
    params : sequence of float
        ``(alpha, beta, gamma, delta)``.
    x, t_x, n : array-like of int
        Transactions, opportunity of the last one (0 without any), opportunities observed.

    Returns
    -------
    numpy.ndarray
        ``ln L`` per row.

    Examples
    --------
    Six opportunities without a transaction: the most common pattern of the donations data.

    >>> float(log_likelihood((1.204, 0.750, 0.657, 2.783), [0], [0], [6])[0])
    -1.167...
    """
    x, t_x, n = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x, t_x, n))
    log_terms, _, _ = _log_terms(params, x, t_x, n)
    return _logsumexp(log_terms, axis=1)


class _Data:
    """Rows and weights for :func:`_objective`."""

    def __init__(self, x, t_x, n, w):
        self.x, self.t_x, self.n, self.w = x, t_x, n, w
        self.total = w.sum()


def _objective(log_params, data: _Data, penalizer):
    """Mean negative log-likelihood (+ penalizer * sum(params**2)) and its gradient in log-params."""
    params = np.exp(log_params)
    alpha, beta, gamma, delta = params
    x, w = data.x[:, None], data.w
    log_terms, k, exists = _log_terms(params, data.x, data.t_x, data.n)
    ll_rows = _logsumexp(log_terms, axis=1)
    share = np.where(exists, np.exp(log_terms - ll_rows[:, None]), 0.0)  # each term's part of L
    died = np.zeros(k.shape, bool)
    died[:, 1:] = True
    # d ln(term) / d param, less the constants of -ln B(alpha, beta) - ln B(gamma, delta), added below
    d_alpha = digamma(alpha + x) - digamma(alpha + beta + k)
    d_beta = digamma(beta + k - x) - digamma(alpha + beta + k)
    g = np.where(died, 1.0, 0.0)  # the died terms have gamma + 1 and delta + t_x + i
    d_gamma = digamma(gamma + g) - digamma(gamma + delta + k + g)
    d_delta = digamma(delta + k) - digamma(gamma + delta + k + g)
    ws = w[:, None] * share
    total = data.total
    ll = w @ ll_rows
    grad_ll = np.array([
        np.sum(ws * d_alpha) + total * (digamma(alpha + beta) - digamma(alpha)),
        np.sum(ws * d_beta) + total * (digamma(alpha + beta) - digamma(beta)),
        np.sum(ws * d_gamma) + total * (digamma(gamma + delta) - digamma(gamma)),
        np.sum(ws * d_delta) + total * (digamma(gamma + delta) - digamma(delta)),
    ])
    value = -ll / total + penalizer * np.sum(params**2)
    grad = -grad_ll / total + 2 * penalizer * params
    return value, grad * params  # chain rule: d/d log(theta) = theta * d/d theta


def fit_bgbb(x, t_x, n, weights=None, penalizer: float = 0.0, initial=None):
    """Maximum-likelihood BG/BB parameters; returns ``(params dict, total log-likelihood)``.

    ``weights`` counts the customers each row stands for (the donations data come as such
    counts). A fit that does not converge, or whose parameters run off towards 0 or infinity with
    the likelihood still improving, raises :class:`~tierkit.errors.ModelError` naming
    ``bgbb_penalizer``, as :func:`tierkit.clv.bgnbd.fit_bgnbd` does.

    Parameters
    ----------
    x, t_x, n : array-like of int
        Transactions, opportunity of the last one (0 without any), opportunities observed.
    weights : array-like, optional
        Customers per row (default 1 each).
    penalizer : float
        L2 penalty on the parameters, as in lifetimes.
    initial : sequence of float, optional
        Starting ``(alpha, beta, gamma, delta)``.

    Returns
    -------
    tuple of (dict, float)
        The parameters by name, and the log-likelihood.

    Examples
    --------
    The donations data of Fader, Hardie & Shang (2010), 11,104 donors over six fund drives:

    >>> from lifetimes.datasets import load_donations
    >>> d = load_donations()
    >>> params, ll = fit_bgbb(d["frequency"], d["recency"], d["periods"], d["weights"])
    >>> {k: round(v, 3) for k, v in params.items()}, round(ll, 1)
    ({'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}, -33225.6)
    """
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    n = np.asarray(n, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    start = np.log(initial) if initial is not None else np.full(4, 0.1)
    params = fit_log_params(_objective, start, (_Data(x, t_x, n, w), penalizer), model="BG/BB",
                            penalizer="bgbb_penalizer", scaled=PARAMS)
    fitted = dict(zip(PARAMS, (float(p) for p in params), strict=True))
    return fitted, float(w @ log_likelihood(params, x, t_x, n))


def p_alive(params, x, t_x, n, m=0) -> np.ndarray:
    """Probability that each customer is alive at opportunity ``n + m`` (FHS 2010, eq. 11 for ``m = 1``).

    ``B(alpha+x, beta+n-x)/B(alpha, beta) B(gamma, delta+n+m)/B(gamma, delta) / L``. The default
    ``m = 0``, alive at the last opportunity observed, is the counterpart of BG/NBD's P(alive at
    T); FHS's Table 6 ("P(alive in 2002)") is ``m = 1``, as is lifetimes' usual call.

    Parameters
    ----------
    params : sequence of float
        ``(alpha, beta, gamma, delta)``.
    x, t_x, n : array-like of int
        Transactions, opportunity of the last one (0 without any), opportunities observed.
    m : int or array-like of int
        Opportunities after ``n``.

    Returns
    -------
    numpy.ndarray
        ``P(alive at n + m)``.

    Examples
    --------
    FHS 2010, Table 6: donors who gave in none, 2 of 4, and all 6 drives since 1995.

    >>> p_alive((1.204, 0.750, 0.657, 2.783), [0, 2, 6], [0, 4, 6], [6, 6, 6], m=1).round(2)
    array([0.11, 0.59, 0.93])
    """
    alpha, beta, gamma, delta = params
    x, t_x, n = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x, t_x, n))
    m = np.asarray(m, dtype="float64")
    log_alive = (betaln(alpha + x, beta + n - x) - betaln(alpha, beta) + betaln(gamma, delta + n + m)
                 - betaln(gamma, delta))
    return np.exp(log_alive - log_likelihood(params, x, t_x, n))


def expected_purchases(params, t, x, t_x, n) -> np.ndarray:
    """Expected transactions in the next ``t`` opportunities, given each customer's history (FHS 2010, eq. 13).

    ``1/L B(alpha+x+1, beta+n-x)/B(alpha, beta) delta/(gamma-1) G(gamma+delta)/G(1+delta)
    [G(1+delta+n)/G(gamma+delta+n) - G(1+delta+n+t)/G(gamma+delta+n+t)]``, computed in logs; the
    factor ``delta/(gamma-1) [...]`` is positive on both sides of ``gamma = 1``.

    Parameters
    ----------
    params : sequence of float
        ``(alpha, beta, gamma, delta)``.
    t : int or array-like
        Future opportunities.
    x, t_x, n : array-like of int
        Transactions, opportunity of the last one (0 without any), opportunities observed.

    Returns
    -------
    numpy.ndarray
        ``E[X(n, n+t) | x, t_x, n]``.

    Examples
    --------
    >>> expected_purchases((1.204, 0.750, 0.657, 2.783), 5, [0, 6], [0, 6], [6, 6]).round(2)
    array([0.07, 3.75])
    """
    alpha, beta, gamma, delta = params
    x, t_x, n = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x, t_x, n))
    t = np.asarray(t, dtype="float64")
    head = betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - log_likelihood(params, x, t_x, n)
    return np.exp(head) * _survival_sum(gamma, delta, n, t)


def _survival_sum(gamma, delta, n, t):
    """``sum_{j=n+1}^{n+t} E[(1-theta)^j]`` = ``delta/(gamma-1) G(gamma+delta)/G(1+delta) [R(n) - R(n+t)]``.

    ``R(m) = G(1+delta+m) / G(gamma+delta+m)``; the difference is taken as ``R(n) (1 - R(n+t)/R(n))``.
    """
    log_r_n = gammaln(1 + delta + n) - gammaln(gamma + delta + n)
    log_ratio = gammaln(1 + delta + n + t) - gammaln(gamma + delta + n + t) - log_r_n
    front = np.log(delta) + gammaln(gamma + delta) - gammaln(1 + delta) + log_r_n
    # delta/(gamma-1) (1 - e^log_ratio) = delta (-expm1(log_ratio)) / (gamma - 1): both factors change sign at 1
    return np.exp(front) * (-np.expm1(log_ratio) / (gamma - 1))


def expected_number_of_purchases_up_to_time(params, t) -> np.ndarray:
    """Expected transactions in the first ``t`` opportunities of a customer drawn from the population (FHS 2010, eq. 8).

    ``alpha/(alpha+beta) delta/(gamma-1) [1 - G(gamma+delta)/G(gamma+delta+t) G(1+delta+t)/G(1+delta)]``.

    Parameters
    ----------
    params : sequence of float
        ``(alpha, beta, gamma, delta)``.
    t : int or array-like
        Opportunities.

    Returns
    -------
    numpy.ndarray
        ``E[X(t)]``.

    Examples
    --------
    >>> expected_number_of_purchases_up_to_time((1.204, 0.750, 0.657, 2.783), [1, 6]).round(3)
    array([0.498, 2.22 ])
    """
    alpha, beta, gamma, delta = params
    t = np.asarray(t, dtype="float64")
    return alpha / (alpha + beta) * _survival_sum(gamma, delta, 0.0, t)


def probability_of_n_purchases_up_to_time(params, t, n) -> np.ndarray:
    """Probability of exactly ``n`` transactions in the first ``t`` opportunities (FHS 2010, eq. 7).

    ``C(t, n) B(alpha+n, beta+t-n)/B(alpha, beta) B(gamma, delta+t)/B(gamma, delta)
    + sum_{i=n}^{t-1} C(i, n) B(alpha+n, beta+i-n)/B(alpha, beta) B(gamma+1, delta+i)/B(gamma, delta)``.

    Parameters
    ----------
    params : sequence of float
        ``(alpha, beta, gamma, delta)``.
    t : int or array-like
        Opportunities.
    n : int or array-like
        Number of transactions (broadcast against ``t``); 0 beyond ``t``.

    Returns
    -------
    numpy.ndarray
        ``P(X(t) = n)``.

    Examples
    --------
    FHS 2010 expect 3,454.9 of the 11,104 donors to give in none of the six drives (at the
    unrounded estimates):

    >>> round(float(probability_of_n_purchases_up_to_time((1.204, 0.750, 0.657, 2.783), 6, 0)) * 11104)
    3456
    """
    alpha, beta, gamma, delta = params
    t, n = np.broadcast_arrays(np.asarray(t, dtype="float64"), np.asarray(n, dtype="float64"))
    shape = t.shape
    t, n = t.reshape(-1), n.reshape(-1)
    base = -betaln(alpha, beta) - betaln(gamma, delta)
    possible = n <= t
    nn = np.where(possible, n, 0.0)

    def log_binom(m, j):
        return gammaln(m + 1) - gammaln(j + 1) - gammaln(m - j + 1)

    log_alive = log_binom(t, nn) + betaln(alpha + nn, beta + t - nn) + betaln(gamma, delta + t) + base
    i = np.arange(int(t.max()) if len(t) else 0)[None, :]
    died_exists = (i >= nn[:, None]) & (i < t[:, None])
    ii = np.where(died_exists, i, nn[:, None])
    log_died = (log_binom(ii, nn[:, None]) + betaln(alpha + nn[:, None], beta + ii - nn[:, None])
                + betaln(gamma + 1, delta + ii) + base)
    log_died = np.where(died_exists, log_died, -np.inf)
    total = np.exp(_logsumexp(np.column_stack([log_alive, log_died]), axis=1))
    return np.where(possible, total, 0.0).reshape(shape)
