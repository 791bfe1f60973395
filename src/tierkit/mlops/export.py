"""A fitted segmentation saved as an MLflow pyfunc model folder, without a tracking server.

The folder is the same model :func:`tierkit.mlops.pyfunc.log_segmentation_model` logs to a run
(code, ``segmentation`` and ``standards`` artifacts, signature, input example); use it for
scoring jobs, serving and tests that do not need a registry.
"""

from __future__ import annotations

from pathlib import Path

import mlflow.pyfunc
import pandas as pd

from tierkit.errors import TierkitError
from tierkit.mlops.pyfunc import model_parts


def save_segmentation_model(segmentation, features: pd.DataFrame, path, *, horizon=None) -> Path:
    """Save a fitted segmentation as an MLflow pyfunc model folder at ``path`` (must not exist).

    Examples
    --------
    >>> import tempfile, os, tierkit as tk
    >>> f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    >>> folder = save_segmentation_model(tk.Segmentation().fit(f), f, os.path.join(tempfile.mkdtemp(), "m"))
    >>> sorted(p.name for p in (folder / "artifacts").iterdir())
    ['segmentation.joblib', 'standards.json']
    """
    path = Path(path)
    if path.exists():
        raise TierkitError(f"{path}: already exists; a model is saved into a new folder")
    with model_parts(segmentation, features, horizon) as parts:
        mlflow.pyfunc.save_model(path=str(path), **parts)
    return path
