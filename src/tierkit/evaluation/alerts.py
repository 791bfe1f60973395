"""What a person must know before acting on the tiers.

Degenerate fits, penalties that moved a model they were not needed for, unstable clusters, tiers that say
nothing, surveys that reach few customers.

Each alert is one sentence in plain words with the figure behind it, in English or Chinese (the
wording lives in :data:`tierkit.words.TERMS`, keys ``alert_*``). The command line
prints them as warnings in its ``--lang``, the report shows them in a warning panel on its first
screen, in the report's language, and ``tierkit run`` logs them as the MLflow tag
``tierkit.alerts`` (English, stable for searching) and ``tierkit.alerts_zh``.
"""

from __future__ import annotations

import pandas as pd

from tierkit.clusters.selection import index_preferences

# the alerts of a fitted CLV model are the CLV stage's own (validate_clv gives them too)
from tierkit.clv.alerts import PARAMETER_RANGE as PARAMETER_RANGE
from tierkit.clv.alerts import clv_model_alerts
from tierkit.clv.trust import NEARLY_ALL
from tierkit.tiers.schemes import abc_scheme_of, table_schemes, tier_schemes
from tierkit.words import check_lang, term

#: A share of customers at or above this is "nearly everyone" (as in :mod:`tierkit.clv.trust`).
NEARLY_ALL = NEARLY_ALL
#: A survey matching fewer customers than this share grades few of them.
FEW_ANSWERS = 0.20
#: Tiers the grading of purchases does not fill, so their being empty says nothing about the scheme:
#: ``potential`` customers come only from a master list (:func:`tierkit.tiers.lifecycle.add_potential_customers`),
#: ``unrated`` holds the customers a survey missed (empty when it reached everyone). The empty-tier alert
#: leaves them out of its count unless the table holds some.
UNFILLED_BY_GRADING = {"lifecycle_stage": ("potential",), "clv_cs_class": ("unrated",)}


class TierTally:
    """Customers per tier of every scheme column, and those with a CS index, counted chunk by chunk.

    What the tier alerts need of a graded table, so a base graded in chunks (:func:`tierkit.grading.grade_file`)
    gets the alerts its whole table would get.

    Examples
    --------
    >>> tally = TierTally()
    >>> tally.add(pd.DataFrame({"abc_tier": ["A", "B"]}))
    >>> tally.add(pd.DataFrame({"abc_tier": ["A"]}))
    >>> tally.rows, tally.counts["abc_tier"].to_dict()
    (3, {'A': 2, 'B': 1})
    """

    def __init__(self):
        self.rows = 0
        self.counts: dict[str, pd.Series] = {}
        self.rated: int | None = None

    def add(self, table: pd.DataFrame) -> None:
        """Count the tiers of one more chunk of graded customers."""
        self.rows += len(table)
        for column in table_schemes(table):
            if column in table.columns:
                counts = table[column].astype("object").value_counts(dropna=True)
                before = self.counts.get(column)
                self.counts[column] = counts if before is None else before.add(counts, fill_value=0).astype("int64")
        if "cs_index" in table.columns:
            self.rated = (self.rated or 0) + int(table["cs_index"].notna().sum())

    @classmethod
    def of(cls, table: pd.DataFrame) -> TierTally:
        """The tally of a whole graded table."""
        tally = cls()
        tally.add(table)
        return tally


