"""Parameter constraints, declared once per estimator in scikit-learn's ``_parameter_constraints`` manner.

Each estimator declares, for every ``__init__`` parameter, a list of rules; a value is valid when
it satisfies one of them (as in ``sklearn/preprocessing/_discretization.py``)::

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 2, 9, closed="both")],
        "edges": [MappingOf(Options(METRICS), SequenceOf(Interval(Real, None, None, closed="neither"))), None],
    }

:func:`validate_params` checks an estimator against its table; ``TierTransformer.fit`` calls it
first. The same table gives the experiment config its field types (:mod:`tierkit.mlops.config`)
and the command line its choices and ranges (:func:`choices_of`, :func:`interval_of`), so a
bound is written in one place.

The rules:

* :class:`Interval` -- a whole number (``numbers.Integral``) or a finite number
  (``numbers.Real``) in a range; ``True`` and ``False`` are not numbers here;
* :class:`Options` -- one of the values given, in the order written (messages and the command
  line list them in that order);
* :class:`Duration` -- a duration such as ``"365D"`` or ``"52W"`` (:mod:`tierkit.features.durations`);
* :class:`SequenceOf` -- a list, tuple or array whose items satisfy a rule;
* :class:`MappingOf` -- a dict whose keys and values satisfy rules;
* :class:`HasMethods` -- an object with these methods (an estimator);
* ``None``, ``"boolean"``, or a type (``str``, ``dict``): that value, a bool, an instance.

scikit-learn's own classes (``sklearn.utils._param_validation``) live in a private module, take
``True`` and ``inf`` as numbers, keep options in an unordered set, know no durations and raise
scikit-learn's error in its words; these raise :class:`tierkit.errors.TierkitError` naming the
estimator, the parameter, the value and what is expected. Rules that tie parameters together
(``edges`` has ``n_bins - 1`` values) are the estimator's ``_check_parameters_together``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from tierkit.errors import Message, Param, TierkitError

__all__ = ["Interval", "Options", "Duration", "SequenceOf", "MappingOf", "HasMethods", "validate_params",
           "check_param", "constraints_of", "choices_of", "interval_of"]


def _number(value) -> str:
    return str(value.item() if isinstance(value, np.generic) else value)


class Interval:
    """A whole number or a finite number between two bounds (``None``: unbounded).

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real}
        Whole numbers, or any finite number (whole numbers included).
    left, right : int, float or None
        The bounds; ``None`` leaves that side open.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval, as in scikit-learn.
    what : str, optional
        What the number is, for messages (``"a coverage"``); default ``"a whole number"`` or
        ``"a number"``.
    example : str, optional
        A valid value shown in messages (``"0.9"``).

    Examples
    --------
    >>> bins = Interval(Integral, 2, 9, closed="both")
    >>> bins.is_satisfied_by(5), bins.is_satisfied_by(5.0), bins.is_satisfied_by(True), str(bins)
    (True, False, False, 'a whole number from 2 to 9')
    >>> str(Interval(Real, 0, 1, closed="neither", what="a coverage", example="0.9"))
    'a coverage strictly between 0 and 1, e.g. 0.9'
    """

    def __init__(self, type, left, right, *, closed, what=None, example=None):
        if type not in (Integral, Real):
            raise ValueError(f"Interval: type must be numbers.Integral or numbers.Real, not {type!r}")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"Interval: closed={closed!r}; expected 'left', 'right', 'both' or 'neither'")
        self.type, self.left, self.right, self.closed = type, left, right, closed
        self.what, self.example = what, example

    @property
    def left_closed(self) -> bool:
        """Whether ``left`` itself is in the interval."""
        return self.closed in ("left", "both")

    @property
    def right_closed(self) -> bool:
        """Whether ``right`` itself is in the interval."""
        return self.closed in ("right", "both")

    def is_satisfied_by(self, value) -> bool:
        """Whether ``value`` is a number of the type, finite, within the bounds."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, self.type):
            return False
        if not math.isfinite(value):
            return False
        if self.left is not None and (value < self.left or (value == self.left and not self.left_closed)):
            return False
        return self.right is None or value < self.right or (value == self.right and self.right_closed)

    def _bounds(self) -> str:
        low, high = self.left, self.right
        below, above = (">=" if self.left_closed else ">"), ("<=" if self.right_closed else "<")
        if low is not None and high is not None:
            if self.closed == "both":
                return Message("from_to", low=_number(low), high=_number(high))
            if self.closed == "neither":
                return Message("strictly_between", low=_number(low), high=_number(high))
            return Message("bounded", below=below, low=_number(low), above=above, high=_number(high))
        if low is not None:
            return Message("bound", op=below, n=_number(low))
        if high is not None:
            return Message("bound", op=above, n=_number(high))
        return ""

    def plural(self) -> str:
        """The description of several such numbers (``"whole numbers >= 2"``)."""
        bounds = self._bounds()
        words = Message("whole_numbers" if self.type is Integral else "numbers" if bounds else "finite_numbers")
        return Message("described", what=words, bounds=bounds) if bounds else words

    def message(self) -> Message:
        """The description as a message, rendered in either language."""
        bounds = self._bounds()
        what = self.what or Message("a_whole_number" if self.type is Integral else
                                    "a_number" if bounds else "a_finite_number")
        text = Message("described", what=what, bounds=bounds) if bounds else what
        return Message("with_example", text=text, example=self.example) if self.example else text

    def __str__(self):
        return str(self.message())


