"""Lifecycle stages: potential -> new -> repeat -> loyal, and at_risk / churned.

Rules, checked in this order for a customer with at least one purchase:

1. ``churned``  when recency > ``churned_after``;
2. ``at_risk``  when recency > ``at_risk_after``, or, for a customer with one purchase occasion,
   recency > ``new_within`` (``churned`` past ``churned_after``);
3. ``new``      when the customer has one purchase occasion (so bought within ``new_within``);
4. ``loyal``    when purchase occasions >= ``loyal_min_purchases``;
5. ``repeat``   otherwise.

A one-time buyer is ``new`` only while the first purchase is recent: ``new_within`` defaults to
``at_risk_after`` and may be set shorter (a first purchase older than it that was not followed by
a second is at risk, then churned after ``churned_after``, like any other customer). The course
material's stages (潜在客户 potential -> 初次购买客户 first purchase -> 重复购买客户 repeat ->
忠诚客户 loyal, and 流失客户 churned) make "new" the stage right after the first purchase, not
"bought once, ever": a one-time buyer silent for years is lost, not new.

Customers on a master list with no purchase are ``potential``: :func:`add_potential_customers`
adds them to a graded table.

Defaults come from the data's inter-purchase gaps at fit: for each repeat customer the mean
gap is ``recency_btyd / frequency_btyd`` (time between first and last purchase over the number
of repeat purchases). ``at_risk_after`` is the 90th percentile of those gaps (silent for
longer than 90 % of customers wait between purchases), ``churned_after`` twice that, and
``loyal_min_purchases`` the 75th percentile of purchase occasions among repeat customers
(at least 3). Without a repeat customer there is no gap: ``at_risk_after`` falls back to 90
days and ``churned_after`` to 180 days (converted to the features' time unit), with a warning.
Thresholds given are durations (:mod:`tierkit.features.durations`): ``"30D"``, ``"4W"``; a bare
number is days with daily features and refused as ambiguous with weekly ones.
With a fitted CLV model, ``use_p_alive=True`` replaces the recency rules with
the model's probability of being alive: ``churned`` below ``churned_p_alive`` (0.2),
``at_risk`` below ``at_risk_p_alive`` (0.5) -- a one-time buyer the model keeps alive is still
``new`` only within ``new_within``, then ``at_risk``, and ``churned`` after ``churned_after``
(one purchase tells the model little; a buyer silent for years is not new) -- except for a
customer without a repeat purchase whose ``p_alive`` is 1: that is BG/NBD's assumption (a
customer can drop out only after a repeat purchase), not evidence, so the recency rules stage such
customers (MBG/NBD and Pareto/NBD, ``CLVModel(model="mbgnbd")`` ..., give one-time buyers a ``p_alive`` below 1).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd

from tierkit.errors import FitWarning, Param, TierkitError
from tierkit.features.definition import TIME_UNITS
from tierkit.features.durations import to_time_units
from tierkit.features.statistics import Distinct, quantiles_of_counts
from tierkit.tiers._base import FrameStatistics, TierTransformer, numeric_column
from tierkit.tiers.constraints import Duration, Interval
from tierkit.words import LIFECYCLE_STAGES  # noqa: F401  (the scheme's tiers)

_FEATURES = ("recency", "frequency", "frequency_btyd", "recency_btyd")
#: Without a repeat customer the gaps cannot set the thresholds; these defaults apply.
DEFAULT_AT_RISK_DAYS = 90
DEFAULT_CHURNED_DAYS = 180


class LifecycleStager(TierTransformer):
    """Lifecycle stage per customer, on thresholds derived from inter-purchase gaps.

    Parameters
    ----------
    at_risk_after, churned_after : str, pandas.Timedelta or float, optional
        Time without a purchase beyond which a customer is at risk / churned: ``"60D"``,
        ``"8W"``; a bare number is days, refused with weekly features (ambiguous).
    loyal_min_purchases : int, optional
        Purchase occasions from which a customer is loyal.
    new_within : str, pandas.Timedelta or float, optional
        How long a one-time buyer stays ``new`` after the purchase; past it the customer is
        ``at_risk`` (``churned`` past ``churned_after``). Defaults to ``at_risk_after``; must not
        exceed ``churned_after``.
    use_p_alive : bool, default=False
        Use the ``p_alive`` column (from :class:`tierkit.CLVModel`) instead of recency.
    at_risk_p_alive, churned_p_alive : float, default=0.5, 0.2
        ``p_alive`` thresholds when ``use_p_alive``.

    Attributes
    ----------
    thresholds_ : dict
        ``at_risk_after``, ``churned_after``, ``new_within`` (in the features' time unit),
        ``loyal_min_purchases`` in use.
    p_alive_rule_ : dict or None
        The ``p_alive`` thresholds when ``use_p_alive``.

    Examples
    --------
    >>> f = pd.DataFrame({"recency": [5, 5, 5, 40, 90, 20], "frequency": [1, 2, 6, 3, 2, 1],
    ...     "frequency_btyd": [0, 1, 5, 2, 1, 0], "recency_btyd": [0, 10, 50, 20, 10, 0]})
    >>> LifecycleStager(at_risk_after="30D", churned_after="60D", loyal_min_purchases=5, new_within="14D"
    ...     ).fit_transform(f)["lifecycle_stage"].tolist()
    ['new', 'repeat', 'loyal', 'at_risk', 'churned', 'at_risk']
    """

    _parameter_constraints = {
        "at_risk_after": [Duration(allow_zero=True), None],
        "churned_after": [Duration(allow_zero=True), None],
        "loyal_min_purchases": [Interval(Integral, 2, None, closed="left"), None],
        "use_p_alive": ["boolean"],
        "at_risk_p_alive": [Interval(Real, 0, 1, closed="both")],
        "churned_p_alive": [Interval(Real, 0, 1, closed="both")],
        "new_within": [Duration(allow_zero=True), None],
    }

    def __init__(self, at_risk_after=None, churned_after=None, loyal_min_purchases=None,
                 use_p_alive=False, at_risk_p_alive=0.5, churned_p_alive=0.2, new_within=None):
        self.at_risk_after = at_risk_after
        self.churned_after = churned_after
        self.loyal_min_purchases = loyal_min_purchases
        self.use_p_alive = use_p_alive
        self.at_risk_p_alive = at_risk_p_alive
        self.churned_p_alive = churned_p_alive
        self.new_within = new_within

    def _check_parameters_together(self):
        if self.churned_p_alive > self.at_risk_p_alive:
            raise TierkitError("not_above", param=Param("churned_p_alive"), value=repr(self.churned_p_alive),
                               other=Param("at_risk_p_alive"), other_value=repr(self.at_risk_p_alive))

    def _columns_in(self, X):
        return _FEATURES + (("p_alive",) if self.use_p_alive else ())

    def _columns_out(self):
        return ("lifecycle_stage",)

    _learns_from_counts = True

    def _fit(self, X):
        """Derive the stage thresholds from the customers' inter-purchase gaps."""
        self._fit_statistics(FrameStatistics(X, self._who))

    def _fit_statistics(self, statistics):
        # each repeat buyer's mean gap between purchases
        gaps = statistics.distinct(Distinct("recency_btyd", over="frequency_btyd", where="frequency_btyd"))
        unit = statistics.time_unit() or "D"
        at_risk, churned = (None if value is None else to_time_units(value, unit, name, allow_zero=True)
                            for name, value in (("at_risk_after", self.at_risk_after),
                                                ("churned_after", self.churned_after)))
        if at_risk is None and gaps[1].sum() == 0:
            days = TIME_UNITS.get(unit, 1)
            at_risk = DEFAULT_AT_RISK_DAYS / days
            churned = DEFAULT_CHURNED_DAYS / days if churned is None else churned
            warnings.warn(FitWarning("warn_lifecycle_defaults", where="LifecycleStager", at_risk=DEFAULT_AT_RISK_DAYS,
                                     churned=DEFAULT_CHURNED_DAYS, at_risk_after=Param("at_risk_after"),
                                     churned_after=Param("churned_after")), stacklevel=4)
        elif at_risk is None:
            at_risk = float(quantiles_of_counts(*gaps, [0.9])[0])
        churned = churned if churned is not None else 2.0 * at_risk
        if not 0 <= at_risk <= churned:
            raise TierkitError("thresholds_order", param=Param("at_risk_after"), at_risk=repr(at_risk),
                               other=Param("churned_after"), churned=repr(churned))
        new_within = (at_risk if self.new_within is None
                      else to_time_units(self.new_within, unit, "new_within", allow_zero=True))
        if new_within > churned:
            raise TierkitError("new_within_order", param=Param("new_within"), new_within=repr(new_within),
                               other=Param("churned_after"), churned=repr(churned))
        loyal = self.loyal_min_purchases
        if loyal is None:
            occasions = statistics.distinct(Distinct("frequency", where="frequency", above=1))
            loyal = (max(3, int(np.ceil(quantiles_of_counts(*occasions, [0.75])[0]))) if occasions[1].sum()
                     else 3)
        self.thresholds_ = {
            "at_risk_after": float(at_risk),
            "churned_after": float(churned),
            "loyal_min_purchases": int(loyal),
            "new_within": float(new_within),
        }
        self.p_alive_rule_ = ({"at_risk_below": float(self.at_risk_p_alive),
                               "churned_below": float(self.churned_p_alive)}
                              if self.use_p_alive else None)

    def _transform(self, X):
        """``lifecycle_stage`` per customer."""
        t = self.thresholds_
        recency = numeric_column(X, "recency", "LifecycleStager")
        occasions = numeric_column(X, "frequency", "LifecycleStager")
        if self.p_alive_rule_ is not None:
            p_alive = numeric_column(X, "p_alive", "LifecycleStager")
            # BG/NBD's p_alive = 1 of a one-time buyer is assumed, not learned: recency decides
            assumed = (numeric_column(X, "frequency_btyd", "LifecycleStager") == 0) & (p_alive >= 1.0)
            churned = np.where(assumed, recency > t["churned_after"], p_alive < self.p_alive_rule_["churned_below"])
            at_risk = np.where(assumed, recency > t["at_risk_after"], p_alive < self.p_alive_rule_["at_risk_below"])
        else:
            churned = recency > t["churned_after"]
            at_risk = recency > t["at_risk_after"]
        # a one-time buyer is new only while the purchase is recent; past new_within the one who
        # would be new is at risk, or churned past churned_after (at risk / churned by the model stay so)
        once = occasions <= 1
        new_within = t.get("new_within", t["at_risk_after"])  # fitted before new_within existed
        stale = once & ~churned & ~at_risk & (recency > new_within)
        churned = churned | (stale & (recency > t["churned_after"]))
        at_risk = at_risk | stale
        stage = np.select(
            [churned, at_risk, once, occasions >= t["loyal_min_purchases"]],
            ["churned", "at_risk", "new", "loyal"],
            default="repeat",
        ).astype(object)
        return pd.DataFrame({"lifecycle_stage": stage}, index=X.index)


def add_potential_customers(table: pd.DataFrame, customers) -> pd.DataFrame:
    """``table`` plus one ``potential`` row for each listed customer without a purchase.

    Parameters
    ----------
    table : pandas.DataFrame
        Graded customers (index customer id), e.g. the output of ``LifecycleStager.transform``.
    customers : iterable of str
        The master customer list; ids already in ``table`` are left as they are.

    Returns
    -------
    pandas.DataFrame
        ``table`` with the new rows appended; their other columns are missing.

    Examples
    --------
    >>> graded = pd.DataFrame({"lifecycle_stage": ["new"]}, index=pd.Index(["a"], name="customer_id"))
    >>> add_potential_customers(graded, ["a", "b"])["lifecycle_stage"].to_dict()
    {'a': 'new', 'b': 'potential'}
    """
    extra = pd.Index(pd.unique(pd.Series(list(customers), dtype="str")))
    extra = extra[~extra.isin(table.index)]
    potential = pd.DataFrame({"lifecycle_stage": "potential"}, index=extra.rename(table.index.name))
    return pd.concat([table, potential])
