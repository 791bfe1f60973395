"""Bundled real data: the CDNOW transactions shipped inside the ``lifetimes`` package.

CDNOW is the 1/10th sample of customers who made their first purchase at the CDNOW online
music store in the first quarter of 1997, followed to the end of June 1998 (Fader, Hardie &
Lee 2005). ``CDNOW_master.txt`` holds all 23,570 customers; ``CDNOW_sample.txt`` the 2,357
customers of the published BG/NBD paper.

tierkit does not copy these files: they are package data of ``lifetimes``, which tierkit
pins (``lifetimes==0.11.3``) and cannot run without (it fits BG/NBD and Gamma-Gamma), so
every installation of tierkit has them, and a second 2 MB copy in tierkit's wheel would only
be something to keep in sync. :func:`cdnow_path` finds them with :mod:`importlib.resources`
and says so plainly if a repackaged ``lifetimes`` left them out.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from tierkit.data import read_transactions

#: The observation date of the course-style demo: the last day of the CDNOW data.
CDNOW_END = "1998-06-30"
#: The calibration end of Fader, Hardie & Lee (2005).
CDNOW_CALIBRATION_END = "1997-09-30"


def cdnow_path(sample: bool = False) -> Path:
    """Path of the raw CDNOW file inside the installed ``lifetimes`` package.

    Found with :mod:`importlib.resources`, so it works wherever ``lifetimes`` is installed,
    whatever the current directory.

    Parameters
    ----------
    sample : bool, default=False
        ``False`` gives ``CDNOW_master.txt`` (23,570 customers); ``True`` gives
        ``CDNOW_sample.txt`` (2,357 customers).

    Returns
    -------
    pathlib.Path
        The file on disk.

    Raises
    ------
    TierkitError
        If the installed ``lifetimes`` lacks the file (or is not installed as plain files).

    Examples
    --------
    >>> cdnow_path().name
    'CDNOW_master.txt'
    >>> cdnow_path().is_file()
    True
    """
    from tierkit.errors import TierkitError

    name = "CDNOW_sample.txt" if sample else "CDNOW_master.txt"
    try:
        resource = resources.files("lifetimes.datasets").joinpath(name)
    except ModuleNotFoundError:
        raise TierkitError("no_lifetimes", name=name, package="lifetimes",
                           command="pip install lifetimes==0.11.3") from None
    path = Path(str(resource))
    if not path.is_file():
        raise TierkitError("no_cdnow", path=path, package="lifetimes",
                           command="pip install --force-reinstall lifetimes==0.11.3")
    return path


def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """CDNOW transactions as a canonical tierkit transaction table.

    Parameters
    ----------
    sample : bool, default=False
        ``False`` gives the master data (23,570 customers, 69,659 lines); ``True`` the
        2,357-customer sample of the BG/NBD paper.

    Returns
    -------
    pandas.DataFrame
        Canonical transaction columns (:mod:`tierkit.data`), one row per purchase line;
        ``attrs["read_report"]`` holds the counts.

    Examples
    --------
    >>> tx = load_cdnow()
    >>> tx["customer_id"].nunique(), len(tx)
    (23570, 69659)
    """
    path = cdnow_path(sample)
    if sample:
        # The sample has no header: customer id, id in sample, date, CDs, dollars.
        tx = read_transactions(path, header=False, customer_id="1", date="3", quantity="4", amount="5")
    else:
        tx = read_transactions(path, amount="dollar_value", quantity="number_of_cds")
    # A data set is handed over as canonical transactions: the layout of the file it ships in is
    # not how a user's next file will be read, so a model trained on it records no reading.
    tx.attrs.pop("reading", None)
    return tx


def synthetic_survey(customer_ids, *, seed: int = 0, scale: str = "nps", response_rate: float = 0.6,
                     as_of=CDNOW_END, days: int = 365) -> pd.DataFrame:
    """A **synthetic**, seeded satisfaction survey for demos; never real customer answers.

    CDNOW has no survey. To show the CLV-CS grid on it, the demo invents answers: a random
    ``response_rate`` share of the customers answers one to three times within ``days``
    days up to ``as_of``; each respondent has a hidden satisfaction level drawn from a Beta
    distribution skewed towards satisfied (mean 0.7 of the scale) and each answer is that
    level plus noise, rounded to the scale's whole points. The result says nothing about
    CDNOW's customers; ``attrs["synthetic"]`` is ``True`` and reports must say so.

    Parameters
    ----------
    customer_ids : sequence of str
        Customers who may answer.
    seed : int, default=0
        Same seed, same answers.
    scale : {"nps", "csat"}, default="nps"
        0-10 or 1-5 scores.
    response_rate : float, default=0.6
        Share of customers with at least one answer.
    as_of : date-like, default="1998-06-30"
        Last possible answer date.
    days : int, default=365
        Answers fall in the ``days`` days up to ``as_of``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``date``, ``score`` (as read by :func:`tierkit.data.surveys.read_survey`),
        sorted by customer and date.

    Examples
    --------
    >>> s = synthetic_survey([f"c{i}" for i in range(1000)], seed=1)
    >>> bool(s.attrs["synthetic"]), bool(s["score"].between(0, 10).all())
    (True, True)
    >>> s.equals(synthetic_survey([f"c{i}" for i in range(1000)], seed=1))
    True
    """
    import numpy as np

    from tierkit.data.surveys import survey_scale
    from tierkit.errors import Param, TierkitError

    scale_ = survey_scale(scale)
    if not 0 < response_rate <= 1:
        raise TierkitError("in_unit_interval", param=Param("response_rate"), value=repr(response_rate))
    rng = np.random.default_rng(seed)
    ids = np.asarray([str(c) for c in customer_ids], dtype=object)
    respondents = ids[rng.random(len(ids)) < response_rate]
    level = rng.beta(3.5, 1.5, size=len(respondents))
    answers = rng.integers(1, 4, size=len(respondents))
    who = np.repeat(respondents, answers)
    noisy = np.repeat(level, answers) + rng.normal(0, 0.08, size=len(who))
    score = np.rint(scale_.low + np.clip(noisy, 0, 1) * (scale_.high - scale_.low))
    end = pd.Timestamp(as_of)
    date = end - pd.to_timedelta(rng.integers(0, days, size=len(who)), unit="D")
    out = pd.DataFrame({"customer_id": who.astype(str), "date": date, "score": score.astype("float64")})
    out = out.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    out["customer_id"] = out["customer_id"].astype("str")
    out.attrs.update(scale=scale_, synthetic=True)
    return out


#: The note a report shows when its satisfaction scores come from :func:`synthetic_survey`.
SYNTHETIC_SURVEY_NOTE = {
    "en": "The satisfaction scores in this report are SYNTHETIC: CDNOW has no survey, so tierkit.datasets."
          "synthetic_survey() invented seeded random answers to demonstrate the CLV-CS grid and NPS. "
          "They say nothing about CDNOW's customers.",
    "zh": "本报告中的满意度数据为合成数据: CDNOW没有满意度调查, tierkit.datasets.synthetic_survey() "
          "按固定随机种子生成了模拟答卷, 仅用于演示CLV-CS矩阵和NPS, 不反映CDNOW客户的真实情况。",
}
