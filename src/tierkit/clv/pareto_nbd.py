"""The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), as implemented by Fader, Hardie & Lee (2005).

A customer buys at Poisson rate ``lambda`` ~ Gamma(r, alpha) while alive and dies at an
exponential time of rate ``mu`` ~ Gamma(s, beta), independent of the purchases. For ``x``
repeat purchases, the last at age ``t_x``, observed until age ``T``::

    L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s I ],
    I = int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du

(Fader & Hardie 2005, "A note on deriving the Pareto/NBD model", eq. 18: their ``A_0`` is
``(r+s+x) I``). With ``M = max(alpha, beta)`` the tail integral
``F(tau) = int_tau^inf ... du`` is ``(M+tau)^-(r+s+x) / (r+s+x) 2F1(r+s+x, b; r+s+x+1; z)``,
``z = |alpha-beta| / (M+tau)`` and ``b = r+x`` (alpha < beta) or ``s+1``, and ``I = F(t_x) - F(T)``.

Numerical stability
-------------------
For frequent buyers that 2F1 overflows (lifetimes computes it as it stands, and then
``log`` of a difference of two such values). Here Euler's transformation (Abramowitz & Stegun
15.3.3) gives ``2F1(a, b; a+1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z)``: the power goes to log
space, and the remaining series ``sum_k prod_{j<k} (a+1-b+j) / (a+1+j) z`` has positive terms,
each ratio below ``z < 1``, and a sum between 1 and ``1 / (1-z)``. It is summed directly, in
blocks, until the terms no longer count (scipy's ``hyp2f1`` returns nan for large ``a`` and ``z``
near 1, and loses digits before that); ``I`` is then ``F(t_x) (1 - F(T)/F(t_x))`` in logs.

Fitting
-------
As in :mod:`tierkit.clv.bgnbd`: distinct ``(x, t_x, T)`` rows with counts as weights, L-BFGS on
the log-parameters through :func:`~tierkit.clv._optimize.fit_log_params`, time scaled by
``1 / max(T)`` (``alpha`` and ``beta`` carry the time unit). The series, the costly part,
is summed once per distinct ``(x, t_x)`` and ``(x, T)`` pair, far fewer than the distinct
rows. The gradient is analytic throughout: the derivatives of ``ln I`` (those in ``r`` and
``s`` have no closed form in terms of 2F1) are summed term by term alongside each way of
computing ``I`` (the 2F1 series, the far-rate expansion, the quadrature), in one pass instead
of the eight further evaluations central differences took; they agree with high-order finite
differences to ~1e-9 relative, far below the tolerance of
:data:`~tierkit.clv._optimize.GRADIENT_TOLERANCE`.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.special import digamma, gammaln

from tierkit.clv._optimize import fit_time_scaled
from tierkit.clv.bgnbd import _nbd_log_pmf, distinct_rows

PARAMS = ("r", "alpha", "s", "beta")

#: Terms of the 2F1 series summed in the first block (each block doubles, up to _MAX_BLOCK), and
#: the most summed for any one value.
_BLOCK = 16
_MAX_BLOCK = 4096
_MAX_TERMS = 2**20


def _log_series(c_minus_b, c, z, grad: bool = False):
    """``ln 2F1(1, c-b; c; z)`` for ``0 <= z < 1`` and ``0 < c-b < c``, by direct summation.

    With ``grad``, also its derivatives in ``c-b``, ``c`` and ``z``: ``(value, d_cb, d_c, d_z)``.
    Term ``k`` is ``t_k = prod_{j<k} (c-b+j) / (c+j) z``, so ``d ln t_k = sum_{j<k} [d(c-b) / (c-b+j)
    - dc / (c+j)] + k dz / z``: the running sums ride along with the terms, and each derivative
    of the sum is a weighted sum of the same terms (whose tail the stopping rule below bounds too,
    up to the factor ``k`` or ``ln k``, far below the precision asked of a gradient).
    """
    c_minus_b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (c_minus_b, c, z)))
    shape = c.shape
    c_minus_b, c, z = c_minus_b.reshape(-1), c.reshape(-1), z.reshape(-1)
    total = np.ones(c.shape)
    last = np.ones(c.shape)  # the latest term
    if grad:  # sums of t_k A_k, t_k B_k, t_k k (A_k, B_k: the running sums of 1/(c-b+j), 1/(c+j))
        sum_a, sum_b, sum_k = np.zeros(c.shape), np.zeros(c.shape), np.zeros(c.shape)
        last_a, last_b = np.zeros(c.shape), np.zeros(c.shape)
    active = np.flatnonzero(z > 0)
    block, start = _BLOCK, 0
    while active.size and start < _MAX_TERMS:
        j = np.arange(block, dtype="float64")
        numerators, denominators = c_minus_b[active, None] + start + j, c[active, None] + start + j
        ratios = numerators / denominators * z[active, None]
        terms = last[active, None] * np.cumprod(ratios, axis=1)
        total[active] += terms.sum(axis=1)
        last[active] = terms[:, -1]
        if grad:
            running_a = np.cumsum(np.reciprocal(numerators, out=numerators), axis=1, out=numerators)
            running_a += last_a[active, None]
            running_b = np.cumsum(np.reciprocal(denominators, out=denominators), axis=1, out=denominators)
            running_b += last_b[active, None]
            sum_a[active] += np.einsum("ij,ij->i", terms, running_a)
            sum_b[active] += np.einsum("ij,ij->i", terms, running_b)
            sum_k[active] += terms @ (start + 1.0 + j)
            last_a[active], last_b[active] = running_a[:, -1], running_b[:, -1]
        # the rest is below last * z / (1 - z) (each ratio < z), and, the ratios being below
        # 1 - b / (c + j), below last * (c + j) / (b - 1) when b > 1: stop when that no longer counts
        b = c[active] - c_minus_b[active]
        with np.errstate(divide="ignore"):
            polynomial = np.where(b > 1, (c[active] + start + block) / (b - 1), np.inf)
        bound = np.minimum(z[active] / (1.0 - z[active]), polynomial)
        done = last[active] * bound <= 1e-17 * total[active]
        active = active[~done]
        start += block
        block = min(2 * block, _MAX_BLOCK)
    value = np.log(total).reshape(shape)
    if not grad:
        return value
    with np.errstate(divide="ignore", invalid="ignore"):
        # at z = 0 only the first term's slope is left: d ln S / dz = (c-b) / c
        d_z = np.where(z > 0, sum_k / (total * z), c_minus_b / c)
    return value, (sum_a / total).reshape(shape), (-sum_b / total).reshape(shape), d_z.reshape(shape)


def _log_tail(params, x, tau, grad: bool = False):
    """``ln F(tau)``, ``F(tau) = int_tau^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du``, stable for any x.

    With ``grad``, also its derivatives in the log-parameters, ``(value, array of shape (4, n))``.
    """
    r, alpha, s, beta = params
    big, small = max(alpha, beta), min(alpha, beta)
    a = r + s + x
    b = r + x if alpha < beta else np.full_like(a, s + 1.0)
    z = (big - small) / (big + tau)
    log_big = np.log(big + tau)
    log_rest = np.log1p(-z)
    if not grad:
        return -a * log_big - np.log(a) + (1.0 - b) * log_rest + _log_series(a + 1.0 - b, a + 1.0, z)
    log_s, d_cb, d_c, d_z = _log_series(a + 1.0 - b, a + 1.0, z, grad=True)
    value = -a * log_big - np.log(a) + (1.0 - b) * log_rest + log_s
    # in the rates of _split: b is k_near, a + 1 - b is k_far, small is near, big is far
    d_near = (1.0 - b) / (small + tau) - d_z / (big + tau)
    d_far = (-a - (1.0 - b)) / (big + tau) + d_z * (small + tau) / (big + tau) ** 2
    d_k_near = -log_big - 1.0 / a - log_rest + d_c
    d_k_far = -log_big - 1.0 / a + d_cb + d_c
    return value, _to_log_params(params, not alpha < beta, d_k_near, d_k_far, d_near, d_far)


def _to_log_params(params, swapped: bool, d_k_near, d_k_far, d_near, d_far) -> np.ndarray:
    """Derivatives in ``(k_near, k_far, near, far)`` (:func:`_split`) as derivatives in ``ln(r, alpha, s, beta)``.

    ``k_near = r + x``, ``k_far = s + 1``, ``near = alpha``, ``far = beta``, or, ``swapped``
    (``beta`` the nearer rate), ``k_near = s + 1``, ``k_far = r + x``, ``near = beta``, ``far = alpha``.
    """
    r, alpha, s, beta = params
    if swapped:
        return np.array([r * d_k_far, alpha * d_far, s * d_k_near, beta * d_near])
    return np.array([r * d_k_near, alpha * d_near, s * d_k_far, beta * d_far])


def _log_h(e, L):
    """``ln((exp(e L) - 1) / e)``, i.e. ``ln int_0^L exp(e v) dv``, for ``L > 0`` (``ln L`` at ``e = 0``)."""
    e, L = np.broadcast_arrays(np.asarray(e, dtype="float64"), np.asarray(L, dtype="float64"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eL = e * L
        positive = e * L + np.log(-np.expm1(-np.abs(eL))) - np.log(np.abs(e))  # e > 0
        negative = np.log(-np.expm1(-np.abs(eL))) - np.log(np.abs(e))  # e < 0
        return np.where(e == 0, np.log(L), np.where(e > 0, positive, negative))


def _d_log_h(e, L):
    """``d/de ln h(e, L)`` for :func:`_log_h`: ``L G(e L)``, ``G(u) = 1 / (1 - exp(-u)) - 1 / u``.

    Near ``u = 0``, where that difference cancels, ``G(u) = 1/2 + u/12`` (the next term is ``u^3/720``).
    """
    u = e * L
    small = np.abs(u) < 1e-4
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(small, 0.5 + u / 12.0, 1.0 / -np.expm1(-u) - 1.0 / np.where(small, 1.0, u))
    return L * g


def _split(params, x):
    """The near and far rates: ``(near, far, k_near, k_far)`` with ``near <= far``.

    The integrand is ``(near+u)^-k_near (far+u)^-k_far``: ``near`` is ``alpha`` (power ``r+x``)
    when ``alpha <= beta``, else ``beta`` (power ``s+1``).
    """
    r, alpha, s, beta = params
    if alpha <= beta:
        return alpha, beta, r + x, np.full_like(x, s + 1.0)
    return beta, alpha, np.full_like(x, s + 1.0), r + x


def _far_ratio(params, x, T):
    """Ratio bound of the far-rate expansion (:func:`_log_integral_far`); below 1/2 it is used."""
    near, far, _, k_far = _split(params, x)
    with np.errstate(divide="ignore"):
        return np.maximum(1.0, k_far) * (near + T) / (far - near)


def _log_integral_far(params, x, t_x, T, grad: bool = False):
    """``ln I`` by expanding the slowly varying factor ``(far+u)^-k_far`` in powers of ``(near+u)/(far-near)``.

    With ``w = near + u`` and ``D = far - near``, ``(far+u)^-k = D^-k (1 + w/D)^-k =
    D^-k sum_n (-1)^n (k)_n / n! (w/D)^n``, and each power of ``w`` integrates in closed form:
    ``int_{w_a}^{w_b} w^(n-k_near) dw = w_a^e (exp(e L) - 1) / e``, ``e = n + 1 - k_near``,
    ``L = ln(w_b / w_a)``. The terms fall at least as fast as ``max(1, k) w_b / D`` each
    (:func:`_far_ratio`), so where that is below 1/2 some 60 terms at most give full precision
    -- exactly where the 2F1 series of :func:`_log_tail` is slow (``z`` near 1, one rate far
    above the other and the period, as when a fit heads for ``s -> 0, beta -> infinity``: no
    dropout).

    With ``grad``, also the derivatives in the log-parameters (shape ``(4, n)``), term by term:
    in ``k_far`` through ``(k)_n`` and ``D^-k``, in ``k_near`` through ``e``
    (:func:`_d_log_h`); in the rates from ``dI/dfar = -sum_n (k+n) term_n / D`` and
    ``dI/dnear = sum_n (k+n) term_n / D + f(T) - f(t_x)``, ``f`` the integrand (the sum of the
    series of its antiderivative's ends).
    """
    near, far, k_near, k_far = _split(params, x)
    D = far - near
    w_a, w_b = near + t_x, near + T
    L = np.log(w_b) - np.log(w_a)
    e0 = 1.0 - k_near
    log_h0 = _log_h(e0, L)
    total = np.ones(np.shape(L))
    coefficient = np.ones(np.shape(L))  # (-1)^n (k)_n / n! (w_a / D)^n, in sign and size
    log_y = np.log(w_a) - np.log(D)
    if grad:  # sums of term_n times: sum_{m<n} 1/(k+m), d ln h(e_n)/de, k+n
        harmonic = np.zeros(np.shape(L))
        sum_k_far = np.zeros(np.shape(L))
        sum_e = _d_log_h(e0, L)
        sum_rate = k_far.copy()
    active = np.flatnonzero(L > 0)
    n = 0
    while active.size and n < 200:
        n += 1
        coefficient[active] *= -(k_far[active] + n - 1) / n
        term = coefficient[active] * np.exp(n * log_y[active] + _log_h(e0[active] + n, L[active]) - log_h0[active])
        total[active] += term
        if grad:
            harmonic[active] += 1.0 / (k_far[active] + n - 1)
            sum_k_far[active] += term * harmonic[active]
            sum_e[active] += term * _d_log_h(e0[active] + n, L[active])
            sum_rate[active] += term * (k_far[active] + n)
        done = np.abs(term) <= 1e-17 * np.abs(total[active])
        active = active[~done]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(L > 0, -k_far * np.log(D) + e0 * np.log(w_a) + log_h0 + np.log(total), -np.inf)
        if not grad:
            return value
        d_k_far = sum_k_far / total - np.log(D)
        d_k_near = -np.log(w_a) - sum_e / total
        d_far = -sum_rate / (total * D)
        ends = np.exp(-k_near * np.log(w_b) - k_far * np.log(far + T) - value) - np.exp(
            -k_near * np.log(w_a) - k_far * np.log(far + t_x) - value)
        d_near = -d_far + ends
    return value, _to_log_params(params, not params[1] <= params[3], d_k_near, d_k_far, d_near, d_far)


#: Gauss-Legendre nodes and weights of one quadrature panel.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
#: A quadrature panel spans at most this change of the integrand's log and half this width in ``v``.
_PANEL_VARIATION = 20.0
_PANEL_WIDTH = 2.0
#: Rows that would need more panels take the 2F1 series instead (heavy buyers, where it is fast).
_MAX_PANELS = 32
#: Rows whose 2F1 series ratio z (at t_x) is at most this take the series: under 1,000 terms a value.
_CHEAP_SERIES = 0.95


def _log_variation(params, x, t_x, T):
    """A bound of how much ``ln`` of the integrand changes over ``[t_x, T]``, in ``v = ln(near + u)``.

    In ``v`` the integrand is ``exp(g(v))``, ``g(v) = (1 - k_near) v - k_far ln(D + e^v)``, whose
    slope falls with ``v``: the change is at most the width times the larger end slope.
    """
    near, far, k_near, k_far = _split(params, x)
    with np.errstate(divide="ignore"):
        log_d = np.log(far - near)
    va, vb = np.log(near + t_x), np.log(near + T)

    def slope(v):
        return (1.0 - k_near) - k_far * np.exp(v - np.logaddexp(log_d, v))

    return (vb - va) * np.maximum(np.abs(slope(va)), np.abs(slope(vb))), vb - va


def _methods(params, x, t_x, T) -> np.ndarray:
    """How each row's integral is taken: -1 the series, 0 the far-rate expansion, P > 0 quadrature on P panels.

    The series where it is cheap (:data:`_CHEAP_SERIES`; it is summed once per distinct pair),
    else the far-rate expansion where it converges fast, else quadrature where the integrand is
    smooth enough, else the series (frequent buyers, whose terms fall fast whatever ``z``).
    """
    method = np.full(np.shape(x), -1, dtype="int64")
    near, far_rate = sorted(params[1::2])
    # the series, summed once per distinct pair, is the cheapest where its ratio z stays clear of 1
    cheap = (far_rate - near) / (far_rate + t_x) <= _CHEAP_SERIES
    far = ~cheap & (_far_ratio(params, x, T) <= 0.5)
    with np.errstate(invalid="ignore"):
        variation, width = _log_variation(params, x, t_x, T)
        panels = np.maximum(np.ceil(variation / _PANEL_VARIATION), np.ceil(width / _PANEL_WIDTH))
    quadrature = ~cheap & ~far & np.isfinite(panels) & (panels <= _MAX_PANELS)
    method[far] = 0
    method[quadrature] = np.maximum(panels[quadrature], 1).astype("int64")
    return method


def _log_integral_quadrature(params, x, t_x, T, panels: int, grad: bool = False):
    """``ln I`` by Gauss-Legendre quadrature in ``v = ln(near + u)`` on ``panels`` equal panels.

    The integrand ``exp(g(v))`` is smooth and, the change of ``g`` within a panel bounded by
    :data:`_PANEL_VARIATION` and its width by :data:`_PANEL_WIDTH` (the nearest singularity of
    ``ln(D + e^v)`` lies ``pi`` off the real axis), 32 nodes give full precision. The bounded-cost
    answer where neither the far-rate expansion nor the 2F1 series is fast: both rates far above
    the period with ``s`` large (dropout at one common rate, ``s, beta -> infinity``), say.

    With ``grad``, also the derivatives in the log-parameters (shape ``(4, n)``): each is the
    mean, under the integrand as weights on the same nodes, of the derivative of the integrand's
    log: ``-v`` in ``k_near``, ``-ln(far + u)`` in ``k_far``, ``-k_near / (near + u)`` and
    ``-k_far / (far + u)`` in the rates.
    """
    near, far, k_near, k_far = _split(params, x)
    with np.errstate(divide="ignore"):
        log_d = np.log(far - near)
    va, vb = np.log(near + t_x), np.log(near + T)
    half = (vb - va) / (2 * panels)
    mids = va[:, None] + (2 * np.arange(panels) + 1) * half[:, None]
    v = mids[:, :, None] + half[:, None, None] * _GL_NODES
    log_far = np.logaddexp(log_d, v)
    g = (1.0 - k_near)[:, None, None] * v - k_far[:, None, None] * log_far
    with np.errstate(divide="ignore"):
        terms = g + np.log(_GL_WEIGHTS) + np.log(half)[:, None, None]
        top = terms.max(axis=(1, 2))
        top = np.where(np.isfinite(top), top, 0.0)
        weights = np.exp(terms - top[:, None, None])
        mass = weights.sum(axis=(1, 2))
        total = np.log(mass) + top
    value = np.where(vb > va, total, -np.inf)
    if not grad:
        return value
    with np.errstate(divide="ignore", invalid="ignore"):
        def mean(values):
            return (weights * values).sum(axis=(1, 2)) / mass

        d_k_near, d_k_far = -mean(v), -mean(log_far)
        d_near, d_far = -k_near * mean(np.exp(-v)), -k_far * mean(np.exp(-log_far))
    return value, _to_log_params(params, not params[1] <= params[3], d_k_near, d_k_far, d_near, d_far)


def _log_integral_by(params, x, t_x, T, method, series, grad: bool = False):
    """``ln I`` per row by the given ``method`` codes (:func:`_methods`); ``series(mask)`` for the series rows.

    With ``grad``, ``(ln I, derivatives in the log-parameters of shape (4, n))``, and ``series``
    is called with ``grad=True`` too.
    """
    out = np.empty(np.shape(x))
    d_out = np.empty((4, *np.shape(x))) if grad else None

    def put(rows, result):
        if grad:
            out[rows], d_out[:, rows] = result
        else:
            out[rows] = result

    far = method == 0
    if far.any():
        put(far, _log_integral_far(params, x[far], t_x[far], T[far], grad=grad))
    for panels in np.unique(method[method > 0]):
        rows = method == panels
        put(rows, _log_integral_quadrature(params, x[rows], t_x[rows], T[rows], int(panels), grad=grad))
    rest = method < 0
    if rest.any():
        put(rest, series(rest, grad=grad) if grad else series(rest))
    return (out, d_out) if grad else out


def _log_integral(params, x, t_x, T):
    """``ln I``, ``I = int_{t_x}^T (alpha+u)^-(r+x) (beta+u)^-(s+1) du`` (``-inf`` where ``t_x = T``).

    By the far-rate expansion where it converges fast (:func:`_log_integral_far`), else by
    quadrature where the integrand is smooth enough (:func:`_log_integral_quadrature`), else as
    ``F(t_x) - F(T)`` from the 2F1 series of :func:`_log_tail` (frequent buyers, where the series
    converges fast); each at a bounded cost.
    """
    shape = np.broadcast_shapes(*(np.shape(v) for v in (x, t_x, T)))
    x, t_x, T = (np.asarray(v, dtype="float64").reshape(-1) for v in np.broadcast_arrays(x, t_x, T))

    def series(rows):
        return _log_difference(_log_tail(params, x[rows], t_x[rows]), _log_tail(params, x[rows], T[rows]))

    return _log_integral_by(params, x, t_x, T, _methods(params, x, t_x, T), series).reshape(shape)


def _log_difference(log_f_tx, log_f_T):
    """``ln(F(t_x) - F(T))`` from the logs of both (``-inf`` where they are equal)."""
    with np.errstate(divide="ignore"):
        return log_f_tx + np.log(-np.expm1(np.minimum(log_f_T - log_f_tx, 0.0)))


def _log_difference_grad(tail_tx, tail_T):
    """:func:`_log_difference` and its derivatives from ``(ln F, d ln F)`` at ``t_x`` and at ``T``."""
    (log_f_tx, d_tx), (log_f_T, d_T) = tail_tx, tail_T
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.minimum(log_f_T - log_f_tx, 0.0)
        q = np.exp(gap)  # F(T) / F(t_x)
        return log_f_tx + np.log(-np.expm1(gap)), (d_tx - q * d_T) / -np.expm1(gap)


def _parts(params, x, t_x, T):
    """``ln`` of the likelihood's two branches (alive at T, died in (t_x, T]) less the common factor."""
    r, alpha, s, beta = params
    log_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    log_died = np.log(s) + _log_integral(params, x, t_x, T)
    return log_alive, log_died


def log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-row log-likelihood of the Pareto/NBD model (FHL 2005 note, eq. 18).

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, s, beta)``.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.

    Returns
    -------
    numpy.ndarray
        ``ln L`` per row.

    Examples
    --------
    Frequent buyers stay finite (lifetimes' overflow case):

    >>> log_likelihood((10.465, 7.98565181e-03, 3.0516, 2.820), [400., 500.], [5., 1.], [6., 37.]).round(1)
    array([1323.2, 2594.4])
    """
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, dtype="float64") for v in np.broadcast_arrays(x, t_x, T))
    log_alive, log_died = _parts(params, x, t_x, T)
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(log_alive, log_died)


class _Data:
    """Distinct rows prepared for the fit: the series, the costly part, once per distinct pair.

    ``F(tau)`` depends on a row through ``x`` and ``tau`` only, so where ``I`` is taken as
    ``F(t_x) - F(T)`` (:func:`_log_integral`), ``F(t_x)`` is computed once per distinct
    ``(x, t_x)`` and ``F(T)`` and the "alive" branch once per distinct ``(x, T)``, the terms of
    ``x`` alone once per distinct ``x``: a million daily customers have 343,711 distinct
    ``(x, t_x, T)`` rows but only about 17,000 distinct pairs of each kind.
    """

    def __init__(self, x, t_x, T, w):
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.total = w.sum()
        self.ux, inverse = np.unique(x, return_inverse=True)
        self.wx = np.bincount(inverse.reshape(-1), weights=w, minlength=len(self.ux))
        (self.x_tx, self.tx), self.at_tx = self._pairs(x, t_x)
        (self.x_T, self.T_pairs), self.at_T = self._pairs(x, T)

    @staticmethod
    def _pairs(x, tau):
        rows, _, inverse = distinct_rows(x, tau)
        return (rows[:, 0], rows[:, 1]), inverse


class _Plan:
    """How each row's integral is taken, fixed for one objective call (:func:`_methods`).

    The choice is made once, at the point where the objective is evaluated, and the value and
    its derivatives are taken by the same method.
    """

    def __init__(self, params, data: _Data):
        self.data = data
        self.method = _methods(params, data.x, data.t_x, data.T)
        rest = self.method < 0
        self.need_tx, self.from_tx = np.unique(data.at_tx[rest], return_inverse=True)
        self.need_T, self.from_T = np.unique(data.at_T[rest], return_inverse=True)

    def log_integral(self, params, grad: bool = False):
        """``ln I`` per distinct row (with ``grad``, and its derivatives in the log-parameters, shape ``(4, n)``)."""
        d = self.data

        def series(rows, grad=False):  # F once per distinct pair the series rows need
            if not grad:
                log_f_tx = _log_tail(params, d.x_tx[self.need_tx], d.tx[self.need_tx])
                log_f_T = _log_tail(params, d.x_T[self.need_T], d.T_pairs[self.need_T])
                return _log_difference(log_f_tx[self.from_tx.reshape(-1)], log_f_T[self.from_T.reshape(-1)])
            log_f_tx, d_tx = _log_tail(params, d.x_tx[self.need_tx], d.tx[self.need_tx], grad=True)
            log_f_T, d_T = _log_tail(params, d.x_T[self.need_T], d.T_pairs[self.need_T], grad=True)
            at_tx, at_T = self.from_tx.reshape(-1), self.from_T.reshape(-1)
            return _log_difference_grad((log_f_tx[at_tx], d_tx[:, at_tx]), (log_f_T[at_T], d_T[:, at_T]))

        return _log_integral_by(params, d.x, d.t_x, d.T, self.method, series, grad=grad)


def _objective(log_params, data: _Data, penalizer):
    """Mean negative log-likelihood (+ penalizer * sum(params**2)) and its gradient in log-params.

    Each row's ``ln L`` is ``ln G(r+x) - ln G(r) + r ln(alpha) + s ln(beta) + logaddexp(A, D)``
    with ``A = -(r+x) ln(alpha+T) - s ln(beta+T)`` and ``D = ln(s) + ln I``. Its gradient is
    analytic; the derivatives of ``ln I`` in the four log-parameters come with ``ln I`` itself,
    summed term by term by the method :class:`_Plan` chose for each row
    (:func:`_log_integral_by` with ``grad``).
    """
    params = np.exp(log_params)
    r, alpha, s, beta = params
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        plan = _Plan(params, data)
        log_I, d_I = plan.log_integral(params, grad=True)
        # the "alive" branch and its gradient, per distinct (x, T)
        x_T, T_p = data.x_T, data.T_pairs
        log_at, log_bt = np.log(alpha + T_p), np.log(beta + T_p)
        log_alive = (-(r + x_T) * log_at - s * log_bt)[data.at_T]
        d_alive = np.array([-r * log_at, -(r + x_T) * alpha / (alpha + T_p), -s * log_bt, -s * beta / (beta + T_p)])
        # per row
        log_died = np.log(s) + log_I  # -inf where t_x = T
        log_mix = np.logaddexp(log_alive, log_died)
        share_died = np.exp(log_died - log_mix)
        w = data.w
        w_died = w * share_died
        g_died = np.where(share_died > 0, d_I, 0.0) @ w_died
        g_alive = np.bincount(data.at_T, weights=w - w_died, minlength=len(T_p)) @ d_alive.T
        total = data.total
        ll = (data.wx @ (gammaln(r + data.ux) - gammaln(r)) + total * (r * np.log(alpha) + s * np.log(beta))
              + w @ log_mix)
        grad = g_died + g_alive
        grad[0] += r * (data.wx @ (digamma(r + data.ux) - digamma(r))) + total * r * np.log(alpha)
        grad[1] += total * r
        grad[2] += total * s * np.log(beta) + w_died.sum()
        grad[3] += total * s
    value = -ll / total + penalizer * np.sum(params**2)
    return value, -grad / total + 2 * penalizer * params**2


def fit_pareto_nbd(x, t_x, T, weights=None, penalizer: float = 0.0, initial=None, prior: bool = False):
    """Maximum-likelihood Pareto/NBD parameters; returns ``(params dict, total log-likelihood)``.

    Same conventions as :func:`tierkit.clv.bgnbd.fit_bgnbd`: ``weights`` counts the customers
    each row stands for, the log-likelihood is the unpenalised total in the data's own time unit,
    and a fit without an interior optimum raises :class:`~tierkit.errors.ModelError` naming
    ``pareto_nbd_penalizer``.

    Parameters
    ----------
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.
    weights : array-like, optional
        Customers per row (default 1 each).
    penalizer : float
        L2 penalty on the (time-scaled) parameters, as in lifetimes.
    initial : sequence of float, optional
        Starting ``(r, alpha, s, beta)``, alpha and beta in the data's time unit.
    prior : bool
        Maximise the posterior under the weak prior of :mod:`tierkit.clv._optimize` instead.

    Returns
    -------
    tuple of (dict, float)
        The parameters by name, and the log-likelihood.

    Examples
    --------
    The CDNOW sample in weeks; Fader, Hardie & Lee (2005) report r = 0.553, alpha = 10.578,
    s = 0.606, beta = 11.669 and LL = -9595.0. The likelihood is nearly flat along beta: the
    maximum, at beta = 11.6679, is 8e-5 above its value at the published (rounded) estimates.

    >>> from lifetimes.datasets import load_cdnow_summary
    >>> d = load_cdnow_summary()
    >>> params, ll = fit_pareto_nbd(d["frequency"], d["recency"], d["T"])
    >>> {k: round(v, 3) for k, v in params.items()}, round(ll, 1)
    ({'r': 0.553, 'alpha': 10.578, 's': 0.606, 'beta': 11.668}, -9595.0)
    """
    return fit_time_scaled(_objective, _Data, x, t_x, T, weights, penalizer, initial, names=PARAMS, rates=[1, 3],
                           model="Pareto/NBD", penalizer_name="pareto_nbd_penalizer", log_likelihood=log_likelihood,
                           prior=prior)


def p_alive(params, x, t_x, T) -> np.ndarray:
    """Probability that each customer is still alive at age ``T`` (FHL 2005 note, eq. 36).

    ``1 / (1 + s I (alpha+T)^(r+x) (beta+T)^s)``: the share of the "alive" branch in ``L``.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, s, beta)``.
    x, t_x, T : array-like
        Repeat purchases, age at the last purchase, age at the end of observation.

    Returns
    -------
    numpy.ndarray
        ``P(alive at T)``.

    Examples
    --------
    The BTYD walkthrough's customer (x = 26, t_x = 30.86, T = 31): 0.9979.

    >>> round(float(p_alive((0.5534, 10.5802, 0.6061, 11.6562), 26., 30.86, 31.)), 4)
    0.9979
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in np.broadcast_arrays(x, t_x, T))
    log_alive, log_died = _parts(tuple(params), x, t_x, T)
    return np.exp(-np.logaddexp(0.0, log_died - log_alive))


