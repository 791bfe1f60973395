"""The standards of a fitted segmentation as plain JSON: edges, means, cut-offs, thresholds.

"Clear, stated standards" (明确的标准): a customer's tier must be explainable from numbers.
This is the readable record of those numbers that travels with every exported model.
"""

from __future__ import annotations

import json
import math

import numpy as np

from tierkit._version import __version__
from tierkit.errors import ModelError

#: Bumped when a saved model's layout changes; models with another format are refused.
MODEL_FORMAT = 2  # 2: modules moved to the tiers/ mlops/ ... layout (issue 11); format-1 pickles name old modules


def plain_values(value):
    """A JSON-friendly copy of ``value``: numpy to Python, inf and nan to text, keys to text.

    The standards of a saved model and the figures logged to MLflow are written with it, so an
    infinite bin edge reads back as ``"inf"``, not as JSON's forbidden ``Infinity``.

    Parameters
    ----------
    value : object
        Nested dicts, lists, tuples and arrays of numbers, strings, None and numpy scalars.

    Returns
    -------
    object
        The same structure with only JSON types.

    Examples
    --------
    >>> plain_values({1: np.array([-np.inf, 2.5]), "n": np.int64(3), "ok": np.bool_(True)})
    {'1': ['-inf', 2.5], 'n': 3, 'ok': True}
    """
    if isinstance(value, dict):
        return {str(k): plain_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain_values(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def segmentation_standards(segmentation) -> dict:
    """Every learned standard of a fitted :class:`tierkit.Segmentation`, by step.

    Each step contributes what it learned: ``standards()`` when it has one, else its fitted
    attributes (names ending in ``_``, small ones only).
    """
    steps = {}
    for name, step in segmentation.steps_:
        if hasattr(step, "standards"):
            learned = step.standards()
        else:
            learned = {k: v for k, v in vars(step).items()
                       if k.endswith("_") and not k.startswith("_") and _is_small(v)}
        params = step.get_params(deep=False) if hasattr(step, "get_params") else {}
        steps[name] = {"class": type(step).__name__, "params": plain_values(_simple(params)),
                       "learned": plain_values(learned)}
    return {
        "tierkit_version": __version__,
        "model_format": MODEL_FORMAT,
        "time_unit": getattr(segmentation, "time_unit_", None),
        "frequency_of": getattr(segmentation, "frequency_of_", None),
        "reading": plain_values(getattr(segmentation, "reading_", None)),
        "feature_columns": list(getattr(segmentation, "feature_columns_", [])),
        "skipped_steps": dict(getattr(segmentation, "skipped_steps_", {})),
        "steps": steps,
    }


def _is_small(value) -> bool:
    """Plain values and small arrays are standards; fitted sub-models and big arrays are not."""
    if isinstance(value, np.ndarray):
        return value.size <= 200
    return isinstance(value, (int, float, str, bool, list, tuple, dict, np.generic, type(None)))


def _simple(params: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str, bool, type(None), list, tuple, dict)) else repr(v))
            for k, v in params.items()}


def dumps(standards: dict) -> str:
    """Stable, readable JSON text (sorted keys, UTF-8 kept)."""
    return json.dumps(standards, indent=2, sort_keys=True, ensure_ascii=False)


def check_model_format(standards: dict, source: str = "model") -> None:
    """Refuse a model saved in a layout this tierkit cannot read (:data:`MODEL_FORMAT`).

    Parameters
    ----------
    standards : dict
        The model's standards (``standards.json``): its ``model_format`` and ``tierkit_version``.
    source : str, default="model"
        What the message names as the model (its URI or folder).

    Raises
    ------
    ModelError
        When the model's format is not :data:`MODEL_FORMAT`.
    """
    found = standards.get("model_format")
    if found != MODEL_FORMAT:
        raise ModelError("model_format", source=source, saved=standards.get("tierkit_version", "?"), found=found,
                         version=__version__, expected=MODEL_FORMAT)
