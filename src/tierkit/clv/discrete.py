"""``BGBBModel``: BG/BB for discrete-time data -- transactions at fixed opportunities.

When customers can buy only at given occasions (a yearly fund drive, an annual renewal, a
weekly event), time is counted in opportunities and the BG/BB model of Fader, Hardie & Shang
(2010) applies (:mod:`tierkit.clv.bgbb`). ``CLVModel`` does not offer it: the feature table of
:func:`tierkit.rfm_features` measures ages in days or weeks and cannot say what an opportunity
is. This estimator takes the three counts directly, one row per customer (or per distinct
history with a ``weights`` count, as the donations data come):

* ``x``: transactions after the first opportunity (repeat transactions);
* ``t_x``: the opportunity of the last one (0 without any);
* ``n``: opportunities observed after the first.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tierkit.clv import bgbb
from tierkit.errors import DataError, TierkitError


def _counts(x, t_x, n, weights=None):
    x, t_x, n = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x, t_x, n))
    if not (x.shape == t_x.shape == n.shape) or x.ndim != 1:
        raise DataError("BGBBModel: x, t_x and n must be equally long lists of counts")
    whole = np.all(np.isfinite(np.concatenate([x, t_x, n]))) and np.all(np.mod(np.concatenate([x, t_x, n]), 1) == 0)
    if not whole or np.any(x < 0) or np.any(x > t_x) or np.any(t_x > n) or np.any((x == 0) != (t_x == 0)):
        raise DataError("BGBBModel: x, t_x, n: expected whole numbers with 0 <= x <= t_x <= n, t_x = 0 exactly "
                        "when x = 0")
    if weights is not None:
        weights = np.asarray(weights, dtype="float64")
        if weights.shape != x.shape or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise DataError("BGBBModel: weights: expected one count >= 0 per row")
    return x, t_x, n, weights


class BGBBModel(BaseEstimator):
    """BG/BB fitted on discrete-time histories; P(alive) and expected transactions ahead.

    Parameters
    ----------
    penalizer : float, default=0
        L2 penalty on the parameters; try 0.001 when the fit does not converge.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta`` (transaction probability ~ Beta), ``gamma``, ``delta`` (dropout
        probability ~ Beta).
    log_likelihood_ : float
    n_customers_ : float
        Customers fitted on (the sum of the weights).

    Examples
    --------
    The donations of Fader, Hardie & Shang (2010): 11,104 donors over six yearly drives after
    their first, as counts of distinct histories:

    >>> from lifetimes.datasets import load_donations
    >>> d = load_donations()
    >>> model = BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}

    A donor who gave in all six drives is expected to give 3.75 times in the next five, and
    is alive with probability 0.93 at the next drive; one who never gave again, 0.07 and 0.11:

    >>> model.predict([6, 0], [6, 0], [6, 6], n_ahead=5).round(2)
       expected_transactions  p_alive
    0                   3.75     0.93
    1                   0.07     0.11
    """

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def fit(self, x, t_x, n, weights=None):
        """Fit BG/BB on the histories.

        Parameters
        ----------
        x, t_x, n : array-like of int
            Repeat transactions, opportunity of the last one (0 without any), opportunities
            observed after the first; one row per customer or distinct history.
        weights : array-like, optional
            Customers per row (default 1 each).

        Returns
        -------
        self
        """
        if isinstance(self.penalizer, bool) or not isinstance(self.penalizer, (int, float, np.number)) \
                or not np.isfinite(self.penalizer) or self.penalizer < 0:
            raise TierkitError(f"BGBBModel: penalizer={self.penalizer!r}; expected a number >= 0")
        x, t_x, n, weights = _counts(x, t_x, n, weights)
        self.params_, self.log_likelihood_ = bgbb.fit_bgbb(x, t_x, n, weights, penalizer=self.penalizer)
        self.n_customers_ = float(len(x) if weights is None else weights.sum())
        return self

    def predict(self, x, t_x, n, n_ahead: int = 1):
        """Expected transactions in the next ``n_ahead`` opportunities and P(alive at the next one).

        Parameters
        ----------
        x, t_x, n : array-like of int
            Histories as at fit.
        n_ahead : int, default=1
            Future opportunities counted.

        Returns
        -------
        pandas.DataFrame
            ``expected_transactions`` (FHS 2010, eq. 13) and ``p_alive`` (alive at opportunity
            ``n + 1``, eq. 11, FHS's "P(alive in 2002)"), one row per history.
        """
        import pandas as pd

        check_is_fitted(self, "params_")
        if isinstance(n_ahead, bool) or not isinstance(n_ahead, (int, np.integer)) or n_ahead < 1:
            raise TierkitError(f"BGBBModel: n_ahead={n_ahead!r}; expected a whole number >= 1")
        x, t_x, n, _ = _counts(x, t_x, n)
        params = tuple(self.params_[k] for k in bgbb.PARAMS)
        return pd.DataFrame({"expected_transactions": bgbb.expected_purchases(params, n_ahead, x, t_x, n),
                             "p_alive": bgbb.p_alive(params, x, t_x, n, m=1)})
