"""Gamma-Gamma: the objective's value and analytic gradient against the per-customer likelihood."""

import numpy as np
import pytest

from tierkit.clv import gamma_gamma


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.8, 2.0, 300.0)])
def test_objective_matches_the_likelihood_and_its_gradient(params):
    rng = np.random.default_rng(1)
    x = rng.integers(1, 12, 400).astype(float)
    m = rng.gamma(6.0 * x, 1 / rng.gamma(4.0, 1 / 15.0, 400)) / x
    w = rng.integers(1, 4, 400).astype(float)
    ux, inverse = np.unique(x, return_inverse=True)
    groups = (ux, inverse, np.bincount(inverse, weights=w))
    log_m = np.log(m)
    rows = (x * m, w * x, (w @ log_m, (w * x) @ log_m))
    unit = (1.0, 1.0, float(w @ m / w.sum()))

    def direct(lp):
        p = np.exp(lp)
        return -(w @ gamma_gamma.log_likelihood(p, x, m)) / w.sum() + 0.01 * np.sum((p / unit) ** 2)

    log_params = np.log(params)
    value, grad = gamma_gamma._objective(log_params, rows, w, groups, 0.01, unit)
    assert value == pytest.approx(direct(log_params), rel=1e-12)
    h = 1e-6
    numeric = [(direct(log_params + h * e) - direct(log_params - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