class Options:
    """One of the values given; messages and command-line choices list them in this order.

    Parameters
    ----------
    values : iterable
        The valid values (text, usually).

    Examples
    --------
    >>> unrated = Options(("keep", "impute"))
    >>> unrated.is_satisfied_by("keep"), unrated.is_satisfied_by("median"), str(unrated)
    (True, False, "'keep' or 'impute'")
    """

    def __init__(self, values):
        self.values = tuple(values)

    def is_satisfied_by(self, value) -> bool:
        """Whether ``value`` is one of the values (of the same type: ``1`` is not ``True``)."""
        return any(type(value) is type(option) and value == option for option in self.values)

    def plural(self) -> str:
        """The description of several of them."""
        return Message("values_among", values=", ".join(repr(v) for v in self.values))

    def either(self) -> str:
        """The values joined by "or": ``'a', 'b' or 'c'``."""
        shown = [repr(v) for v in self.values]
        return " or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)

    def either_message(self):
        """:meth:`either` as a message, rendered in either language."""
        shown = [repr(v) for v in self.values]
        return Message("either_or", first=", ".join(shown[:-1]), last=shown[-1]) if len(shown) > 1 else shown[0]

    def message(self):
        """The description as a message, rendered in either language."""
        shown = [repr(v) for v in self.values]
        if len(shown) > 2:
            return Message("one_of", values=", ".join(shown))
        return Message("either_or", first=shown[0], last=shown[1]) if len(shown) == 2 else shown[0]

    def __str__(self):
        return str(self.message())


class Duration:
    """A duration: ``"365D"``, ``"52W"``, a time delta, or a bare number (read by the features' unit).

    The spelling is checked here (:func:`tierkit.features.durations.parse_duration`, whose
    message says what is wrong with it); whether a bare number is days or ambiguous is known only
    at fit, from the features' time unit.

    Parameters
    ----------
    allow_zero : bool, default=False
        Whether 0 is a valid duration (lifecycle thresholds) or it must be more (horizons).

    Examples
    --------
    >>> Duration().is_satisfied_by("52W"), Duration().is_satisfied_by("12M"), Duration().is_satisfied_by(0)
    (True, False, False)
    """

    def __init__(self, allow_zero: bool = False):
        self.allow_zero = allow_zero

    def check(self, value, name: str) -> None:
        """Raise :class:`~tierkit.errors.TierkitError` naming ``name`` unless ``value`` is a duration."""
        from tierkit.features.durations import parse_duration

        parse_duration(value, name, allow_zero=self.allow_zero)

    def is_satisfied_by(self, value) -> bool:
        """Whether ``value`` is a duration."""
        try:
            self.check(value, "duration")
        except TierkitError:
            return False
        return True

    def plural(self) -> str:
        """The description of several durations."""
        return Message("durations")

    def message(self) -> Message:
        """The description as a message, rendered in either language."""
        return Message("a_duration", op=">= 0" if self.allow_zero else "> 0")

    def __str__(self):
        return str(self.message())


class SequenceOf:
    """A list, tuple or array whose items each satisfy ``item``.

    Parameters
    ----------
    item : rule
        The rule every item satisfies (a rule object, ``"boolean"`` or a type).
    length : int, optional
        The exact number of items.
    min_length : int, optional
        The fewest items.

    Examples
    --------
    >>> weights = SequenceOf(Interval(Real, 0, None, closed="left"), length=3)
    >>> weights.is_satisfied_by((2, 1, 1)), weights.is_satisfied_by([1, -1, 1]), str(weights)
    (True, False, 'a list of 3 numbers >= 0')
    """

    def __init__(self, item, *, length: int | None = None, min_length: int | None = None):
        self.item, self.length, self.min_length = item, length, min_length

    def is_satisfied_by(self, value) -> bool:
        """Whether ``value`` is a sequence of the right length whose items satisfy the rule."""
        if not isinstance(value, (list, tuple, np.ndarray)) or (isinstance(value, np.ndarray) and value.ndim != 1):
            return False
        if (self.length is not None and len(value) != self.length) or len(value) < (self.min_length or 0):
            return False
        return all(_satisfies(self.item, v) for v in value)

    def plural(self) -> str:
        """The description of several such lists."""
        return Message("lists_of", items=_plural(self.item))

    def message(self) -> Message:
        """The description as a message, rendered in either language."""
        count = Message("count_of", n=self.length) if self.length is not None else ""
        least = Message("at_least", n=self.min_length) if self.min_length else ""
        return Message("a_list_of", count=count, items=_plural(self.item), least=least)

    def __str__(self):
        return str(self.message())