def expected_purchases(params, t, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next ``t`` time units, given each customer's history (FHL 2005 note, eq. 41).

    ``P(alive) (r+x)/(alpha+T) (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]``; the bracket
    over ``s - 1`` is computed with ``expm1``, finite at ``s = 1`` too.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, s, beta)``.
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
    The BTYD walkthrough's customer, 52 weeks ahead (25.46 there, at the unrounded estimates):

    >>> round(float(expected_purchases((0.5534, 10.5802, 0.6061, 11.6562), 52, 26., 30.86, 31.)), 2)
    25.45
    """
    r, alpha, s, beta = params
    x = np.asarray(x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    t = np.asarray(t, dtype="float64")
    return p_alive(params, x, t_x, T) * (r + x) / (alpha + T) * _lifetime_factor(s, beta + T, t)


def _lifetime_factor(s, b, t):
    """``b/(s-1) [1 - (b/(b+t))^(s-1)]``: expected time alive in the next ``t`` for mu ~ Gamma(s, b)."""
    log_ratio = np.log1p(t / b)
    u = (s - 1) * log_ratio
    # -expm1(-u)/u -> 1 as s -> 1
    small = np.abs(u) < 1e-8
    factor = np.where(small, 1.0 - u / 2, -np.expm1(-u) / np.where(small, 1.0, u))
    return b * log_ratio * factor


def expected_number_of_purchases_up_to_time(params, t) -> np.ndarray:
    """Expected repeat purchases in ``(0, t]`` of a customer drawn from the population (FHL 2005 note, eq. 27).

    ``r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]``.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, s, beta)``.
    t : float or array-like
        Length of the period from the first purchase, in the time unit of the fit.

    Returns
    -------
    numpy.ndarray
        ``E[X(t)]``.

    Examples
    --------
    >>> expected_number_of_purchases_up_to_time((0.5534, 10.5802, 0.6061, 11.6562), [1, 9]).round(4)
    array([0.051 , 0.3913])
    """
    r, alpha, s, beta = params
    t = np.asarray(t, dtype="float64")
    return r / alpha * _lifetime_factor(s, beta, t)


def probability_of_n_purchases_up_to_time(params, t, n) -> np.ndarray:
    """Probability of exactly ``n`` repeat purchases in ``(0, t]`` (FHL 2005 note, section 4).

    ``NBD(n; t) (beta/(beta+t))^s + int_0^t NBD(n; tau) s beta^s (beta+tau)^-(s+1) d tau``: alive
    at ``t``, or dead at ``tau`` after ``n`` purchases. With ``u = tau/(alpha+tau)`` the integral is
    ``G(r+n)/(G(r) n!) s alpha/beta int_0^q u^n (1-u)^(r+s-1) (1 - (1-alpha/beta) u)^-(s+1) du``,
    ``q = t/(alpha+t)``, which is integrated numerically (QUADPACK, the ``u^n`` as an algebraic
    weight) instead of through the note's alternating sum of 2F1 terms, which cancels for larger
    ``n``. One integral per value: for reports, not for fitting.

    Parameters
    ----------
    params : sequence of float
        ``(r, alpha, s, beta)``.
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
    >>> p = (0.5534, 10.5802, 0.6061, 11.6562)
    >>> round(float(probability_of_n_purchases_up_to_time(p, 39, np.arange(300)).sum()), 8)
    1.0
    """
    r, alpha, s, beta = params
    t, n = np.broadcast_arrays(np.asarray(t, dtype="float64"), np.asarray(n, dtype="float64"))
    alive = np.exp(_nbd_log_pmf(r, alpha, t, n) + s * (np.log(beta) - np.log(beta + t)))
    died = np.vectorize(lambda tt, nn: _died_by(params, tt, nn), otypes=[float])(t, n)
    return alive + died


def _died_by(params, t, n):
    """``P(X(t) = n, dead by t)`` for scalar ``t`` and ``n``."""
    if t <= 0:
        return 0.0
    r, alpha, s, beta = params
    q = t / (alpha + t)
    w = 1.0 - alpha / beta
    integral, _ = quad(lambda v: np.exp((r + s - 1) * np.log1p(-q * v) - (s + 1) * np.log1p(-w * q * v)),
                       0.0, 1.0, weight="alg", wvar=(n, 0.0), epsabs=0.0, epsrel=1e-12, limit=200)
    log_front = (gammaln(r + n) - gammaln(r) - gammaln(n + 1) + np.log(s) + np.log(alpha) - np.log(beta)
                 + (n + 1) * np.log(q))
    return float(np.exp(log_front) * integral)
