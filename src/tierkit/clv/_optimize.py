"""The optimiser both CLV models share: L-BFGS on log-parameters, and one convergence verdict.

What counts as converged
------------------------
L-BFGS-B stops when the objective no longer decreases (relative reduction below ``ftol``), when
the gradient is below ``gtol``, or when its line search fails. None of these alone proves an
optimum inside the parameter space. When the likelihood has no interior maximum -- BG/NBD on data
whose purchase counts vary less than Poisson counts would, say, where r and alpha grow without
end -- the parameters run off towards 0 or infinity along a ridge on which the likelihood keeps
improving ever more slowly. On log-parameters the gradient ``theta * df/dtheta`` then fades,
and far out the objective is a difference of huge terms (``r ln(alpha)``, ``ln G(r + x)`` with
``r`` near 1e7) whose rounding error swamps the last improvements: the optimiser stops on its
"relative reduction" test and calls that success, or its line search fails with a gradient that
already looks small. The verdict below therefore adds a test of its own for models whose
parameters are scaled to be of order one (BG/NBD): a
parameter that ends beyond ``RUNAWAY`` or below ``1 / RUNAWAY`` has run off towards the
boundary, and the fit counts only if the objective is flat in it (``|df/d ln theta| <= FLAT``),
that is its limit has been reached -- as when a penalised fit sends ``a`` to 0 and nothing
depends on ``a`` any more -- rather than stopped on the way.

When there is no interior optimum: the weak prior
--------------------------------------------------
Short or one-year histories often hold no interior maximum of the likelihood: nobody is seen to
drop out (BG/NBD's ``a`` -> 0, Pareto/NBD's ``s`` -> 0 with ``beta`` -> infinity), purchase counts
vary less than Poisson counts would (``r``, ``alpha`` -> infinity), or every spend is the same
(Gamma-Gamma's ``q``, ``v`` -> infinity). Maximum likelihood then has no answer, only a direction.
:func:`fit_with_prior` answers with the maximum a posteriori estimate under a weak prior: each
time-scaled log-parameter (money in units of the mean spend) Normal(0, :data:`PRIOR_SD`),
i.e. a parameter between ``exp(-6)`` and ``exp(6)`` times its natural scale with 95 % prior
probability. It is one prior for the whole base, not per customer, so its weight relative to the
data falls as ``1 / n``: it decides only what the data leave open (along a flat ridge it stops
the parameter where the likelihood starts to care), and it leaves a well-determined fit where
the likelihood puts it. :func:`fit_log_params` keeps every log-parameter within
:data:`LOG_BOUND` of its scale so no fit can end at overflowing values.

Threads
-------
The objectives reduce their per-row terms with dot products (``weights @ terms``), which numpy
hands to BLAS. Vectors of a few hundred thousand entries gain nothing from BLAS threads, and on a
busy machine OpenBLAS's threads wait for cores: one such dot product took 7.5 ms instead of
0.015 ms with two cores shared by several processes, and the BG/NBD fit of 100,000 customers
took 1.5 s instead of 0.04 s. The fit
therefore runs with BLAS capped at one thread (``threadpoolctl``; the previous limits come back
afterwards; the libraries are looked up once per process, which takes 20 ms).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

from tierkit.errors import Message, ModelError, Param

#: Largest |gradient| in log-parameters with which a stop that L-BFGS-B does not call success
#: (line search failure at the objective's rounding level) still counts as an optimum.
GRADIENT_TOLERANCE = 1e-5
#: A parameter scaled to be of order one that ends above RUNAWAY (or below 1 / RUNAWAY) has run
#: off towards infinity (or 0), the boundary of the parameter space.
RUNAWAY = 1e4
#: Largest |d objective / d log(parameter)| of such a parameter with which the objective counts
#: as flat in it: its limit is reached, the likelihood no longer improves along it.
FLAT = 1e-8
#: Standard deviation of the weak prior on each scaled log-parameter (see the module docs).
PRIOR_SD = 3.0
#: No scaled log-parameter leaves ``center +- LOG_BOUND`` (a factor of 1e10 either way).
LOG_BOUND = float(np.log(1e10))


@functools.cache
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


def _runaway(log_params, gradient, names) -> str | None:
    """The first parameter that ran off to 0 or infinity while the objective still changes along it."""
    limit = np.log(RUNAWAY)
    for name, value, slope in zip(names, log_params, gradient, strict=True):
        if abs(value) > limit and not abs(slope) <= FLAT:
            return Message("ran_off_infinity" if value > 0 else "ran_off_zero", name=name)
    return None


def at_boundary(log_params, center=None) -> list:
    """Positions of the scaled log-parameters beyond ``RUNAWAY`` (or below ``1 / RUNAWAY``) of their scale.

    Examples
    --------
    >>> at_boundary(np.log([0.5, 2.0, 1e-9, 3e5]))
    [2, 3]
    """
    log_params = np.asarray(log_params, dtype="float64")
    center = np.zeros_like(log_params) if center is None else np.asarray(center, dtype="float64")
    return [int(i) for i in np.flatnonzero(np.abs(log_params - center) > np.log(RUNAWAY))]


def with_prior(objective, total: float, center=None, sd: float = PRIOR_SD):
    """``objective`` (a mean over ``total`` customers) plus the weak prior's share of ``-ln p(eta)``.

    The prior's ``sum((eta - center)**2) / (2 sd**2)`` is divided by ``total`` as the
    objective is, so its weight relative to the data falls as ``1 / n``.

    Examples
    --------
    >>> f = with_prior(lambda eta: (0.0, np.zeros(2)), total=10.0)
    >>> value, gradient = f(np.array([3.0, 0.0]))
    >>> round(float(value), 3), gradient.round(3).tolist()
    (0.05, [0.033, 0.0])
    """
    def penalised(log_params, *args):
        value, gradient = objective(log_params, *args)
        shifted = log_params - (0.0 if center is None else np.asarray(center, dtype="float64"))
        return value + shifted @ shifted / (2 * sd**2 * total), gradient + shifted / (sd**2 * total)

    return penalised


def fit_log_params(objective, start, args, *, model: str, penalizer: str, scaled=(), center=None) -> np.ndarray:
    """Minimise ``objective`` (value and gradient in log-parameters); return the parameters.

    A result that is not finite, or stopped without a near-zero gradient, raises
    :class:`~tierkit.errors.ModelError` naming the ``CLVModel`` penalizer to try. So does one in
    which a parameter named in ``scaled`` -- the names of all parameters, in order, when the
    model scales them to be of order one -- ran off towards 0 or infinity while the objective
    still changes along it (see the module docs). Every log-parameter stays within
    :data:`LOG_BOUND` of ``center`` (default 0: the scale of a time-scaled model).
    """
    start = np.asarray(start, dtype="float64")
    middle = np.zeros_like(start) if center is None else np.asarray(center, dtype="float64")
    bounds = list(zip(middle - LOG_BOUND, middle + LOG_BOUND, strict=True))
    # the line search may overshoot into overflow; the result is checked below
    single_blas = _thread_pools().limit(limits=1, user_api="blas")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), single_blas:
        result = minimize(objective, np.clip(start, middle - LOG_BOUND, middle + LOG_BOUND), args=args, jac=True,
                          method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    params = np.exp(result.x)
    jac = np.full(len(result.x), np.inf) if result.jac is None else np.asarray(result.jac, dtype="float64")
    # at a bound the gradient may point outwards: only the part that could still move counts
    free = np.abs(np.abs(result.x - middle) - LOG_BOUND) > 1e-9
    gradient = np.abs(np.where(free, jac, 0.0)).max()
    reason = None
    if not np.all(np.isfinite(params)) or not np.isfinite(result.fun):
        reason = f"non-finite parameters or likelihood; {result.message}"
    elif not result.success and not gradient <= GRADIENT_TOLERANCE:
        reason = result.message
    elif scaled:
        reason = _runaway(result.x - middle, np.where(free, jac, 0.0), scaled)
    if reason is not None:
        raise ModelError("fit_no_converge", where=model, reason=reason, penalizer=Param(penalizer))
    return params


def fit_time_scaled(objective, make_data, x, t_x, T, weights, penalizer, initial, *, names, rates, model: str,
                    penalizer_name: str, log_likelihood, prior: bool = False):
    """Fit a purchase model with time scaled by ``1 / max(T)``, as lifetimes does; ``(params dict, ln L)``.

    Ages are divided by ``max(T)`` so every parameter is of order one for the optimiser (and a
    penalizer means what it means in lifetimes); the rate parameters (``rates``, their
    positions in ``names``: BG/NBD's alpha, Pareto/NBD's alpha and beta) are scaled back after
    the fit. Shared by :mod:`~tierkit.clv.bgnbd`, :mod:`~tierkit.clv.mbgnbd` and
    :mod:`~tierkit.clv.pareto_nbd`.

    Parameters
    ----------
    objective : callable
        ``objective(log_params, data, penalizer) -> (value, gradient)`` on scaled data.
    make_data : callable
        ``make_data(x, t_x_scaled, T_scaled, weights)``: the data ``objective`` takes.
    x, t_x, T, weights : array-like or None
        Distinct rows and their counts (None: one each).
    penalizer : float
        L2 penalty on the scaled log-parameters.
    initial : sequence of float or None
        Starting parameters in the data's time unit (default 0.1 each, scaled).
    names : tuple of str
        Parameter names, in order.
    rates : sequence of int
        Positions of the rate parameters, in units of time.
    model, penalizer_name : str
        For the error raised when the fit does not converge.
    log_likelihood : callable
        Per-row log-likelihood in the data's unit, for the total returned.
    prior : bool
        Maximise the posterior under the weak prior (:func:`with_prior`) instead of the
        likelihood alone.

    Returns
    -------
    params : dict
        Parameter name -> estimate.
    log_likelihood : float
        Weighted total at the estimate.

    Examples
    --------
    >>> from tierkit.clv import bgnbd
    >>> x, t_x, T = np.array([0.0, 2, 5]), np.array([0.0, 20, 35]), np.array([40.0, 40, 40])
    >>> params, ll = fit_time_scaled(bgnbd._objective, bgnbd._Data, x, t_x, T, np.array([50.0, 30, 20]), 0.0,
    ...                              None, names=bgnbd.PARAMS, rates=[1], model="BG/NBD",
    ...                              penalizer_name="bgnbd_penalizer", log_likelihood=bgnbd.log_likelihood)
    >>> params == bgnbd.fit_bgnbd(x, t_x, T, np.array([50.0, 30, 20]))[0]
    True
    """
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    rates = list(rates)
    scale = 1.0 / T.max()
    start = np.log(np.asarray(initial, dtype="float64")) if initial is not None else np.full(len(names), 0.1)
    if initial is not None:
        start[rates] = np.log(np.asarray(initial, dtype="float64")[rates] * scale)
    # time scaled, every parameter is of order one: one that ends far from 1 ran off to the boundary
    if prior:
        objective = with_prior(objective, float(w.sum()))
    params = fit_log_params(objective, start, (make_data(x, t_x * scale, T * scale, w), penalizer), model=model,
                            penalizer=penalizer_name, scaled=names)
    params[rates] /= scale
    fitted = dict(zip(names, (float(p) for p in params), strict=True))
    return fitted, float(w @ log_likelihood(params, x, t_x, T))
