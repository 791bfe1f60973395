"""Comparing segmentations on held-out value: which scheme's tiers separate future spend.

Every scheme is scored on the same calibration/holdout split. For a tier column and the
customers' actual spend in the holdout period:

* ``variance_share`` -- share of the holdout-spend variance that lies between tiers
  (eta squared, SS_between / SS_total): 1 when tiers alone explain who spends, 0 when they
  explain nothing;
* ``top_tier_lift`` -- holdout spend per customer of the scheme's top tier over that of the
  whole base;
* ``order_agreement`` -- Spearman correlation between the scheme's tier order (best first)
  and the tiers' mean holdout spend: +1 when the tier order is the value order;
* ``size_balance`` -- normalised entropy of tier sizes (1 = equal sizes, 0 = one tier);
* ``silhouette`` -- silhouette of the tiers on the scaled RFM features (log1p, then
  standardised; a seeded sample of at most 5,000 customers);

and :func:`scheme_agreement` gives the adjusted Rand index between every pair of schemes.

**Ranking.** :func:`compare_schemes` ranks the schemes by ``variance_share``, highest first;
schemes with equal shares keep the order they were given in, and a scheme without a share
(``NaN``) comes last. :func:`best_scheme` is the first of that ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score, silhouette_score

from tierkit.errors import TierkitError

METRICS = ("variance_share", "top_tier_lift", "order_agreement", "size_balance", "silhouette")
#: What each held-out metric (and ``tiers``) means, one line each, for run descriptions.
METRIC_MEANINGS = {
    "variance_share": "share of the holdout-spend variance that lies between tiers (0-1, higher is better; "
                      "the ranking metric)",
    "top_tier_lift": "holdout spend per customer of the top tier over that of the whole base",
    "order_agreement": "Spearman correlation of the tier order (best first) with the tiers' mean holdout spend "
                       "(+1: the tier order is the value order)",
    "size_balance": "normalised entropy of the tier sizes (1 = equal sizes, 0 = one tier)",
    "silhouette": "silhouette of the tiers on the scaled RFM features (-1 to 1)",
    "tiers": "number of tiers holding customers",
}


def variance_share(tiers: pd.Series, value: pd.Series) -> float:
    """Between-tier share of the variance of ``value`` (eta squared).

    Examples
    --------
    >>> variance_share(pd.Series(["a", "a", "b", "b"]), pd.Series([1.0, 1.0, 3.0, 3.0]))
    1.0
    """
    value = value.astype("float64")
    total = float(((value - value.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    means = value.groupby(tiers.to_numpy()).transform("mean")
    return float(((means - value.mean()) ** 2).sum() / total)


def size_balance(tiers: pd.Series) -> float:
    """Normalised entropy of tier sizes: 1 for equal sizes, 0 for a single tier.

    Examples
    --------
    >>> size_balance(pd.Series(["a", "b", "a", "b"]))
    1.0
    """
    shares = tiers.value_counts(normalize=True).to_numpy()
    if len(shares) < 2:
        return 0.0
    return float(-(shares * np.log(shares)).sum() / np.log(len(shares)))


def order_agreement(tiers: pd.Series, value: pd.Series, order) -> float:
    """Spearman correlation of tier order (best first) with the tiers' mean ``value``.

    Examples
    --------
    >>> order_agreement(pd.Series(["hi", "lo", "mid"]), pd.Series([9.0, 1.0, 5.0]), ["hi", "mid", "lo"])
    1.0
    """
    means = value.groupby(tiers.to_numpy()).mean()
    ranked = [k for k in order if k in means.index]
    if len(ranked) < 2:
        return float("nan")
    position = -np.arange(len(ranked), dtype=float)  # best first -> highest
    rho = spearmanr(position, means.loc[ranked].to_numpy()).statistic
    return float(rho)


def scaled_rfm(table: pd.DataFrame) -> np.ndarray:
    """log1p then standardised recency, frequency and monetary (negative spend clipped at 0)."""
    values = np.log1p(table[["recency", "frequency", "monetary"]].clip(lower=0).to_numpy(dtype="float64"))
    std = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)


def scheme_scores(table: pd.DataFrame, column: str, order, *, holdout: str = "holdout_spend",
                  sample: int = 5000, seed: int = 0) -> dict:
    """All :data:`METRICS` for one tier column (see the module docs)."""
    for needed in (column, holdout):
        if needed not in table.columns:
            raise TierkitError("column_missing_scored", where="compare", column=repr(needed))
    tiers = table[column].astype("str")
    value = table[holdout].astype("float64")
    top = next((k for k in order if (tiers == k).any()), None)
    base = value.mean()
    lift = float(value[tiers == top].mean() / base) if top is not None and base else float("nan")
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(table), size=min(sample, len(table)), replace=False))
    labels = tiers.to_numpy()[pick]
    silhouette = float("nan")
    if 1 < len(set(labels)) < len(labels):
        silhouette = float(silhouette_score(scaled_rfm(table.iloc[pick]), labels))
    return {
        "variance_share": variance_share(tiers, value),
        "top_tier_lift": lift,
        "order_agreement": order_agreement(tiers, value, order),
        "size_balance": size_balance(tiers),
        "silhouette": silhouette,
        "tiers": int(tiers.nunique()),
        "top_tier": top,
    }


def compare_schemes(table: pd.DataFrame, schemes: dict, **kwargs) -> pd.DataFrame:
    """One row per scheme (``{column: tier order}``), best held-out separation first."""
    rows = {column: scheme_scores(table, column, order, **kwargs)
            for column, order in schemes.items() if column in table.columns}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "scheme"
    return frame.sort_values("variance_share", ascending=False, kind="stable")


def best_scheme(comparison: pd.DataFrame) -> str | None:
    """The top scheme of the ranking (see the module docs): highest ``variance_share``, first given on ties.

    Parameters
    ----------
    comparison : pandas.DataFrame
        One row per scheme with a ``variance_share`` column, in the order the schemes were
        given or already ranked (:func:`compare_schemes`).

    Returns
    -------
    str or None
        None when no scheme has a share.

    Examples
    --------
    >>> best_scheme(pd.DataFrame({"variance_share": [0.2, 0.5, 0.5]}, index=["a", "b", "c"]))
    'b'
    """
    shares = pd.to_numeric(comparison["variance_share"], errors="coerce")
    if shares.notna().sum() == 0:
        return None
    ranked = shares.sort_values(ascending=False, kind="stable", na_position="last")
    return str(ranked.index[0])


def scheme_agreement(table: pd.DataFrame, columns) -> pd.DataFrame:
    """Adjusted Rand index between every pair of tier columns present in ``table``.

    Examples
    --------
    >>> t = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "p", "q", "q"]})
    >>> float(scheme_agreement(t, ["a", "b"]).loc["a", "b"])
    1.0
    """
    columns = [c for c in columns if c in table.columns]
    ari = pd.DataFrame(index=columns, columns=columns, dtype="float64")
    for a in columns:
        for b in columns:
            ari.loc[a, b] = adjusted_rand_score(table[a].astype("str"), table[b].astype("str"))
    return ari
