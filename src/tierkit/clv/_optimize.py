"""The optimiser both CLV models share: L-BFGS on log-parameters, and one convergence verdict."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from tierkit.errors import ModelError


def fit_log_params(objective, start, args, *, model: str, penalizer: str) -> np.ndarray:
    """Minimise ``objective`` (value and gradient in log-parameters); return the parameters.

    A result that is not finite, or stopped without a near-zero gradient, raises
    :class:`~tierkit.errors.ModelError` naming the ``CLVModel`` penalizer to try.
    """
    # the line search may overshoot into overflow; the result is checked below
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = minimize(objective, start, args=args, jac=True, method="L-BFGS-B",
                          options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    params = np.exp(result.x)
    gradient = np.abs(result.jac).max() if result.jac is not None else np.inf
    if not np.all(np.isfinite(params)) or (not result.success and gradient > 1e-5):
        raise ModelError(
            f"{model}: the fit did not converge ({result.message}); try a penalizer, e.g. CLVModel({penalizer}=0.001)"
        )
    return params