def grading_alerts(segmentation, table, lang: str = "en") -> list[str]:
    """Alerts about a fitted segmentation and the table it graded.

    Parameters
    ----------
    segmentation : tierkit.Segmentation
        Fitted.
    table : pandas.DataFrame or TierTally
        Its ``transform`` output (one row per customer), or the tally of its tiers.
    lang : {"en", "zh"}, default="en"
        Language of the sentences; the figures in them are the same.

    Returns
    -------
    list of str
        One sentence per alert; empty when nothing needs saying.

    Examples
    --------
    >>> import tierkit as tk
    >>> f = pd.DataFrame({"recency": [1, 5, 30, 60], "frequency": [5, 2, 1, 1],
    ...     "monetary": [300.0, 80.0, 20.0, 10.0], "frequency_btyd": [4, 1, 0, 0],
    ...     "recency_btyd": [40, 10, 0, 0]}, index=pd.Index(list("abcd"), name="customer_id"))
    >>> seg = tk.Segmentation().fit(f)
    >>> alerts = grading_alerts(seg, seg.transform(f))  # four customers leave most tiers empty
    >>> [a for a in alerts if a.startswith("abc_tier")]
    ["abc_tier: no customer is 'high_end', 'important' (2 of 4 tiers empty)"]
    """
    check_lang(lang)
    steps = dict(segmentation.steps_)
    alerts = []
    if "clv" in steps:
        alerts += clv_model_alerts(steps["clv"], lang)
    if "clusters" in steps:
        alerts += _cluster_alerts(steps["clusters"], lang)
    tally = table if isinstance(table, TierTally) else TierTally.of(table)
    alerts += _tier_alerts(tally, lang)
    if "clv_cs" in steps and tally.rated is not None:
        rated = tally.rated / tally.rows if tally.rows else 0.0
        if rated < FEW_ANSWERS:
            alerts.append(term("alert_few_answers", lang, share=f"{rated:.0%}"))
    return alerts


def deciding_rule(clusters) -> str:
    """The rule that chose the clusters' k: their ``selection_rule``, or ``"vote"`` where it fell back.

    The ``action`` rule falls back to the indices' vote when no k can be acted on
    (``k_reason_``: no candidate ``"actionable"``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> deciding_rule(SimpleNamespace(selection_rule="action", k_reason_={"candidates": [{"action": "unstable"}]}))
    'vote'
    """
    rule = getattr(clusters, "selection_rule", "vote")
    reason = getattr(clusters, "k_reason_", None) or {}
    if rule == "action" and not any(c.get("action") == "actionable" for c in reason.get("candidates", [])):
        return "vote"
    return rule


def _cluster_alerts(clusters, lang: str) -> list[str]:
    alerts = []
    profiles = clusters.profiles_
    if "stability" in profiles.columns:
        dissolved = profiles.index[profiles["stability"] == "dissolved"].tolist()
        if dissolved:
            named = "cluster_name" in profiles.columns
            names = ", ".join(f"{c} ({profiles.loc[c, 'cluster_name']})" if named else str(c) for c in dissolved)
            alerts.append(term("alert_dissolved", lang, names=names))
    if clusters.selection_ is not None and clusters.k is None:
        high = max(clusters.selection_.index)
        rule = deciding_rule(clusters)
        if clusters.k_ == high:
            alerts.append(term("alert_k_edge_action" if rule == "action" else "alert_k_edge", lang, k=clusters.k_))
        preferred = index_preferences(clusters.selection_)
        if len(set(preferred.values())) > 1:
            shown = ", ".join(f"{name} k={k}" for name, k in preferred.items())
            alerts.append(term("alert_k_disagree", lang, preferences=shown, k=clusters.k_, rule=term(rule, lang)))
    return alerts


def _tier_alerts(tally: TierTally, lang: str) -> list[str]:
    alerts = []
    abc = tally.counts.get("abc_tier")
    schemes = tier_schemes(abc_scheme_of(list(abc[abc > 0].index) if abc is not None else ()))
    for column, counts in tally.counts.items():
        if not tally.rows:
            continue
        # a tier by its key in English (the word in the tables), by its label in Chinese
        labels = {t.key: (t.key if lang == "en" else t.label(lang)) for t in schemes[column]}
        shares = counts[counts > 0].sort_values(ascending=False, kind="stable") / tally.rows
        if len(shares) and shares.iloc[0] >= NEARLY_ALL:
            top = str(shares.index[0])
            alerts.append(term("alert_one_tier", lang, column=column, share=f"{shares.iloc[0]:.0%}",
                               tier=repr(labels.get(top, top))))
        seen = {str(k) for k in shares.index}
        counted = [k for k in labels if k in seen or k not in UNFILLED_BY_GRADING.get(column, ())]
        empty = [k for k in counted if k not in seen]
        if seen and empty:
            alerts.append(term("alert_empty_tiers", lang, column=column,
                               tiers=", ".join(repr(labels[k]) for k in empty), n=len(empty), total=len(counted)))
    return alerts
