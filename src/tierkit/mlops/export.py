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
from tierkit.output import atomic_folder, write_error


def save_segmentation_model(segmentation, features: pd.DataFrame, path, *, horizon=None) -> Path:
    """Save a fitted segmentation as an MLflow pyfunc model folder at ``path`` (must not exist).

    The folder appears whole or not at all: it is built in a temporary folder beside ``path``
    and renamed at the end (:func:`tierkit.output.atomic_folder`). A failure, a full disk or an
    interrupt leaves nothing at ``path``, so the same command can simply be run again.

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        The fitted segmentation.
    features : pandas.DataFrame
        Features it was fitted on (for the signature and input example).
    path : str or os.PathLike
        The model folder to create.
    horizon : optional
        The CLV horizon the model predicts over.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TierkitError
        ``path`` already exists.
    tierkit.output.WriteError
        The folder could not be written: ``no space left on device writing <path>``.

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
        raise TierkitError("model_folder_exists", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # as MLflow does
    except OSError as exc:
        raise write_error(exc, path) from exc
    with model_parts(segmentation, features, horizon) as parts, atomic_folder(path) as build:
        mlflow.pyfunc.save_model(path=str(build), **parts)
    return path
