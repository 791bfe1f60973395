"""Predicted customer lifetime value: BTYD purchases x Gamma-Gamma spend, discounted.

* :mod:`tierkit.clv.bgnbd`, :mod:`tierkit.clv.mbgnbd`, :mod:`tierkit.clv.pareto_nbd`,
  :mod:`tierkit.clv.bgbb`, :mod:`tierkit.clv.gamma_gamma`: the likelihoods, fits and
  conditional expectations (pure functions on arrays);
* :class:`CLVModel`: the estimator on the feature table of :func:`tierkit.rfm_features`, with
  BG/NBD, MBG/NBD or Pareto/NBD purchases (:mod:`tierkit.clv.family`), answering lifetimes'
  questions by lifetimes' names (``conditional_probability_alive`` ...);
  :func:`lifetimes_clv_settings` turns lifetimes' CLV settings into tierkit's;
* :class:`BGBBModel`: BG/BB for discrete-time data (transactions at fixed opportunities);
* :func:`validate_clv`: calibration / holdout validation with figures and plots, beside a naive
  baseline (:func:`naive_forecast`);
* :func:`clv_diagnostics`: the diagnostics of Fader, Hardie & Lee (2005) for BG/NBD, MBG/NBD
  and Pareto/NBD on one holdout, side by side (:mod:`tierkit.clv.diagnostics`).
"""

from tierkit.clv.diagnostics import CLVDiagnostics, clv_diagnostics
from tierkit.clv.discrete import BGBBModel
from tierkit.clv.model import CLVModel, lifetimes_clv_settings
from tierkit.clv.validation import CLVValidation, naive_forecast, validate_clv

__all__ = ["BGBBModel", "CLVDiagnostics", "CLVModel", "CLVValidation", "clv_diagnostics", "lifetimes_clv_settings",
           "naive_forecast", "validate_clv"]
