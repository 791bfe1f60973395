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

from tierkit.errors import ModelError

#: Largest |gradient| in log-parameters with which a stop that L-BFGS-B does not call success
#: (line search failure at the objective's rounding level) still counts as an optimum.
GRADIENT_TOLERANCE = 1e-5
#: A parameter scaled to be of order one that ends above RUNAWAY (or below 1 / RUNAWAY) has run
#: off towards infinity (or 0), the boundary of the parameter space.
RUNAWAY = 1e4
#: Largest |d objective / d log(parameter)| of such a parameter with which the objective counts
#: as flat in it: its limit is reached, the likelihood no longer improves along it.
FLAT = 1e-8


@functools.cache
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


def _runaway(log_params, gradient, names) -> str | None:
    """The first parameter that ran off to 0 or infinity while the objective still changes along it."""
    limit = np.log(RUNAWAY)
    for name, value, slope in zip(names, log_params, gradient, strict=True):
        if abs(value) > limit and not abs(slope) <= FLAT:
            towards = "infinity" if value > 0 else "0"
            return f"{name} ran off towards {towards}, the likelihood not flat along it: no interior optimum"
    return None


def fit_log_params(objective, start, args, *, model: str, penalizer: str, scaled=()) -> np.ndarray:
    """Minimise ``objective`` (value and gradient in log-parameters); return the parameters.

    A result that is not finite, or stopped without a near-zero gradient, raises
    :class:`~tierkit.errors.ModelError` naming the ``CLVModel`` penalizer to try. So does one in
    which a parameter named in ``scaled`` -- the names of all parameters, in order, when the
    model scales them to be of order one -- ran off towards 0 or infinity while the objective
    still changes along it (see the module docs).
    """
    # the line search may overshoot into overflow; the result is checked below
    single_blas = _thread_pools().limit(limits=1, user_api="blas")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), single_blas:
        result = minimize(objective, start, args=args, jac=True, method="L-BFGS-B",
                          options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    params = np.exp(result.x)
    jac = np.full(len(result.x), np.inf) if result.jac is None else np.asarray(result.jac, dtype="float64")
    gradient = np.abs(jac).max()
    reason = None
    if not np.all(np.isfinite(params)) or not np.isfinite(result.fun):
        reason = f"non-finite parameters or likelihood; {result.message}"
    elif not result.success and not gradient <= GRADIENT_TOLERANCE:
        reason = result.message
    elif scaled:
        reason = _runaway(result.x, jac, scaled)
    if reason is not None:
        raise ModelError(
            f"{model}: the fit did not converge ({reason}); try a penalizer, e.g. {penalizer}=0.001"
        )
    return params
