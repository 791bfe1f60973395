"""What a person must know before acting on a fitted CLV model: alerts in plain words, with the figures.

A purchase model stuck on the boundary of its parameter space, a Gamma-Gamma fit without spend
variation, a penalty that moved a model that did not need it, a model that cannot tell active
from lapsed customers (:mod:`tierkit.clv.trust`). The same sentences for ``tierkit segment``,
``report`` and ``validate`` (:func:`tierkit.clv.validate_clv` carries them), and among the
grading alerts of :func:`tierkit.evaluation.alerts.grading_alerts`; the wording lives in
:data:`tierkit.words.TERMS`, keys ``alert_*``.
"""

from __future__ import annotations

from tierkit.clv.model import penalty_moves
from tierkit.errors import Param
from tierkit.words import check_lang, term

#: A purchase-model parameter outside this range (rates relative to the longest customer age) sits on
#: the boundary of the model; so does Gamma-Gamma's q above its top.
PARAMETER_RANGE = (1e-3, 1e3)


def clv_model_alerts(model, lang: str = "en") -> list[str]:
    """Alerts about a fitted :class:`tierkit.CLVModel`: the same for ``segment``, ``report`` and ``validate``.

    Every figure judged is free of units: the rate parameters (``alpha``, ``beta``) are taken
    relative to the longest customer age ``max(T)``, as the fit scales them, so the same data in
    days and in weeks raise the same alerts; Gamma-Gamma's ``v`` relative to the mean spend is not
    judged at all (``q`` carries the shape).

    Parameters
    ----------
    model : tierkit.CLVModel
        Fitted.
    lang : {"en", "zh"}, default="en"

    Returns
    -------
    list of str
    """
    check_lang(lang)
    alerts = []
    low, high = PARAMETER_RANGE
    purchases, bg = model._purchase_model()
    gg = model.gamma_gamma_params_
    span = getattr(model, "scale_", {}).get("max_T") or 1.0
    scaled = {k: (v / span if k in ("alpha", "beta") else v) for k, v in bg.items()}
    edge = {k: bg[k] for k, v in scaled.items() if not low <= v <= high}
    if edge and "a" in bg:  # BG/NBD and MBG/NBD: the dropout chance a / (a + b)
        shown = ", ".join(f"{k} = {v:.3g}" for k, v in edge.items())
        alerts.append(term("alert_bgnbd_edge", lang, model=purchases.label, shown=shown, low=f"{low:g}",
                           high=f"{high:g}", dropout=f"{bg['a'] / (bg['a'] + bg['b']):.2g}"))
    if gg["q"] > high:
        alerts.append(term("alert_gg_flat", lang, q=f"{gg['q']:.3g}", v=f"{gg['v']:.3g}"))
    elif gg["q"] < 1.5:
        alerts.append(term("alert_gg_q_near_1", lang, q=f"{gg['q']:.3f}"))
    for option, shift in getattr(model, "penalty_shift_", {}).items():
        moves = penalty_moves(shift)
        if moves:
            alerts.append(term("alert_penalty_shift", lang, penalizer=Param(option), value=shift["penalizer"],
                               moves=moves))
    verdict = getattr(model, "trust_", None)
    if verdict is not None and not verdict["discriminates"]:
        alerts.append(term("alert_clv_untrusted", lang, model=purchases.label, reason=verdict["reason"],
                           remedy=verdict["remedy"]))
    return alerts