class MappingOf:
    """A dict whose keys satisfy ``keys`` and whose values satisfy ``values``.

    Parameters
    ----------
    keys, values : rule
        The rules of the keys and of the values.

    Examples
    --------
    >>> thresholds = MappingOf(Options(("recency", "frequency")), Interval(Real, None, None, closed="neither"))
    >>> thresholds.is_satisfied_by({"recency": 30}), thresholds.is_satisfied_by({"age": 30})
    (True, False)
    >>> str(thresholds)
    "a mapping from 'recency' or 'frequency' to finite numbers"
    """

    def __init__(self, keys, values):
        self.keys, self.values = keys, values

    def is_satisfied_by(self, value) -> bool:
        """Whether ``value`` is a dict of valid keys and values."""
        return isinstance(value, dict) and all(_satisfies(self.keys, k) and _satisfies(self.values, v)
                                               for k, v in value.items())

    def plural(self) -> str:
        """The description of several such mappings."""
        return Message("mappings")

    def message(self) -> Message:
        """The description as a message, rendered in either language."""
        keys = self.keys.either_message() if isinstance(self.keys, Options) else _plural(self.keys)
        return Message("a_mapping_from", keys=keys, values=_plural(self.values))

    def __str__(self):
        return str(self.message())


class HasMethods:
    """An object with the given methods (``HasMethods("fit", "transform")``: an estimator).

    Parameters
    ----------
    *methods : str
        The method names.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> HasMethods("fit", "transform").is_satisfied_by(StandardScaler()), str(HasMethods("fit", "transform"))
    (True, 'an estimator with fit and transform')
    """

    def __init__(self, *methods: str):
        self.methods = methods

    def is_satisfied_by(self, value) -> bool:
        """Whether every method is a callable attribute of ``value`` (classes do not count)."""
        return not isinstance(value, type) and all(callable(getattr(value, m, None)) for m in self.methods)

    def plural(self) -> str:
        """The description of several such objects."""
        return Message("estimators_with", methods=self._methods())

    def _methods(self):
        shown = list(self.methods)
        while len(shown) > 1:
            shown[-2:] = [Message("both", first=shown[-2], second=shown[-1])]
        return shown[0] if shown else ""

    def message(self) -> Message:
        """The description as a message, rendered in either language."""
        return Message("an_estimator_with", methods=self._methods())

    def __str__(self):
        return str(self.message())


#: Words for the plain types a parameter may be.
_TYPE_WORDS = {str: (Message("text"), Message("texts")), dict: (Message("a_mapping"), Message("mappings")),
               bool: (Message("true_or_false"), Message("true_false_values"))}


def _satisfies(rule, value) -> bool:
    if rule is None:
        return value is None
    if isinstance(rule, str):
        if rule != "boolean":
            raise ValueError(f"unknown constraint {rule!r}")
        return isinstance(value, (bool, np.bool_))
    if isinstance(rule, type):
        return isinstance(value, rule)
    return rule.is_satisfied_by(value)


def _describe(rule) -> str:
    if rule is None:
        return "None"
    if rule == "boolean":
        rule = bool
    if isinstance(rule, type):
        return _TYPE_WORDS.get(rule, (f"a {rule.__name__}",))[0]
    return rule.message() if hasattr(rule, "message") else str(rule)


def _plural(rule) -> str:
    if rule == "boolean":
        rule = bool
    if isinstance(rule, type):
        return _TYPE_WORDS.get(rule, (None, f"{rule.__name__} objects"))[1]
    return rule.plural()


def _echo(value) -> str:
    """The value as a message shows it: numpy scalars as Python values (in lists too); a table by its kind, cut."""
    if isinstance(value, (list, tuple)):
        value = type(value)(v.item() if isinstance(v, np.generic) else v for v in value)
    text = repr(value.item() if isinstance(value, np.generic) else value)
    if "\n" in text:  # a DataFrame, an array: its kind says more on one line than its rows
        return f"<a {type(value).__name__}>"
    return text if len(text) <= 120 else text[:117] + "..."


