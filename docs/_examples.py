"""The files the documentation's examples read, made once per build in a scratch folder.

``make docs`` runs every ``{doctest}`` block of the pages (Sphinx's doctest builder); each block
starts with ``_examples.setup()`` (``doctest_global_setup`` in ``conf.py``), which moves to a
scratch folder holding:

- ``tx.csv``: the CDNOW sample that ships with lifetimes (6,919 purchase lines of 2,357
  customers, 1997-01-01 to 1998-06-30) with the course exercise's column names 客户ID, 日期, 金额;
- ``online_retail.parquet``: the UCI Online Retail file of the tests (``tests/data/``);
- ``survey.csv``: ``tierkit.datasets.synthetic_survey`` for the sample's customers (seeded, and
  synthetic: CDNOW has no survey).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FOLDER: Path | None = None


def setup() -> Path:
    """Move to the scratch folder, making it and its files on the first call; its path."""
    global _FOLDER
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # The pages say in comments what warns; the build's log keeps to Sphinx's own messages.
    warnings.simplefilter("ignore", UserWarning)
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    if _FOLDER is None:
        folder = Path(tempfile.mkdtemp(prefix="tierkit-docs-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _write_files(folder)
        _FOLDER = folder
    os.chdir(_FOLDER)
    return _FOLDER


def _write_files(folder: Path) -> None:
    import tierkit as tk
    from tierkit.datasets import synthetic_survey

    sample = tk.load_cdnow(sample=True)
    course = sample.rename(columns={"customer_id": "客户ID", "date": "日期", "amount": "金额"})
    course[["客户ID", "日期", "金额"]].to_csv(folder / "tx.csv", index=False, date_format="%Y-%m-%d")
    shutil.copy2(ROOT / "tests" / "data" / "online_retail.parquet", folder / "online_retail.parquet")
    survey = synthetic_survey(sorted(sample["customer_id"].unique()))
    survey.to_csv(folder / "survey.csv", index=False)
