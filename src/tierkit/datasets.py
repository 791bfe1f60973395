"""Bundled real data: the CDNOW transactions shipped inside the ``lifetimes`` package.

CDNOW is the 1/10th sample of customers who made their first purchase at the CDNOW online
music store in the first quarter of 1997, followed to the end of June 1998 (Fader, Hardie &
Lee 2005). ``CDNOW_master.txt`` holds all 23,570 customers; ``CDNOW_sample.txt`` the 2,357
customers of the published BG/NBD paper.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from tierkit.transactions import ColumnMap, normalize_transactions, read_transactions

#: The observation date of the course-style demo: the last day of the CDNOW data.
CDNOW_END = "1998-06-30"
#: The calibration end of Fader, Hardie & Lee (2005).
CDNOW_CALIBRATION_END = "1997-09-30"


def cdnow_path(sample: bool = False) -> Path:
    """Path of the raw CDNOW file inside the installed ``lifetimes`` package.

    Examples
    --------
    >>> cdnow_path().name
    'CDNOW_master.txt'
    """
    name = "CDNOW_sample.txt" if sample else "CDNOW_master.txt"
    return Path(str(resources.files("lifetimes.datasets").joinpath(name)))


def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """CDNOW transactions as a canonical tierkit transaction table.

    Parameters
    ----------
    sample : bool, default=False
        ``False`` gives the master data (23,570 customers, 69,659 lines); ``True`` the
        2,357-customer sample of the BG/NBD paper.

    Examples
    --------
    >>> tx = load_cdnow()
    >>> tx["customer_id"].nunique(), len(tx)
    (23570, 69659)
    """
    path = cdnow_path(sample)
    if sample:
        # The sample has no header: customer id, id in sample, date, CDs, dollars.
        raw = pd.read_csv(
            path,
            sep=r"\s+",
            header=None,
            names=["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"],
            dtype={"customer_id": str, "sample_id": str},
        )
        columns = ColumnMap(amount="dollar_value", quantity="number_of_cds")
        return normalize_transactions(raw, columns=columns, source=str(path), first_row=1)
    return read_transactions(path, amount="dollar_value", quantity="number_of_cds")
