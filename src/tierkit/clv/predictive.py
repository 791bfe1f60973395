"""Predictive intervals of purchases and CLV: what one customer may actually buy, by simulation.

The intervals of ``CLVModel.predict(X, interval=...)`` (:mod:`tierkit.clv.uncertainty`) are
for the model's *expectation* for a customer and carry parameter uncertainty only. A customer's
own purchases vary far more: they may have dropped out already, buy by chance more or less
often than their rate, and spend more or less per purchase. The functions here draw from the
*posterior predictive* distribution of each customer's future given the history
``(x, t_x, T)``, with the parameters taken as known, by Monte-Carlo.

Purchases
---------
For each distinct ``(x, t_x, T)`` row (:func:`tierkit.clv.bgnbd.distinct_rows`; customers
sharing a row share its draws) and each draw:

1. alive at ``T`` with the model's ``p_alive`` (the posterior weight of the likelihood's
   "alive" branch); a customer who is not buys nothing more;
2. given alive, ``lambda ~ Gamma(r + x, rate alpha + T)``, and

   * BG/NBD: ``p ~ Beta(a, b + x)`` -- the "alive" branch of the likelihood carries
     ``(1 - p)^x``, one survival per repeat purchase;
   * MBG/NBD: ``p ~ Beta(a, b + x + 1)`` -- a dropout is possible at time 0 as well, so the
     "alive" branch carries ``(1 - p)^(x + 1)`` (``ln B(a, b+x+1)`` in
     :mod:`tierkit.clv.mbgnbd`'s likelihood);
   * Pareto/NBD: ``mu ~ Gamma(s, rate beta + T)``, and a remaining lifetime ``Exp(mu)`` from
     ``T`` (memoryless);

3. purchases come at Poisson rate ``lambda``; under (M)BG/NBD the customer drops out after each
   with probability ``p``, so at most ``K ~ Geometric(p)`` (on 1, 2, ...) more are made, and
   under Pareto/NBD only those within the lifetime count.

The count up to each of the times ``ends`` (durations after ``T``) is exact: the total over the
horizon is one Poisson draw (over the part of the horizon within the lifetime for Pareto/NBD);
given it, the purchase times are uniform over that span, so each purchase is placed in its step
by one uniform draw (a draw with more than :data:`MAX_SCATTER` purchases is split between the
steps by binomial draws instead); the cumulative counts are then cut at ``K``, which keeps the
first ``K`` purchases in time.
Everything is vectorised over draws, one distinct customer history at a time in
:func:`predictive_intervals` (in chunks of rows of a fixed size, :data:`CHUNK_VALUES`, in
:func:`simulate_purchases`), so memory does not grow with the number of customers. In
:func:`predictive_intervals` each distinct history draws from its own generator, keyed by the
seed and the history's values: a customer's draws never depend on which other customers are
scored in the same call (the local scorer's chunks, Spark's batches), so the same history and
seed give the same interval bit for bit, on any machine with the same NumPy. (One shared
generator made 4,317 of Online Retail's 4,339 ``clv_predictive_high`` differ, by up to 34 %,
between the local and Spark engines.) This costs about 50 % more CPU than drawing for all the
rows at once (full CDNOW, 11,104 distinct histories: 8.0 s to 12.3 s).

Spend and CLV
-------------
Gamma-Gamma (:mod:`tierkit.clv.gamma_gamma`): given ``x`` repeat purchases of mean value ``m``
the customer's ``nu ~ Gamma(q + p x, rate v + x m)`` (the prior ``Gamma(q, v)`` for ``x = 0``;
a repeat customer whose ``m`` is 0 or less counts with ``m = 0``, as ``CLVModel`` does), and the
``k`` purchases of a draw are worth ``Gamma(k p, rate nu)`` together. One ``nu`` is drawn per
customer and draw, so the customer's unknown spend level is shared by their purchases.

A draw's CLV mirrors the formula of :mod:`tierkit.clv.model`: ``margin * S * sum_j d_j k_j /
M``, with ``k_j`` the purchases in step ``j`` (ending at ``ends[j]``), ``d_j`` its discount
factor, ``M = sum_j k_j`` and ``S`` their total value -- each purchase counted at the average
value of the draw's purchases. Its mean is exactly the model's ``clv``
(``margin * E[spend] * sum_j d_j (E(t_j) - E(t_{j-1}))``). Drawing each step's value on its
own instead would multiply the variance of a draw's value given ``nu`` and the counts by ``1 +
var(d) / mean(d)^2`` over its purchases, at most ``1 + ((d_max - d_min) / 2 / d_mean)^2``: its
standard deviation would grow by 0.1 % at most for a year at 10 %, whose discount factors go
from 0.992 to 0.909. That saves one Gamma draw per step.

The parameters are taken as known: their own uncertainty (:mod:`tierkit.clv.uncertainty`) is
not in these intervals; on a few thousand customers it is small beside a customer's own
randomness.

Intervals
---------
:func:`predictive_intervals` gives, per customer, the predictive mean and interval of the
purchases within the horizon and of the discounted CLV; :func:`simulate_purchases` and
:func:`simulate_spend` give the draws themselves, :func:`randomized_pit` checks them against
realised values.

The interval at ``level`` is ``[q_low, q_high]``, *inclusive*, with ``q_low`` the
``(1 - level) / 2`` and ``q_high`` the ``(1 + level) / 2`` quantile of the draws, each the
smallest draw whose empirical CDF reaches that probability (``numpy.quantile(...,
method="inverted_cdf")``). Purchases are counts, and CLV is 0 with positive probability, so
ties are common: the interval holds *at least* ``level`` of the predictive distribution -- a
customer with 0 purchases in 97 % of the draws gets ``[0, 0]``, which covers 97 %. Calibration
is therefore judged by the randomised probability integral transform
(:func:`randomized_pit`), which is uniform on (0, 1) for a correct model, counts or not: the
share of PIT values in ``[(1 - level) / 2, (1 + level) / 2]`` is ``level`` in expectation.

Monte-Carlo error: with ``n`` draws (default :data:`N_DRAWS` = 2000) each end of the interval is
read at a true probability level within ``sqrt(0.05 * 0.95 / n)`` = 0.0049 (one standard error)
of 0.05 or 0.95 -- a customer's 90 % interval holds 0.90 +- 0.007 of the true distribution;
over many customers these errors largely cancel (customers sharing a row share them). For
counts the quantile is exact unless the true CDF at a count lies within about 0.01 of 0.05 or
0.95. The predictive means carry a standard error of ``sd / sqrt(n)``, 2.2 % of a customer's
predictive standard deviation.

Cost (one core, 2000 draws, 12 steps, measured on CDNOW-like customers simulated at daily grain):
100,000 customers take 24-32 s of CPU (31,000-44,000 distinct rows; the time grows with the
distinct rows and the customers with a repeat purchase), a million about 150 s. The draws are
held one chunk at a time, so memory does not grow with the customers beyond the inputs and the
output: the 100,000-customer run peaked at 140 MB of arrays, the million-customer process at
550 MB, simulation of the customers included. Halving ``n_draws`` halves the time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tierkit.clv.bgnbd import distinct_rows
from tierkit.clv.family import MODELS
from tierkit.clv.gamma_gamma import PARAMS as GG_PARAMS

#: Draws per customer by default; see the module docs for the Monte-Carlo error.
N_DRAWS = 2000
#: Values (rows x draws) per array in one chunk: bounds the memory (a few dozen such arrays,
#: ~4 MB each, at once) whatever the number of customers.
CHUNK_VALUES = 2**19
#: Entries with more purchases due than this are split between the steps by binomial draws
#: rather than by placing each purchase.
MAX_SCATTER = 256


@dataclass
class _Draws:
    """Purchase draws of a chunk of rows: totals, and the cumulative counts where any.

    ``total`` is ``(rows, draws)``; ``where`` the flat indices (into ``total``) of the draws with
    at least one purchase, ``cumulative`` their ``(len(where), len(ends))`` counts up to each end.
    """

    total: np.ndarray
    where: np.ndarray
    cumulative: np.ndarray

    def per_end(self) -> np.ndarray:
        """The cumulative counts of every draw, ``(rows, draws, ends)``."""
        out = np.zeros((self.total.size, self.cumulative.shape[1]), dtype=np.int64)
        out[self.where] = self.cumulative
        return out.reshape(*self.total.shape, -1)

    def discounted(self, discount: np.ndarray) -> np.ndarray:
        """``sum_j d_j k_j`` per draw, with ``k_j`` the purchases in step ``j``."""
        out = np.zeros(self.total.size)
        # sum_j d_j (C_j - C_{j-1}) = sum_j C_j (d_j - d_{j+1}), d_{J+1} = 0: no differences of the counts
        out[self.where] = self.cumulative @ (discount - np.append(discount[1:], 0.0))
        return out.reshape(self.total.shape)


def _purchase_params(model: str, params) -> tuple:
    """The parameter tuple of ``model`` from a dict by name or a sequence in its order."""
    if model not in MODELS:
        raise ValueError(f"model={model!r}; expected one of {', '.join(repr(m) for m in MODELS)}")
    values = MODELS[model].values(params) if isinstance(params, Mapping) else tuple(params)
    return _positive(values, MODELS[model].params, model)


def _spend_params(gg_params) -> tuple:
    """``(p, q, v)`` from a dict by name or a sequence."""
    values = tuple(gg_params[k] for k in GG_PARAMS) if isinstance(gg_params, Mapping) else tuple(gg_params)
    return _positive(values, GG_PARAMS, "gamma_gamma")


def _positive(values, names, model) -> tuple:
    values = tuple(float(v) for v in values)
    if len(values) != len(names) or not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{model} parameters {values!r}; expected {len(names)} positive numbers {names}")
    return values


def _check_ends(ends) -> np.ndarray:
    """``ends`` as a 1-d float array of increasing positive durations."""
    ends = np.atleast_1d(np.asarray(ends, dtype="float64"))
    if ends.ndim != 1 or len(ends) == 0 or not np.all(np.isfinite(ends)) or ends[0] <= 0 \
            or np.any(np.diff(ends) <= 0):
        raise ValueError(f"ends={ends!r}; expected increasing durations > 0 after the observation end")
    return ends


def _check_draws(n_draws) -> int:
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ValueError(f"n_draws={n_draws!r}; expected a whole number >= 1")
    return int(n_draws)


def _columns(*columns) -> list[np.ndarray]:
    """The columns as 1-d float arrays of one length."""
    arrays = [np.atleast_1d(np.asarray(c, dtype="float64")).reshape(-1) for c in columns]
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(f"columns of lengths {[len(a) for a in arrays]}; expected one value per customer in each")
    return arrays


def order_positions(n_draws: int, level: float) -> tuple[int, int]:
    """0-based positions, among ``n_draws`` sorted draws, of the ends of a central interval at ``level``.

    Each end is the smallest draw whose empirical CDF reaches ``(1 -+ level) / 2``
    (``numpy.quantile(..., method="inverted_cdf")``).

    Parameters
    ----------
    n_draws : int
        Number of draws.
    level : float
        Coverage, strictly between 0 and 1.

    Returns
    -------
    tuple of (int, int)
        Positions of the lower and upper end.

    Examples
    --------
    >>> order_positions(2000, 0.9)
    (99, 1899)
    """
    if isinstance(level, bool) or not isinstance(level, (int, float, np.number)) or not 0 < level < 1:
        raise ValueError(f"level={level!r}; expected a coverage strictly between 0 and 1, e.g. 0.9")
    tail = (1.0 - float(level)) / 2.0
    low = max(math.ceil(n_draws * tail - 1e-9) - 1, 0)
    high = min(math.ceil(n_draws * (1.0 - tail) - 1e-9) - 1, n_draws - 1)
    return low, high


def _split(rng, counts: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """``counts`` Poisson points split between steps of the given exposure: successive binomials.

    ``exposure`` is ``(len(counts), steps)``; returns the counts per step.
    """
    after = np.cumsum(exposure[:, ::-1], axis=1)[:, ::-1]  # exposure of step j and the later ones
    out = np.empty(exposure.shape, dtype=np.int64)
    remaining = counts.astype(np.int64)
    for j in range(exposure.shape[1] - 1):
        share = np.divide(exposure[:, j], after[:, j], out=np.zeros(len(counts)), where=after[:, j] > 0)
        out[:, j] = rng.binomial(remaining, np.clip(share, 0.0, 1.0))
        remaining = remaining - out[:, j]
    out[:, -1] = remaining
    return out


def _scatter(rng, counts: np.ndarray, span: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``counts`` Poisson points, uniform on ``(0, span)`` each, counted per step ending at ``ends``."""
    out = np.empty((len(counts), len(ends)), dtype=np.int64)
    cumulative = np.cumsum(counts)
    # blocks of at most CHUNK_VALUES points (a block holds one entry at least)
    bounds = np.unique(np.searchsorted(cumulative, np.arange(0, cumulative[-1], CHUNK_VALUES), side="right"))
    for start, stop in zip(bounds, [*bounds[1:], len(counts)], strict=True):
        n = counts[start:stop]
        owner = np.repeat(np.arange(len(n)), n)
        scale = span[start:stop]
        unit = rng.random(len(owner))
        times = unit * scale[0] if np.all(scale == scale[0]) else unit * scale[owner]
        step = _step_of(times, ends)
        out[start:stop] = np.bincount(owner * len(ends) + step, minlength=len(n) * len(ends)).reshape(len(n), -1)
    return out


