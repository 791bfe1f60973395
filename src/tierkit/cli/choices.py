"""Flags that set an estimator parameter take their choices and ranges from its ``_parameter_constraints``.

``--clv-model`` offers what ``CLVModel(model=...)`` accepts, ``--bgnbd-penalizer`` the range
``CLVModel(bgnbd_penalizer=...)`` accepts: the estimator declares them once
(:mod:`tierkit.tiers.constraints`) and the command line reads them, so a bound changes in one
place.
"""

from __future__ import annotations

from numbers import Integral

import click

from tierkit.clv.model import CLVModel
from tierkit.tiers.constraints import Options, choices_of, constraints_of, interval_of

#: ``--clv-model``: the purchase models ``CLVModel(model=...)`` accepts.
CLV_MODELS = choices_of(CLVModel, "model")
#: ``--prior``: how ``CLVModel(prior=...)`` may estimate the parameters.
PRIORS = choices_of(CLVModel, "prior")


def click_type(estimator, name: str) -> click.ParamType:
    """The click type of a flag that sets ``estimator``'s parameter ``name``: its choices, or its range.

    Parameters
    ----------
    estimator : estimator class
        Whose ``_parameter_constraints`` declare the parameter.
    name : str
        A parameter with :class:`~tierkit.tiers.constraints.Options` or one
        :class:`~tierkit.tiers.constraints.Interval`.

    Returns
    -------
    click.ParamType
        ``click.Choice`` of the options, else ``click.IntRange`` / ``click.FloatRange`` of the interval.

    Examples
    --------
    >>> from tierkit.clusters.segmenter import KMeansSegmenter
    >>> list(click_type(KMeansSegmenter, "skew_transform").choices)
    ['log1p', 'yeo-johnson']
    >>> click_type(KMeansSegmenter, "k")
    <IntRange x>=2>
    """
    if any(isinstance(rule, Options) for rule in constraints_of(estimator)[name]):
        return click.Choice(choices_of(estimator, name))
    interval = interval_of(estimator, name)
    kind = click.IntRange if interval.type is Integral else click.FloatRange
    return kind(min=interval.left, max=interval.right, min_open=not interval.left_closed,
                max_open=not interval.right_closed)
