"""Parameter constraints are declared once per estimator; fit, the config and the command line read them."""

import inspect
import json
import re
import subprocess
import sys
from numbers import Integral, Real
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import tierkit as tk
from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clv.discrete import BGBBModel
from tierkit.clv.model import CLVModel
from tierkit.errors import TierkitError
from tierkit.mlops import config
from tierkit.segmentation.chain import Segmentation
from tierkit.tiers._base import TierTransformer
from tierkit.tiers.constraints import (
    Duration,
    Interval,
    MappingOf,
    Options,
    SequenceOf,
    check_param,
    choices_of,
    constraints_of,
    validate_params,
)
from tierkit.tiers.rfm_segments import RFMSegmenter

SRC = Path(tk.__file__).parent

#: Every estimator of tierkit: the tier estimators on the shared base, and BGBBModel beside it.
ESTIMATORS = [tk.RFMScorer, tk.RFMClassifier, RFMSegmenter, tk.ABCClassifier, tk.LifecycleStager, tk.CLVCSGrid,
              tk.ValuePotentialMatrix, CLVModel, KMeansSegmenter, Segmentation, BGBBModel]
#: The config's parameter models, one per scheme.
PARAMS = [config.RFMParams, config.RFMClassesParams, config.RFMSegmentsParams, config.ABCParams,
          config.LifecycleParams, config.ClustersParams, config.CLVParams, config.CLVCSParams,
          config.ValuePotentialParams]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_table_holds_every_estimator_on_the_base():
    found = {c for c in _subclasses(TierTransformer) if c.__module__.startswith("tierkit.")}
    assert found <= set(ESTIMATORS), found - set(ESTIMATORS)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_init_parameter_has_constraints_and_its_default_satisfies_them(estimator):
    parameters = set(inspect.signature(estimator.__init__).parameters) - {"self"}
    assert set(constraints_of(estimator)) == parameters
    validate_params(estimator())  # the defaults are valid


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_no_estimator_keeps_a_hand_written_check(estimator):
    assert not hasattr(estimator, "_check_params")


def test_the_check_params_copies_are_gone_from_the_source():
    sources = {path: path.read_text(encoding="utf-8") for path in SRC.rglob("*.py")}
    assert not [path for path, text in sources.items() if "_check_params" in text]
    # parameters are no longer checked one isinstance at a time inside the estimators
    modules = [inspect.getsourcefile(e) for e in ESTIMATORS]
    assert not [m for m in modules if re.search(r"isinstance\(self\.", Path(m).read_text(encoding="utf-8"))]


# ------------------------------------------------------------------------------------ the rules


def test_numbers_are_numbers_not_booleans_nor_infinities():
    whole, share = Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="neither")
    assert whole.is_satisfied_by(np.int64(3)) and not whole.is_satisfied_by(True) and not whole.is_satisfied_by(2.0)
    assert share.is_satisfied_by(0.5) and not share.is_satisfied_by(0) and not share.is_satisfied_by(1)
    assert not Interval(Real, 0, None, closed="left").is_satisfied_by(float("inf"))
    assert not share.is_satisfied_by(float("nan")) and not share.is_satisfied_by("0.5")


def test_options_keep_their_order_and_type():
    rule = Options(("mbgnbd", "auto"))
    assert str(rule) == "'mbgnbd' or 'auto'" and not rule.is_satisfied_by(1)
    assert str(Options(("a", "b", "c"))) == "one of 'a', 'b', 'c'" and Options(("a", "b", "c")).either() == \
        "'a', 'b' or 'c'"


def test_sequences_and_mappings():
    weights = SequenceOf(Interval(Real, 0, None, closed="left"), length=3)
    assert weights.is_satisfied_by(np.array([1.0, 0.0, 2.0])) and not weights.is_satisfied_by("abc")
    assert not weights.is_satisfied_by(np.ones((3, 1)))
    edges = MappingOf(Options(("recency",)), SequenceOf(Interval(Real, None, None, closed="neither")))
    assert edges.is_satisfied_by({"recency": [1, 2]}) and not edges.is_satisfied_by({"recency": [1, np.inf]})


def test_a_refusal_names_the_estimator_the_parameter_the_value_and_what_is_expected():
    with pytest.raises(TierkitError, match=r"^KMeansSegmenter: k=1; expected a whole number >= 2, or None$"):
        check_param(KMeansSegmenter, "k", 1)
    with pytest.raises(TierkitError, match=r"^CLVModel: prior='map'; expected one of 'auto', 'weak', 'none'$"):
        check_param(CLVModel(), "prior", "map")
    with pytest.raises(TierkitError, match=r"^RFMScorer: weights=<a DataFrame>; expected a list of 3 numbers >= 0$"):
        check_param(tk.RFMScorer, "weights", pd.DataFrame({"w": range(40)}))


def test_a_duration_that_is_not_one_says_what_is_wrong_with_it():
    assert Duration(allow_zero=True).is_satisfied_by("0D") and not Duration().is_satisfied_by("0D")
    with pytest.raises(TierkitError, match=r"^CLVModel: horizon='3h': unit 'h' is not days or weeks"):
        check_param(CLVModel, "horizon", "3h")


def test_fit_checks_the_constraints_before_the_data():
    with pytest.raises(TierkitError, match=r"^ValuePotentialMatrix: quantile=1; expected a number strictly between "):
        tk.ValuePotentialMatrix(quantile=1).fit("not even a frame")
    with pytest.raises(TierkitError, match=r"^BGBBModel: penalizer=True; expected a number >= 0$"):
        BGBBModel(penalizer=True).fit([1], [1], [2])


