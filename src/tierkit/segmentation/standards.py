"""The standards of a fitted segmentation as plain JSON: edges, means, cut-offs, thresholds.

"Clear, stated standards" (明确的标准): a customer's tier must be explainable from numbers.
This is the readable record of those numbers that travels with every exported model.
"""

from __future__ import annotations

import json
import math

import numpy as np

from tierkit._version import __version__

#: Bumped when a saved model's layout changes; models with another format are refused.
MODEL_FORMAT = 2  # 2: modules moved to the tiers/ mlops/ ... layout (issue 11); format-1 pickles name old modules


def _plain(value):
    """JSON-friendly copy: numpy to Python, inf/nan to strings, keys to text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
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
        steps[name] = {"class": type(step).__name__, "params": _plain(_simple(params)), "learned": _plain(learned)}
    return {
        "tierkit_version": __version__,
        "model_format": MODEL_FORMAT,
        "time_unit": getattr(segmentation, "time_unit_", None),
        "frequency_of": getattr(segmentation, "frequency_of_", None),
        "reading": _plain(getattr(segmentation, "reading_", None)),
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
