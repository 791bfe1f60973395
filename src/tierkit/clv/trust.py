"""Can this CLV model tell active customers from lapsed ones? One verdict, in figures free of units.

A buy-till-you-die model ranks customers by predicted value through two learned things: how
often they buy, and how likely they are to have left. On a year of retail with many customers
who come back, the likelihood may see no dropout at all (BG/NBD's ``a / (a + b)`` -> 0,
Pareto/NBD's ``s`` -> 0): every customer is then "alive", P(alive) is 1 for everybody, and the
CLV is only a purchase rate times a spend -- a long-gone one-time buyer is predicted to buy as
if he had bought yesterday. Such a model must not drive a tier in silence.

:func:`assess` computes, at fit:

* ``dropout_in_period``: the chance that a customer drawn from the population has left within
  the median customer's observed age, from the fitted parameters -- for BG/NBD ``1 - E[(1-p)^n]``
  with ``n`` the purchases the population makes in that time (``r / alpha`` a time unit),
  ``E[(1-p)^n] = B(a, b+n) / B(a, b)``; MBG/NBD adds the chance at the first purchase (``n + 1``);
  Pareto/NBD ``1 - (beta / (beta + T))^s``. A ratio of times and a count: the same in days and
  weeks.
* ``alive_share``: the share of the customers who could have left (everyone for MBG/NBD and
  Pareto/NBD, repeat customers for BG/NBD, whose one-time buyers are alive by construction) with
  P(alive) >= :data:`ALIVE`.

The model *cannot tell active from lapsed* when ``dropout_in_period`` is below
:data:`NO_DROPOUT` or ``alive_share`` is at least :data:`NEARLY_ALL`. Then
:class:`tierkit.Segmentation` leaves out the steps that rank by it (CLV-CS grid, value-potential
matrix, lifecycle by P(alive)), every prediction carries ``clv_caveat``, and the alerts say why
and what would fix it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln

from tierkit.errors import Message

#: P(alive) at or above this counts as "certainly alive".
ALIVE = 0.99
#: A share of customers at or above this is "nearly everyone".
NEARLY_ALL = 0.90
#: A population dropout chance over the median age below this is "no dropout learned".
NO_DROPOUT = 0.01
#: What would let the model learn dropout, in the words of the alert.
REMEDY = Message("clv_remedy")


def _percent(share: float) -> str:
    """``0.37 -> "37%"``, ``0.0007 -> "0.07%"``, below 0.01 % ``"<0.01%"``: small shares keep a digit."""
    if share >= 0.01 or share == 0:
        return f"{share:.0%}"
    return f"{100 * share:.1g}%" if share >= 1e-4 else "<0.01%"


def dropout_in_period(name: str, params: dict, T) -> float:
    """Chance that a customer of the population has left within the median age ``T`` (see the module docs).

    Parameters
    ----------
    name : {"bgnbd", "mbgnbd", "pareto_nbd"}
    params : dict
        The fitted parameters.
    T : array-like
        The customers' ages at the end of observation, in the unit of ``params``.

    Returns
    -------
    float

    Examples
    --------
    The published BG/NBD fit of the CDNOW sample (median age 32.7 weeks; 1.8 purchases in it):

    >>> round(dropout_in_period("bgnbd", {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, [32.7]), 3)
    0.365
    >>> dropout_in_period("mbgnbd", {"r": 0.72, "alpha": 66.0, "a": 7e-9, "b": 3320.0}, [184.0]) < 1e-10
    True
    """
    age = float(np.median(np.asarray(T, dtype="float64")))
    if name == "pareto_nbd":
        return float(-np.expm1(params["s"] * (np.log(params["beta"]) - np.log(params["beta"] + age))))
    purchases = params["r"] / params["alpha"] * age + (1.0 if name == "mbgnbd" else 0.0)
    a, b = params["a"], params["b"]
    return float(-np.expm1(betaln(a, b + purchases) - betaln(a, b)))


def assess(name: str, params: dict, p_alive, x, T, weights=None, age=None) -> dict:
    """Whether the fitted model tells active from lapsed customers, with its figures and reason.

    Parameters
    ----------
    name : {"bgnbd", "mbgnbd", "pareto_nbd"}
    params : dict
    p_alive : array-like
        Each training customer's P(alive).
    x, T : array-like
        Their repeat purchases and ages.
    weights : array-like, optional
        Customers each row stands for (distinct rows); default one each.
    age : float, optional
        The median age of the customers, when ``T`` holds distinct rows; default ``median(T)``.

    Returns
    -------
    dict
        ``discriminates`` (bool), ``dropout_in_period``, ``alive_share``, ``reason`` ("" when it
        discriminates) and ``remedy``.

    Examples
    --------
    >>> v = assess("mbgnbd", {"r": 0.72, "alpha": 66.0, "a": 7e-9, "b": 3320.0}, [1.0, 0.999], [0, 3], [300, 200])
    >>> v["discriminates"]
    False
    >>> v["reason"].split(": ")[0], round(v["alive_share"], 2)
    ('no dropout learned', 1.0)
    """
    x = np.asarray(x, dtype="float64")
    alive = np.asarray(p_alive, dtype="float64")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64")
    could_leave = x > 0 if name == "bgnbd" else np.ones(len(x), dtype=bool)
    share = float(w[could_leave] @ (alive[could_leave] >= ALIVE) / w[could_leave].sum()) if could_leave.any() else 1.0
    age = float(np.median(T)) if age is None else float(age)
    dropout = dropout_in_period(name, params, [age])
    discriminates = dropout >= NO_DROPOUT and share < NEARLY_ALL
    reason = "" if discriminates else Message("no_dropout_learned", age=f"{age:.4g}", chance=_percent(dropout),
                                               alive=ALIVE, share=_percent(share))
    return {"discriminates": bool(discriminates), "dropout_in_period": dropout, "alive_share": share,
            "reason": reason, "remedy": REMEDY}