def _step_of(times: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Step of each time in ``[0, ends[-1])``: ``j`` for ``ends[j-1] <= time < ends[j]``.

    Equal steps (as ``CLVModel`` makes) by division, others by binary search; a time on an end
    has probability 0.
    """
    width = ends[0]
    if np.allclose(np.diff(ends, prepend=0.0), width, rtol=1e-12, atol=0.0):
        return np.minimum((times / width).astype(np.int64), len(ends) - 1)
    return np.minimum(np.searchsorted(ends, times, side="right"), len(ends) - 1)  # u * span may round to span


def _steps(rng, counts: np.ndarray, span: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Purchases per step of ``counts`` Poisson points on ``(0, span)``: ``(len(counts), len(ends))``.

    Points are placed uniformly (cost: one draw per point), except for entries with more than
    :data:`MAX_SCATTER` points, which are split between the steps by binomial draws (one per step).
    """
    if len(counts) == 0:  # no draw has a purchase due: (0, len(ends)), not (0, 1)
        return np.zeros((0, len(ends)), dtype=np.int64)
    if len(ends) == 1:
        return counts[:, None].astype(np.int64)
    out = np.empty((len(counts), len(ends)), dtype=np.int64)
    big = counts > MAX_SCATTER
    if big.any():
        lived = np.minimum(ends[None, :], span[big, None])
        out[big] = _split(rng, counts[big], np.diff(lived, axis=1, prepend=0.0))
    small = ~big
    if small.any():
        out[small] = _scatter(rng, counts[small], span[small], ends)
    return out


def _dropout_cap(rng, model: str, params: tuple, x: np.ndarray) -> np.ndarray:
    """(M)BG/NBD: purchases left before the dropout, ``Geometric(p)`` with ``p`` from its posterior."""
    a, b = params[2], params[3]
    shift = 1.0 if model == "mbgnbd" else 0.0  # MBG/NBD's alive branch survived x + 1 chances to drop out
    p = rng.beta(a, b + x + shift)
    with np.errstate(divide="ignore", over="ignore"):
        # inversion of the geometric law from an exponential draw; p = 0 gives no cap, p = 1 a cap of 1
        return np.floor(rng.standard_exponential(len(x)) / np.maximum(-np.log1p(-p), np.finfo(float).tiny)) + 1.0


def _draw_rows(rng, model: str, params: tuple, alive: np.ndarray, x, T, ends: np.ndarray, n_draws: int) -> _Draws:
    """Purchase draws for a chunk of distinct rows (``alive`` = their ``p_alive``); see the module docs.

    Draws that cannot matter are not made: rates only for draws alive at ``T``, the dropout
    probability only for draws with a purchase due.
    """
    on = np.flatnonzero(rng.random(len(x) * n_draws) < np.repeat(alive, n_draws))  # alive draws, flat
    row = on // n_draws
    rate = rng.standard_gamma(params[0] + x[row]) / (params[1] + T[row])
    if model == "pareto_nbd":  # remaining lifetime Exp(mu), mu ~ Gamma(s, beta + T)
        with np.errstate(divide="ignore"):
            life = rng.standard_exponential(len(on)) / (rng.standard_gamma(params[2], len(on)) / (params[3] + T[row]))
        span = np.minimum(life, ends[-1])
    else:
        span = np.full(len(on), ends[-1])
    counts = rng.poisson(rate * span)
    due = counts > 0
    where, counts, span = on[due], counts[due], span[due]
    cumulative = np.cumsum(_steps(rng, counts, span, ends), axis=1)
    if model != "pareto_nbd":
        cap = np.minimum(_dropout_cap(rng, model, params, x[where // n_draws]), counts).astype(np.int64)
        cumulative = np.minimum(cumulative, cap[:, None])
    total = np.zeros(len(x) * n_draws, dtype=np.int64)
    total[where] = cumulative[:, -1]
    return _Draws(total.reshape(len(x), n_draws), where, cumulative)


def _chunks(n: int, size: int):
    """``(start, stop)`` of consecutive chunks of ``size`` over ``range(n)``."""
    return ((start, min(start + size, n)) for start in range(0, n, size))


def _rows_per_chunk(n_draws: int, n_ends: int) -> int:
    """Distinct rows per chunk: at most :data:`CHUNK_VALUES` draws, and 8 times that in per-step counts."""
    return max(1, min(CHUNK_VALUES // n_draws, 8 * CHUNK_VALUES // (n_draws * n_ends)))


def simulate_purchases(model: str, params, x, t_x, T, ends, n_draws: int = N_DRAWS, seed=0) -> np.ndarray:
    """Monte-Carlo draws of each customer's cumulative purchases up to each of ``ends`` after ``T``.

    The draws are from the posterior predictive distribution given each customer's history
    (module docs), made once per distinct ``(x, t_x, T)`` row: customers sharing a row share
    its draws.

    Parameters
    ----------
    model : {"bgnbd", "mbgnbd", "pareto_nbd"}
        The purchase model.
    params : dict or sequence of float
        Its parameters, by name or in the module's ``PARAMS`` order: ``(r, alpha, a, b)``
        (BG/NBD, MBG/NBD) or ``(r, alpha, s, beta)`` (Pareto/NBD), time in the unit of ``T``.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.
    ends : float or array-like
        Increasing durations after ``T`` (``t_k`` of the discounting steps, the last one the
        horizon), in the unit of ``T``.
    n_draws : int, default=2000
        Draws per customer.
    seed : int or numpy.random.SeedSequence, default=0
        Seed of ``numpy.random.default_rng``; the same seed gives the same draws.

    Returns
    -------
    numpy.ndarray
        ``(customers, n_draws, len(ends))`` integer counts: purchases in ``(T, T + ends[j]]``.
        It holds ``8 * customers * n_draws * len(ends)`` bytes: for many customers use
        :func:`predictive_intervals`, which keeps only summaries.

    Examples
    --------
    Customer 00004 of the CDNOW sample (x = 2, t_x = 30.43, T = 38.86 weeks), BG/NBD; the
    model expects 1.226 purchases in the next 39 weeks:

    >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> counts = simulate_purchases("bgnbd", params, [2.], [30.43], [38.86], ends=[13., 26., 39.], seed=1)
    >>> counts.shape
    (1, 2000, 3)
    >>> bool(abs(counts[0, :, -1].mean() - 1.226) < 0.15)
    True
    >>> bool(np.all(np.diff(counts, axis=2) >= 0))  # cumulative
    True
    """
    values = _purchase_params(model, params)
    x, t_x, T = _columns(x, t_x, T)
    ends = _check_ends(ends)
    n_draws = _check_draws(n_draws)
    rows, _, inverse = distinct_rows(x, t_x, T)
    alive = MODELS[model].module.p_alive(values, rows[:, 0], rows[:, 1], rows[:, 2])
    rng = np.random.default_rng(seed)
    out = np.empty((len(rows), n_draws, len(ends)), dtype=np.int64)
    for start, stop in _chunks(len(rows), _rows_per_chunk(n_draws, len(ends))):
        chunk = rows[start:stop]
        draws = _draw_rows(rng, model, values, alive[start:stop], chunk[:, 0], chunk[:, 2], ends, n_draws)
        out[start:stop] = draws.per_end()
    return out[inverse]


def _spend_draws(rng, gg: tuple, x: np.ndarray, m: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Total value of ``counts`` purchases per customer and draw, ``(customers, draws)``.

    One ``nu ~ Gamma(q + p x, rate v + x m)`` per customer and draw, made only where there are
    purchases to value.
    """
    p, q, v = gg
    m = np.where(x > 0, np.maximum(m, 0.0), 0.0)
    where = np.flatnonzero(counts)
    row = where // counts.shape[1]
    nu = rng.standard_gamma(q + p * x[row]) / (v + x[row] * m[row])
    out = np.zeros(counts.shape)
    out.reshape(-1)[where] = rng.standard_gamma(counts.reshape(-1)[where] * p) / nu
    return out


def simulate_spend(gg_params, x, m, counts, seed=0) -> np.ndarray:
    """Monte-Carlo draws of the total value of future purchases per customer, from the Gamma-Gamma posterior.

    Per customer and draw ``nu ~ Gamma(q + p x, rate v + x m)`` (the prior ``Gamma(q, v)`` for
    ``x = 0``; ``m`` <= 0 counts as 0 for a repeat customer), and ``k`` purchases are worth
    ``Gamma(k p, rate nu)`` together.

    Parameters
    ----------
    gg_params : dict or sequence of float
        ``p``, ``q``, ``v`` (:func:`tierkit.clv.gamma_gamma.fit_gamma_gamma`).
    x, m : array-like
        Repeat purchases and their mean value, per customer.
    counts : array-like
        ``(customers, draws)`` numbers of purchases (e.g. ``simulate_purchases(...)[:, :, -1]``).
    seed : int or numpy.random.SeedSequence, default=0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    numpy.ndarray
        ``(customers, draws)`` spend; 0 where ``counts`` is 0.

    Examples
    --------
    Three purchases of a customer with two repeat purchases of mean 22.35: expected
    3 * 24.66 (:func:`tierkit.clv.gamma_gamma.expected_spend`):

    >>> spend = simulate_spend((6.25, 3.74, 15.44), [2.], [22.35], np.full((1, 20000), 3), seed=1)
    >>> bool(abs(spend.mean() / (3 * 24.66) - 1) < 0.02)
    True
    """
    gg = _spend_params(gg_params)
    x, m = _columns(x, m)
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != len(x) or np.any(counts < 0):
        raise ValueError(f"counts of shape {counts.shape}; expected ({len(x)}, draws) numbers >= 0")
    return _spend_draws(np.random.default_rng(seed), gg, x, m, counts)


def _summary(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """``(rows, 3)``: mean, and the values at sorted positions ``low`` and ``high``, of each row's draws."""
    ordered = np.partition(values, [low, high], axis=1)
    return np.column_stack([values.mean(axis=1), ordered[:, low], ordered[:, high]])


def predictive_intervals(model: str, params, gg_params, x, t_x, T, m, ends, discount=None, margin: float = 1.0,
                         level: float = 0.9, n_draws: int = N_DRAWS, seed=0) -> pd.DataFrame:
    """Predictive means and intervals of each customer's purchases and discounted CLV over the horizon.

    Purchases within the horizon ``ends[-1]`` and CLV, ``margin`` times the value of the
    purchases in each step (ending at ``ends[j]``) times the step's discount factor, drawn from
    the posterior predictive distribution (module docs). Work and memory are per chunk of
    distinct rows: a million customers need no more memory than a thousand.

    Parameters
    ----------
    model : {"bgnbd", "mbgnbd", "pareto_nbd"}
        The purchase model.
    params : dict or sequence of float
        Its parameters (see :func:`simulate_purchases`).
    gg_params : dict or sequence of float
        Gamma-Gamma ``p``, ``q``, ``v``.
    x, t_x, T, m : array-like
        Repeat purchases, age at the last purchase, age at the end of observation, mean value of
        the repeat purchases (ignored where ``x = 0``), per customer.
    ends : float or array-like
        Increasing ends of the discounting steps, durations after ``T``; the last is the horizon.
    discount : array-like, optional
        Discount factor of each step's purchases (``CLVModel``: ``(1 + d) ** (-days(t_k) /
        365.25)``); default 1 (none).
    margin : float, default=1.0
        Share of spend that is profit.
    level : float, default=0.9
        Coverage of the intervals.
    n_draws : int, default=2000
        Draws per customer; see the module docs for the Monte-Carlo error.
    seed : int or numpy.random.SeedSequence, default=0
        Seed of ``numpy.random.default_rng``; the same inputs and seed give the same output.

    Returns
    -------
    pandas.DataFrame
        One row per customer, in input order (a ``RangeIndex``): ``purchases_mean``,
        ``purchases_low``, ``purchases_high`` (purchases in ``(T, T + ends[-1]]``) and
        ``clv_mean``, ``clv_low``, ``clv_high``. The interval is ``[low, high]`` inclusive, each
        end the inverted-CDF quantile of the draws, so it holds at least ``level`` of the
        predictive distribution (more where ties at the ends are common, as with counts).

    Examples
    --------
    Customer 00004 of the CDNOW sample under BG/NBD, 52 weeks in 12 steps at 10 % a year:
    the model's CLV is 36.64, but the customer may well buy nothing -- or three times as much:

    >>> ends = 52 * np.arange(1, 13) / 12
    >>> discount = 1.1 ** (-ends * 7 / 365.25)
    >>> out = predictive_intervals("bgnbd", (0.243, 4.414, 0.793, 2.426), (6.25, 3.74, 15.44),
    ...                            [2.], [30.43], [38.86], [22.35], ends, discount, seed=1)
    >>> list(out.columns)
    ['purchases_mean', 'purchases_low', 'purchases_high', 'clv_mean', 'clv_low', 'clv_high']
    >>> row = out.iloc[0]
    >>> float(row["purchases_low"]), float(row["clv_low"]), bool(row["clv_high"] > 3 * 36.6)
    (0.0, 0.0, True)
    >>> bool(abs(row["clv_mean"] / 36.64 - 1) < 0.1)
    True
    """
    values = _purchase_params(model, params)
    gg = _spend_params(gg_params)
    x, t_x, T, m = _columns(x, t_x, T, m)
    ends = _check_ends(ends)
    discount = np.ones(len(ends)) if discount is None else np.atleast_1d(np.asarray(discount, dtype="float64"))
    if discount.shape != ends.shape or not np.all(np.isfinite(discount)) or np.any(discount < 0):
        raise ValueError(f"discount={discount!r}; expected {len(ends)} factors >= 0, one per end")
    if not (isinstance(margin, (int, float, np.number)) and math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin={margin!r}; expected a number >= 0")
    n_draws = _check_draws(n_draws)
    low, high = order_positions(n_draws, level)
    rows, _, inverse = distinct_rows(x, t_x, T)
    # spend rows: (purchase row, m), sorted by purchase row, so each chunk of rows owns a contiguous block
    spend_rows, _, spend_inverse = distinct_rows(inverse.astype("float64"), np.where(x > 0, np.maximum(m, 0.0), 0.0))
    owner = spend_rows[:, 0].astype(np.int64)
    alive = MODELS[model].module.p_alive(values, rows[:, 0], rows[:, 1], rows[:, 2])
    base = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)

    def stream(tag, *values):  # a generator per row, keyed by the row's values: the other rows cannot change it
        key = [int(b) for b in np.asarray(values, dtype="float64").view(np.uint64)]
        return np.random.default_rng(np.random.SeedSequence(base.entropy, spawn_key=(*base.spawn_key, tag, *key)))

    purchases = np.empty((len(rows), 3))
    clv = np.empty((len(spend_rows), 3))
    bounds = np.searchsorted(owner, np.arange(len(rows) + 1))
    for i in range(len(rows)):
        row = rows[i:i + 1]
        draws = _draw_rows(stream(0, *row[0]), model, values, alive[i:i + 1], row[:, 0], row[:, 2], ends, n_draws)
        purchases[i] = _summary(draws.total, low, high)[0]
        discounted = draws.discounted(discount)
        counts = draws.total
        for j in range(bounds[i], bounds[i + 1]):
            value = _spend_draws(stream(1, *row[0], spend_rows[j, 1]), gg, row[:, 0], spend_rows[j:j + 1, 1], counts)
            per_purchase = np.divide(value, counts, out=np.zeros(counts.shape), where=counts > 0)
            clv[j] = _summary(margin * per_purchase * discounted, low, high)[0]
    names = ("mean", "low", "high")
    out = {f"purchases_{k}": purchases[inverse, i] for i, k in enumerate(names)}
    out.update({f"clv_{k}": clv[spend_inverse, i] for i, k in enumerate(names)})
    return pd.DataFrame(out)


def randomized_pit(draws, observed, seed=0) -> np.ndarray:
    """Randomised probability integral transform of each observed value among its predictive draws.

    ``(below + U (ties + 1)) / (n + 1)`` with ``below`` and ``ties`` the draws less than and
    equal to the observed value, ``n`` the draws and ``U`` uniform on (0, 1): the observation's
    rank among itself and the draws, ties broken at random. When the observation comes from the
    same distribution as the draws it is uniform on (0, 1) exactly, for counts too, so the share
    of customers with a PIT in ``[(1 - level) / 2, (1 + level) / 2]`` measures the calibration
    of central intervals at ``level``.

    Parameters
    ----------
    draws : array-like
        ``(customers, n)`` predictive draws.
    observed : array-like
        ``(customers,)`` realised values.
    seed : int or numpy.random.SeedSequence, default=0
        Seed of the tie-breaking uniforms.

    Returns
    -------
    numpy.ndarray
        PIT value per customer, in (0, 1).

    Examples
    --------
    Above all four draws, then tied with one of them and above two:

    >>> pit = randomized_pit([[0, 0, 1, 2], [0, 0, 1, 2]], [5, 1])
    >>> bool(0.8 < pit[0] < 1), bool(0.4 < pit[1] < 0.8)
    (True, True)
    """
    draws = np.asarray(draws, dtype="float64")
    observed = np.asarray(observed, dtype="float64").reshape(-1, 1)
    if draws.ndim != 2 or draws.shape[0] != len(observed):
        raise ValueError(f"draws of shape {draws.shape}; expected ({len(observed)}, n)")
    below = (draws < observed).sum(axis=1)
    ties = (draws == observed).sum(axis=1)
    u = np.random.default_rng(seed).random(len(observed))
    return (below + u * (ties + 1)) / (draws.shape[1] + 1)