def constraints_of(estimator) -> dict:
    """The ``_parameter_constraints`` of an estimator (class or instance).

    Parameters
    ----------
    estimator : estimator class or instance

    Returns
    -------
    dict of str to list
        ``{parameter: rules}``; a value is valid when it satisfies one of the rules.

    Examples
    --------
    >>> from tierkit.tiers.abc_tiers import ABCClassifier
    >>> [str(rule) for rule in constraints_of(ABCClassifier)["basis"]]
    ["'rank' or 'value'"]
    """
    cls = estimator if isinstance(estimator, type) else type(estimator)
    return dict(getattr(cls, "_parameter_constraints", {}))


def check_param(estimator, name: str, value) -> None:
    """Raise one line naming the estimator, the parameter, the value and what is expected, unless it is valid.

    Parameters
    ----------
    estimator : estimator class or instance
        Whose ``_parameter_constraints`` apply.
    name : str
        The parameter.
    value : object
        Its value (the instance's own, or one given to a method such as ``predict``).

    Raises
    ------
    TierkitError
        ``"CLVModel: discount_rate=-1; expected a number >= 0"``; a duration that is not one
        says what is wrong with its spelling.

    Examples
    --------
    >>> from tierkit.tiers.rfm_scores import RFMScorer
    >>> check_param(RFMScorer, "n_bins", 5)
    >>> check_param(RFMScorer, "n_bins", 1)
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: RFMScorer: n_bins=1; expected a whole number from 2 to 9
    """
    rules = constraints_of(estimator).get(name)
    if rules is None:  # a parameter of a subclass of one's own: not tierkit's to check (as in sklearn)
        return
    if any(_satisfies(rule, value) for rule in rules):
        return
    who = estimator.__name__ if isinstance(estimator, type) else type(estimator).__name__
    if value is not None:
        for rule in rules:
            if isinstance(rule, Duration):  # its message says what is wrong with the spelling
                try:
                    rule.check(value, name)
                except TierkitError as exc:
                    raise TierkitError(exc.key, where=who, **exc.values) if exc.key else exc from None
    described = [_describe(rule) for rule in rules if rule is not None]
    expected = described[0] if described else "None"
    for more in described[1:]:
        expected = Message("either_or", first=expected, last=more)
    if None in rules and described:
        expected = Message("or_none", text=expected)
    raise TierkitError("param_invalid", where=who, param=Param(name), value=_echo(value), expected=expected)


def validate_params(estimator) -> None:
    """Check every parameter of ``estimator`` against its ``_parameter_constraints``.

    The one check of single parameters; ``TierTransformer.fit`` calls it (through
    ``_validate_params``) before anything else, and the experiment config through the same.

    Parameters
    ----------
    estimator : estimator instance

    Raises
    ------
    TierkitError
        For the first parameter whose value satisfies none of its rules (:func:`check_param`).

    Examples
    --------
    >>> from tierkit.tiers.abc_tiers import ABCClassifier
    >>> validate_params(ABCClassifier(basis="value"))
    >>> validate_params(ABCClassifier(basis="share"))
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: ABCClassifier: basis='share'; expected 'rank' or 'value'
    """
    for name, value in estimator.get_params(deep=False).items():
        check_param(estimator, name, value)


def choices_of(estimator, name: str) -> list:
    """The values a parameter may take, from its :class:`Options` (for command-line choices).

    Parameters
    ----------
    estimator : estimator class or instance
    name : str
        A parameter whose constraints include :class:`Options`.

    Returns
    -------
    list
        The options, in their declared order.

    Examples
    --------
    >>> from tierkit.tiers.clv_cs import CLVCSGrid
    >>> choices_of(CLVCSGrid, "unrated")
    ['keep', 'impute']
    """
    options = [rule for rule in constraints_of(estimator)[name] if isinstance(rule, Options)]
    if not options:
        raise ValueError(f"{name} has no Options constraint")
    return [value for rule in options for value in rule.values]


def interval_of(estimator, name: str) -> Interval:
    """The :class:`Interval` of a numeric parameter (for command-line ranges).

    Parameters
    ----------
    estimator : estimator class or instance
    name : str
        A parameter whose constraints include one :class:`Interval`.

    Returns
    -------
    Interval

    Examples
    --------
    >>> from tierkit.tiers.value_potential import ValuePotentialMatrix
    >>> str(interval_of(ValuePotentialMatrix, "quantile"))
    'a number strictly between 0 and 1'
    """
    intervals = [rule for rule in constraints_of(estimator)[name] if isinstance(rule, Interval)]
    if len(intervals) != 1:
        raise ValueError(f"{name} has {len(intervals)} Interval constraints, not one")
    return intervals[0]
