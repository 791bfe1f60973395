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

Beside :meth:`BGBBModel.predict` it answers lifetimes' ``BetaGeoBetaBinomFitter`` questions by
their names and argument order (``conditional_probability_alive(m_periods_in_future, frequency,
recency, n_periods)`` ...), through :meth:`tierkit.clv.family.PurchaseModel.quantity` as
:class:`~tierkit.clv.CLVModel` does.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tierkit.clv import bgbb
from tierkit.clv.family import BGBB, shaped_like
from tierkit.errors import DataError, Param, TierkitError
from tierkit.messages import Message
from tierkit.tiers.constraints import Interval, validate_params


def _counts(x, t_x, n, weights=None):
    x, t_x, n = (np.atleast_1d(np.asarray(v, dtype="float64")) for v in (x, t_x, n))
    if not (x.shape == t_x.shape == n.shape) or x.ndim != 1:
        raise DataError("bgbb_lengths", where="BGBBModel")
    whole = np.all(np.isfinite(np.concatenate([x, t_x, n]))) and np.all(np.mod(np.concatenate([x, t_x, n]), 1) == 0)
    if not whole or np.any(x < 0) or np.any(x > t_x) or np.any(t_x > n) or np.any((x == 0) != (t_x == 0)):
        raise DataError("bgbb_counts", where="BGBBModel")
    if weights is not None:
        weights = np.asarray(weights, dtype="float64")
        if weights.shape != x.shape or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise DataError("one_count_per_row", where="BGBBModel", param=Param("weights"))
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

    _parameter_constraints = {"penalizer": [Interval(Real, 0, None, closed="left")]}

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
        validate_params(self)
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
            raise TierkitError("param_invalid", where="BGBBModel", param=Param("n_ahead"), value=repr(n_ahead),
                               expected=_whole_at_least(1))
        x, t_x, n, _ = _counts(x, t_x, n)
        params = tuple(self.params_[k] for k in bgbb.PARAMS)
        return pd.DataFrame({"expected_transactions": bgbb.expected_purchases(params, n_ahead, x, t_x, n),
                             "p_alive": bgbb.p_alive(params, x, t_x, n, m=1)})

    # -- lifetimes' BetaGeoBetaBinomFitter, by its names (tierkit.clv.family.QUANTITIES) --

    def _quantity(self, name: str, *args):
        check_is_fitted(self, "params_")
        return BGBB.quantity(name, self.params_, *args)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected transactions in the first ``t`` opportunities after the first, of a new customer (FHS 2010, eq. 8).

        Parameters
        ----------
        t : int or array-like of int
            Opportunities, whole and >= 0.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``E[X(t)]``, shaped like ``t``.

        Examples
        --------
        >>> from lifetimes.datasets import load_donations
        >>> d = load_donations()
        >>> model = BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
        >>> model.expected_number_of_purchases_up_to_time([1, 6]).round(3)
        array([0.499, 2.22 ])
        """
        return shaped_like(self._quantity("expected_number_of_purchases_up_to_time", _whole(t, "t")), (t,),
                           "expected_transactions")

    def probability_of_n_purchases_up_to_time(self, t, n):
        """Probability that a new customer makes exactly ``n`` transactions in the first ``t`` opportunities.

        FHS 2010, eq. 7.

        ``t * P`` over the frequencies seen is lifetimes'
        ``expected_number_of_transactions_in_first_n_periods(t)`` divided by the customers.

        Parameters
        ----------
        t : int or array-like of int
            Opportunities, whole and >= 0.
        n : int or array-like of int
            Transactions, whole and >= 0 (broadcast against ``t``; 0 beyond ``t``).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            ``P(X(t) = n)``.

        Examples
        --------
        >>> from lifetimes.datasets import load_donations
        >>> d = load_donations()
        >>> model = BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
        >>> round(model.probability_of_n_purchases_up_to_time(6, 0) * 11104)  # FHS 2010: 3,454.9
        3455
        """
        values = self._quantity("probability_of_n_purchases_up_to_time", _whole(t, "t"), _whole(n, "n"))
        return shaped_like(values, (n, t), "probability")

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency, recency, n_periods):
        """Expected transactions in the next ``m_periods_in_future`` opportunities, given each history.

        FHS 2010, eq. 13: lifetimes' ``BetaGeoBetaBinomFitter`` method of that name, with its arguments in its order.

        Parameters
        ----------
        m_periods_in_future : int or array-like of int
            Opportunities ahead, whole and >= 0.
        frequency, recency, n_periods : array-like of int
            Histories as at fit (``x``, ``t_x``, ``n``).

        Returns
        -------
        numpy.ndarray or pandas.Series
            Expected transactions; a Series indexed like the histories when they come as one.

        Examples
        --------
        >>> from lifetimes.datasets import load_donations
        >>> d = load_donations()
        >>> model = BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
        >>> model.conditional_expected_number_of_purchases_up_to_time(5, [0, 6], [0, 6], [6, 6]).round(2)
        array([0.07, 3.75])
        """
        ahead = _whole(m_periods_in_future, "m_periods_in_future")
        x, t_x, n, _ = _counts(frequency, recency, n_periods)
        values = self._quantity("conditional_expected_number_of_purchases_up_to_time", ahead, x, t_x, n)
        return shaped_like(values, (frequency, recency, n_periods), "expected_transactions")

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """Probability that each customer is alive at opportunity ``n_periods + m_periods_in_future``.

        FHS 2010, eq. 11: lifetimes' ``BetaGeoBetaBinomFitter`` method of that name, with its arguments in its order;
        ``m_periods_in_future=1`` is FHS's "P(alive in 2002)", :meth:`predict`'s ``p_alive``.

        Parameters
        ----------
        m_periods_in_future : int or array-like of int
            Opportunities after the last one observed, whole and >= 0.
        frequency, recency, n_periods : array-like of int
            Histories as at fit (``x``, ``t_x``, ``n``).

        Returns
        -------
        numpy.ndarray or pandas.Series
            ``P(alive)``; a Series indexed like the histories when they come as one.

        Examples
        --------
        >>> from lifetimes.datasets import load_donations
        >>> d = load_donations()
        >>> model = BGBBModel().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
        >>> model.conditional_probability_alive(1, [0, 2, 6], [0, 4, 6], [6, 6, 6]).round(2)
        array([0.11, 0.59, 0.93])
        """
        ahead = _whole(m_periods_in_future, "m_periods_in_future")
        x, t_x, n, _ = _counts(frequency, recency, n_periods)
        values = self._quantity("conditional_probability_alive", x, t_x, n, ahead)
        return shaped_like(values, (frequency, recency, n_periods), "p_alive")


def _whole(value, name: str) -> np.ndarray:
    """``value`` as whole numbers >= 0 (opportunities, transactions), or a one-line refusal naming ``name``."""
    try:
        numbers = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise TierkitError("param_invalid", where="BGBBModel", param=Param(name), value=repr(value),
                           expected=_whole_at_least(0, many=True)) from None
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers)))
    if bad.any():
        first = float(numbers.reshape(-1)[np.flatnonzero(bad.reshape(-1))[0]])
        raise TierkitError("param_invalid", where="BGBBModel", param=Param(name), value=repr(first),
                           expected=_whole_at_least(0, many=True))
    return numbers


def _whole_at_least(n: int, many: bool = False) -> Message:
    """What a count is expected to be: ``a whole number >= n`` (or ``whole numbers >= n``)."""
    return Message("described", what=Message("whole_numbers" if many else "a_whole_number"),
                   bounds=Message("bound", op=">=", n=n))
