"""Satisfaction survey answers: reading, per-customer scores, the CS index and NPS.

A survey table has one row per answer: ``customer_id`` (text), ``date`` and ``score`` on a
known scale:

==========  ==========  ===================================================
scale       range       note
==========  ==========  ===================================================
``nps``     0 .. 10     "How likely are you to recommend us?" (default)
``csat``    1 .. 5      customer satisfaction
``"a-b"``   a .. b      any other scale, e.g. ``"1-7"`` or ``(1, 7)``
==========  ==========  ===================================================

Scores outside the scale or not numbers are rejected, naming the row and the value: a
survey export with a 0-100 column read as NPS would otherwise give nonsense tiers.

* **Per customer** (:func:`customer_satisfaction`): the latest answer (default) or the mean
  of the answers within a window of days before the observation date.
* **CS index** (:func:`cs_index`): the score mapped linearly onto 0..100,
  ``100 * (score - min) / (max - min)``; so NPS 7 and CSAT 4 both give 70 and 75.
* **NPS** (:func:`nps`, Reichheld 2003): promoters score 9-10, passives 7-8, detractors
  0-6; NPS = % promoters - % detractors, from -100 to 100. It is defined on the 0-10 scale
  only. Here it counts one voice per customer (the per-customer score, so a mean of 8.5 is a
  passive).

Customers without an answer are not imputed: they have no CS index and later get
``cs_level = "unrated"`` (see :class:`tierkit.tiers.clv_cs.CLVCSGrid`, whose ``unrated`` option
documents the one explicit imputation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tierkit.data.tables import read_table
from tierkit.errors import DataError, Message, MissingColumnsError, Param, TierkitError

NPS_GROUPS = ("promoter", "passive", "detractor")


@dataclass(frozen=True)
class SurveyScale:
    """A closed score range ``[low, high]`` and its name.

    Examples
    --------
    >>> survey_scale("csat")
    SurveyScale(name='csat', low=1.0, high=5.0)
    >>> survey_scale("1-7").high
    7.0
    """

    name: str
    low: float
    high: float

    @property
    def is_nps(self) -> bool:
        """Whether NPS groups are defined on this scale (0..10)."""
        return self.low == 0 and self.high == 10

    def __str__(self) -> str:
        span = f"{self.low:g}-{self.high:g}"
        return span if self.name == span else f"{self.name} {span}"


_NAMED = {"nps": (0.0, 10.0), "csat": (1.0, 5.0)}


def survey_scale(scale) -> SurveyScale:
    """A :class:`SurveyScale` from ``"nps"``, ``"csat"``, ``"MIN-MAX"``, ``(min, max)`` or a scale."""
    if isinstance(scale, SurveyScale):
        return scale
    if isinstance(scale, str):
        key = scale.strip().lower()
        if key in _NAMED:
            return SurveyScale(key, *_NAMED[key])
        match = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)", key)
        if match:
            low, high = float(match.group(1)), float(match.group(2))
            return _checked(SurveyScale(f"{low:g}-{high:g}", low, high), scale)
    elif isinstance(scale, (tuple, list)) and len(scale) == 2:
        try:
            low, high = float(scale[0]), float(scale[1])
        except (TypeError, ValueError):
            pass
        else:
            return _checked(SurveyScale(f"{low:g}-{high:g}", low, high), scale)
    raise TierkitError("survey_scale", param=Param("scale"), value=repr(scale))


def _checked(scale: SurveyScale, given) -> SurveyScale:
    if not np.isfinite([scale.low, scale.high]).all() or scale.low >= scale.high:
        raise TierkitError("survey_scale_order", param=Param("scale"), value=repr(given))
    if scale.low == 0 and scale.high == 10:
        return SurveyScale("nps", 0.0, 10.0)
    if scale.low == 1 and scale.high == 5:
        return SurveyScale("csat", 1.0, 5.0)
    return scale


def read_survey(path, *, scale="nps", customer_id="customer_id", date="date", score="score",
                date_format=None, sheet_name=0) -> pd.DataFrame:
    r"""Read and check survey answers from CSV, Parquet or Excel.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.parquet`` or ``.xlsx``; one row per answer.
    scale : {"nps", "csat"}, "MIN-MAX" or (min, max), default="nps"
        The scale every score must lie on.
    customer_id, date, score : str
        Names of the source columns.
    date_format : str, optional
        ``strftime`` format of the dates.
    sheet_name : str or int, default=0
        Sheet of an Excel workbook.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (text), ``date``, ``score`` (float); ``attrs["scale"]`` is
        the :class:`SurveyScale`.

    Raises
    ------
    DataError
        One line naming the file, column, line and value: missing column, a score that is
        not a number or lies outside the scale, a bad date, an empty id.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(p, "w").write("customer_id,date,score\n007,2021-03-01,9\n")
    >>> read_survey(p)[["customer_id", "score"]].to_dict("records")
    [{'customer_id': '007', 'score': 9.0}]
    """
    path = Path(path)
    scale = survey_scale(scale)
    raw = read_table(path, Message("survey_file"), text_columns=[customer_id, score], sheet_name=sheet_name)
    suffix = path.suffix.lower()
    first_row = 2 if suffix in {".csv", ".tsv", ".txt"} else None
    return normalize_survey(raw, scale=scale, customer_id=customer_id, date=date, score=score,
                            date_format=date_format, source=str(path), first_row=first_row)


def normalize_survey(frame: pd.DataFrame, *, scale="nps", customer_id="customer_id", date="date",
                     score="score", date_format=None, source="survey", first_row=None) -> pd.DataFrame:
    """Check an in-memory survey table and bring it to the canonical columns.

    Same checks and output as :func:`read_survey`; errors name the 1-based data row, or the
    file line when ``first_row`` (the line of the first data row) is given.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a"], "date": ["2021-01-05"], "score": ["x"]})
    >>> normalize_survey(s, scale="csat")
    Traceback (most recent call last):
    ...
    tierkit.errors.DataError: survey: column 'score', row 1: value 'x' is not a number (1 bad row(s) in all)
    """
    from tierkit.data.duckdb_input import parse_date_values as _parse_dates  # the rules of transactions

    scale = survey_scale(scale)
    missing = [c for c in (customer_id, date, score) if c not in frame.columns]
    if missing:
        raise MissingColumnsError(source, missing, list(frame.columns), key="missing_survey_column")
    if len(frame) == 0:
        raise DataError("no_survey_rows", source=source)

    def where(pos: int) -> Message:
        return Message("line", n=first_row + pos) if first_row is not None else Message("row", n=pos + 1)

    ids = frame[customer_id]
    ids_text = ids.astype("str").str.strip()
    bad = ids.isna().to_numpy() | (ids_text == "").to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError("survey_empty_customer", source=source, column=repr(customer_id), location=where(pos),
                        count=int(bad.sum()))
    raw_scores = frame[score]
    if pd.api.types.is_bool_dtype(raw_scores):
        raise DataError("survey_boolean", source=source, column=repr(score), scale=scale)
    if pd.api.types.is_numeric_dtype(raw_scores):
        values = raw_scores.astype("float64").to_numpy()
    else:
        values = pd.to_numeric(raw_scores.astype("str").str.strip(), errors="coerce").astype("float64").to_numpy()
    not_number = ~np.isfinite(values)
    outside = np.isfinite(values) & ((values < scale.low) | (values > scale.high))
    for bad, what in ((not_number, Message("is_not_a_number")), (outside, Message("is_outside_scale", scale=scale))):
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            shown = Message("empty") if pd.isna(raw_scores.iloc[pos]) else repr(str(raw_scores.iloc[pos]))
            raise DataError("survey_bad_score", source=source, column=repr(score), location=where(pos), value=shown,
                            what=what, count=int(bad.sum()))
    out = pd.DataFrame({
        "customer_id": ids_text.to_numpy(),
        "date": _parse_dates(frame[date], date, source, date_format, where),
        "score": values,
    })
    out["customer_id"] = out["customer_id"].astype("str")
    out.attrs["scale"] = scale
    return out


def cs_index(scores, scale="nps"):
    """The scores mapped linearly onto 0..100 (the scale's minimum is 0, its maximum 100).

    Parameters
    ----------
    scores : array-like of float
        Scores on ``scale``.
    scale : str, tuple or SurveyScale, default="nps"
        The scale, as for :func:`survey_scale`.

    Returns
    -------
    ndarray of float
        The CS index of each score.

    Examples
    --------
    >>> cs_index(np.array([0, 7, 10])).tolist()
    [0.0, 70.0, 100.0]
    >>> cs_index(np.array([1, 4, 5]), "csat").tolist()
    [0.0, 75.0, 100.0]
    """
    scale = survey_scale(scale)
    return 100.0 * (np.asarray(scores, dtype="float64") - scale.low) / (scale.high - scale.low)


def nps_group(scores) -> np.ndarray:
    """``promoter`` (9-10), ``passive`` (7-8 and below 9) or ``detractor`` (below 7) per 0-10 score.

    Missing scores stay missing.

    Examples
    --------
    >>> nps_group(np.array([10, 8.5, 6, np.nan])).tolist()
    ['promoter', 'passive', 'detractor', nan]
    """
    scores = np.asarray(scores, dtype="float64")
    group = np.select([scores >= 9, scores >= 7, scores >= 0], ["promoter", "passive", "detractor"], "")
    out = group.astype(object)
    out[np.isnan(scores)] = np.nan
    return out


def nps(scores) -> float:
    """Net promoter score, % promoters - % detractors, of 0-10 scores (missing ones ignored).

    Parameters
    ----------
    scores : array-like of float
        0-10 scores.

    Returns
    -------
    float
        The NPS, from -100 to 100.

    Examples
    --------
    >>> nps([10, 9, 8, 3])  # 2 promoters, 1 detractor of 4
    25.0
    """
    scores = np.asarray(scores, dtype="float64")
    scores = scores[~np.isnan(scores)]
    if scores.size == 0:
        return float("nan")
    if scores.min() < 0 or scores.max() > 10:
        raise TierkitError("nps_scale", param=Param("scores"))
    return float(100.0 * ((scores >= 9).mean() - (scores < 7).mean()))


def nps_by_tier(table: pd.DataFrame, tier_column: str, score="cs_score") -> pd.DataFrame:
    """Respondents, promoter / passive / detractor shares (%) and NPS per tier.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer with the tier column and a 0-10 score column (missing for
        customers without an answer; they are not counted).
    tier_column : str
        The tier column (``rfm_class``, ``clv_cs_class`` ...).
    score : str, default="cs_score"
        The per-customer 0-10 score.

    Returns
    -------
    pandas.DataFrame
        Indexed by tier: ``respondents``, ``promoters``, ``passives``, ``detractors`` (% of
        respondents) and ``nps``.

    Examples
    --------
    >>> t = pd.DataFrame({"tier": ["a", "a", "a", "b"], "cs_score": [10, 9, 3, np.nan]})
    >>> nps_by_tier(t, "tier").loc["a", ["respondents", "promoters", "detractors", "nps"]].round(2).tolist()
    [3.0, 66.67, 33.33, 33.33]
    """
    for column in (tier_column, score):
        if column not in table.columns:
            raise TierkitError("missing_column_of", where="nps_by_tier", column=repr(column))
    rated = table.loc[table[score].notna(), [tier_column, score]]
    values = rated[score].to_numpy(dtype="float64")
    if values.size and (values.min() < 0 or values.max() > 10):
        raise TierkitError("nps_column", where="nps_by_tier", column=repr(score))
    groups = pd.DataFrame({
        "tier": rated[tier_column].to_numpy(),
        "promoters": values >= 9,
        "passives": (values >= 7) & (values < 9),
        "detractors": values < 7,
    })
    grouped = groups.groupby("tier", sort=False)
    out = 100.0 * grouped[["promoters", "passives", "detractors"]].mean()
    out.insert(0, "respondents", grouped.size().astype("float64"))
    out["nps"] = out["promoters"] - out["detractors"]
    out.index.name = tier_column
    return out


def customer_satisfaction(survey: pd.DataFrame, *, scale=None, how="latest", window=None, as_of=None) -> pd.DataFrame:
    """One satisfaction score and CS index per customer who answered.

    Parameters
    ----------
    survey : pandas.DataFrame
        Answers from :func:`read_survey` (or any table with ``customer_id``, ``date``,
        ``score``; it is checked again).
    scale : optional
        The scale; default the one :func:`read_survey` recorded, else ``"nps"``.
    how : {"latest", "mean"}, default="latest"
        The latest answer (the last row of the latest date when two answers share a date),
        or the mean of the answers in the window.
    window : int, optional
        Only answers from the ``window`` days up to ``as_of`` count (``as_of - window`` <
        date <= ``as_of``); default all.
    as_of : date-like, optional
        Answers after this date are left out; default the last answer date.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted): ``cs_score`` (on the scale), ``cs_index``
        (0..100), ``cs_answers`` (answers counted), ``cs_date`` (latest answer) and, on the
        0-10 scale, ``nps_group``. ``attrs["scale"]`` holds the scale.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "date": pd.to_datetime(["2021-01-01", "2021-03-01", "2021-02-01"]), "score": [4, 9, 6]})
    >>> customer_satisfaction(s)[["cs_score", "cs_index", "nps_group"]].to_dict("index")
    {'a': {'cs_score': 9.0, 'cs_index': 90.0, 'nps_group': 'promoter'},
     'b': {'cs_score': 6.0, 'cs_index': 60.0, 'nps_group': 'detractor'}}
    >>> customer_satisfaction(s, how="mean")["cs_score"].tolist()
    [6.5, 6.0]
    """
    if how not in ("latest", "mean"):
        raise TierkitError("not_supported_either", param=Param("how"), value=repr(how), choices="'latest' or 'mean'")
    scale = survey_scale(scale if scale is not None else survey.attrs.get("scale", "nps"))
    survey = normalize_survey(survey, scale=scale)
    if as_of is not None:
        from tierkit.data.dates import parse_date

        end = pd.Timestamp(parse_date(as_of, "as_of")) + pd.Timedelta(days=1)
    else:
        end = survey["date"].max() + pd.Timedelta(days=1)
    survey = survey[survey["date"] < end]
    if window is not None:
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window <= 0:
            raise TierkitError("survey_window", param=Param("window"), value=repr(window))
        start = end.normalize() - pd.Timedelta(days=int(window))
        survey = survey[survey["date"] >= start]
    ordered = survey.reset_index(drop=True).sort_values(["customer_id", "date"], kind="stable")
    grouped = ordered.groupby("customer_id", sort=True)
    score = grouped["score"].last() if how == "latest" else grouped["score"].mean()
    out = pd.DataFrame({
        "cs_score": score.astype("float64"),
        "cs_index": cs_index(score.to_numpy(), scale),
        "cs_answers": grouped.size().astype("int64"),
        "cs_date": grouped["date"].max(),
    })
    if scale.is_nps:
        out["nps_group"] = nps_group(out["cs_score"].to_numpy())
    out.index = out.index.astype("str")
    out.index.name = "customer_id"
    out.attrs["scale"] = scale
    return out


SATISFACTION_COLUMNS = ("cs_index", "cs_score", "nps_group")


def with_satisfaction(features: pd.DataFrame, survey) -> pd.DataFrame:
    """``features`` with each customer's satisfaction columns joined by customer id.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer (index customer id).
    survey : pandas.DataFrame or Series
        Per-customer satisfaction from :func:`customer_satisfaction` (index customer id,
        column ``cs_index`` 0..100; ``cs_score`` and ``nps_group`` are joined too), or a
        Series of CS indexes.

    Returns
    -------
    pandas.DataFrame
        ``features`` with ``cs_index`` (missing = no answer) and the other satisfaction
        columns present in ``survey``; same rows, same order.

    Examples
    --------
    >>> f = pd.DataFrame({"clv": [1.0, 2.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    >>> with_satisfaction(f, pd.DataFrame({"cs_index": [80.0]}, index=["b"]))["cs_index"].tolist()
    [nan, 80.0]
    """
    if isinstance(survey, pd.Series):
        survey = survey.rename("cs_index").to_frame()
    if not isinstance(survey, pd.DataFrame):
        raise TierkitError("survey_type", param=Param("survey"), got=type(survey).__name__)
    if "cs_index" not in survey.columns:
        raise DataError("survey_no_cs_index", param=Param("survey"), present=", ".join(map(str, survey.columns)))
    if survey.index.has_duplicates:
        dup = survey.index[survey.index.duplicated()][0]
        raise DataError("survey_duplicate", param=Param("survey"), customer=repr(dup))
    values = pd.to_numeric(survey["cs_index"], errors="coerce")
    bad = values.notna() & ((values < 0) | (values > 100))
    if bad.any():
        raise DataError("survey_cs_index", param=Param("survey"), column="'cs_index'", customer=repr(bad.idxmax()),
                        value=repr(survey["cs_index"][bad.idxmax()]))
    answers = survey[[c for c in SATISFACTION_COLUMNS if c in survey.columns]].copy()
    answers["cs_index"] = values.astype("float64")
    answers.index = answers.index.astype("str")
    answers = answers.reindex(features.index.astype("str"))
    answers.index = features.index
    table = features.drop(columns=[c for c in answers.columns if c in features.columns])
    joined = pd.concat([table, answers], axis=1)
    joined.attrs = dict(features.attrs)
    return joined
