"""A fitted segmentation saved as an MLflow pyfunc model folder, without a tracking server.

The folder is the same model :func:`tierkit.mlops.pyfunc.log_segmentation_model` logs to a run
(code, ``segmentation`` and ``standards`` artifacts, signature, input example); use it for
scoring jobs, serving and tests that do not need a registry.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import joblib
import mlflow.pyfunc
import pandas as pd

from tierkit.errors import TierkitError
from tierkit.mlops.pyfunc import PIP_REQUIREMENTS, SegmentationModel, build_signature, model_input
from tierkit.segmentation.standards import dumps, segmentation_standards


def save_segmentation_model(segmentation, features: pd.DataFrame, path, *, horizon: float | None = None) -> Path:
    """Save a fitted segmentation as an MLflow pyfunc model folder at ``path`` (must not exist).

    Examples
    --------
    >>> import tempfile, os, tierkit as tk
    >>> f = tk.rfm_features(tk.load_cdnow(sample=True), as_of="1998-06-30")
    >>> folder = save_segmentation_model(tk.Segmentation().fit(f), f, os.path.join(tempfile.mkdtemp(), "m"))
    >>> sorted(p.name for p in (folder / "artifacts").iterdir())
    ['segmentation.joblib', 'standards.json']
    """
    import tierkit

    path = Path(path)
    if path.exists():
        raise TierkitError(f"{path}: already exists; a model is saved into a new folder")
    example_full = model_input(features)
    input_columns = [c for c in example_full.columns if c != "customer_id"]
    example = example_full.head(5)
    table = segmentation.transform(features.head(5))
    output_columns = [c for c in table.columns if c not in features.columns and c != "customer_id"]
    standards = segmentation_standards(segmentation)
    standards.update(input_columns=input_columns, output_columns=output_columns)
    with tempfile.TemporaryDirectory() as tmp:
        joblib.dump(segmentation, Path(tmp) / "segmentation.joblib")
        (Path(tmp) / "standards.json").write_text(dumps(standards), encoding="utf-8")
        mlflow.pyfunc.save_model(
            path=str(path),
            python_model=SegmentationModel(),
            artifacts={"segmentation": str(Path(tmp) / "segmentation.joblib"),
                       "standards": str(Path(tmp) / "standards.json")},
            code_paths=[str(Path(tierkit.__file__).parent)],
            signature=build_signature(segmentation, example, table[output_columns].reset_index(), horizon),
            input_example=example,
            pip_requirements=list(PIP_REQUIREMENTS),
        )
    return path