def test_predict_overrides_are_held_to_the_parameters_bounds(cdnow_sample_holdout):
    features = cdnow_sample_holdout
    model = CLVModel(model="bgnbd", horizon="52W").fit(features)
    with pytest.raises(TierkitError, match=r"^CLVModel: discount_rate=-0.1; expected a number >= 0$"):
        model.predict(features.head(3), discount_rate=-0.1)
    with pytest.raises(TierkitError, match=r"^CLVModel: discount_steps=0; expected a whole number >= 1, or None$"):
        model.predict(features.head(3), discount_steps=0)


# ------------------------------------------------------------------------ the config reads them


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.__name__)
def test_config_options_are_exactly_the_constraint_options(params):
    rules = constraints_of(params.estimator_class)
    for name in params.model_fields:
        for rule in rules[name]:
            if isinstance(rule, Options):
                for value in rule.values:
                    assert getattr(params(**{name: value}), name) == value
                with pytest.raises(ValidationError):
                    params(**{name: "not-an-option"})


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.__name__)
def test_config_bounds_are_the_constraint_bounds(params):
    rules = constraints_of(params.estimator_class)
    for name, field in params.model_fields.items():
        intervals = [r for r in rules[name] if isinstance(r, Interval)]
        if not intervals:
            continue
        (interval,) = intervals
        bounds = {type(m).__name__.lower(): getattr(m, type(m).__name__.lower()) for m in field.metadata
                  if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")}
        expected = {}
        if interval.left is not None:
            expected["ge" if interval.left_closed else "gt"] = interval.left
        if interval.right is not None:
            expected["le" if interval.right_closed else "lt"] = interval.right
        assert bounds == expected, name


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.__name__)
def test_config_defaults_are_the_estimator_defaults(params):
    defaults = {k: v.default for k, v in inspect.signature(params.estimator_class.__init__).parameters.items()}
    for name, field in params.model_fields.items():
        if (params, name) == (config.ClustersParams, "random_state"):
            continue  # the experiment's seed, unless given
        expected = defaults[name]
        assert field.default == (list(expected) if isinstance(expected, tuple) else expected), name


def test_config_keys_are_estimator_parameters():
    for params in PARAMS:
        assert set(params.model_fields) <= set(constraints_of(params.estimator_class)), params.__name__


# ----------------------------------------------------------------------- the command line reads them


def _option(command, name):
    return next(p for p in command.params if p.name == name)


def test_command_line_choices_and_ranges_are_the_constraints():
    from tierkit.cli.clusters import clusters
    from tierkit.cli.options import model_options
    from tierkit.cli.validate import validate

    segment_like = model_options(click.command()(lambda **kwargs: None))
    for command in (segment_like, validate):
        assert list(_option(command, "clv_model").type.choices) == choices_of(CLVModel, "model")
        assert list(_option(command, "prior").type.choices) == choices_of(CLVModel, "prior")
    penalizer = _option(validate, "bgnbd_penalizer").type
    assert (penalizer.min, penalizer.max, penalizer.min_open) == (0, None, False)
    assert list(_option(clusters, "transform").type.choices) == choices_of(KMeansSegmenter, "skew_transform")
    assert list(_option(clusters, "selection_rule").type.choices) == choices_of(KMeansSegmenter, "selection_rule")
    assert _option(clusters, "k").type.min == 2


#: Run in a fresh interpreter: narrow two constraints before the config and the command line are built.
CHANGED_BOUNDS = r"""
import json
from numbers import Real

import click
from pydantic import ValidationError

from tierkit.clv.model import CLVModel
from tierkit.errors import TierkitError
from tierkit.tiers.constraints import Interval, Options

CLVModel._parameter_constraints["model"] = [Options(("bgnbd", "auto"))]
CLVModel._parameter_constraints["bgnbd_penalizer"] = [Interval(Real, 0, 0.5, closed="both")]

from tierkit.cli.options import model_options
from tierkit.cli.validate import validate
from tierkit.mlops.config import CLVParams


def accepted(**params):
    try:
        CLVParams(**params)
        return True
    except ValidationError:
        return False


def fits(**params):
    try:
        CLVModel(**params)._validate_params()
        return True
    except TierkitError:
        return False


segment_like = model_options(click.command()(lambda **kwargs: None))
option = {p.name: p for p in segment_like.params}
penalty = {p.name: p for p in validate.params}["bgnbd_penalizer"].type
print(json.dumps({
    "config": [accepted(model=m) for m in ("bgnbd", "mbgnbd", "pareto_nbd", "auto")],
    "config_penalizer": [accepted(model="bgnbd", bgnbd_penalizer=v) for v in (0.5, 0.6)],
    "estimator": [fits(model=m) for m in ("bgnbd", "mbgnbd", "pareto_nbd", "auto")],
    "cli_choices": list(option["clv_model"].type.choices),
    "cli_penalizer_max": penalty.max,
}))
"""


def test_a_bound_changed_in_the_constraints_is_what_the_config_and_the_command_line_enforce():
    done = subprocess.run([sys.executable, "-c", CHANGED_BOUNDS], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"config": [True, False, False, True], "config_penalizer": [True, False],
                    "estimator": [True, False, False, True], "cli_choices": ["bgnbd", "auto"],
                    "cli_penalizer_max": 0.5}
