"""What ``tierkit run`` writes into MLflow besides the model: one child run per scheme, descriptions.

An experiment run is a *parent* run (the final model, report, charts, comparison table) with one
nested *child* run per compared scheme, named after the scheme. Every child logs the same
metrics (:data:`SCHEME_METRICS`), so MLflow's compare view ranks the schemes side by side, and
the standards of the steps behind its scheme: short ones as parameters ``<step>.<name>``, all
of them in ``standards.json``.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from tierkit.evaluation.comparison import METRIC_MEANINGS, METRICS
from tierkit.segmentation.chain import STEP_LABELS
from tierkit.segmentation.standards import plain_values

#: Metrics every scheme's child run logs (NaN where a scheme has none, so the keys are the same).
SCHEME_METRICS = (*METRICS, "tiers", "rank")
#: The step that makes each tier column.
SCHEME_STEP = {"rfm_class": "rfm_classes", "rfm_segment": "rfm_segments", "abc_tier": "abc",
               "lifecycle_stage": "lifecycle", "clv_cs_class": "clv_cs", "value_potential": "value_potential",
               "cluster": "clusters"}
#: Longest parameter value MLflow keeps.
PARAM_LIMIT = 500


def scheme_steps(segmentation, scheme: str) -> list:
    """The fitted steps behind a tier column: its own step and the earlier steps whose columns it reads.

    Parameters
    ----------
    segmentation : Segmentation
        Fitted.
    scheme : str
        A tier column (``"rfm_segment"``, ``"cluster"`` ...).

    Returns
    -------
    list of str
        Step names in run order; empty when the segmentation has no step for ``scheme``.

    Examples
    --------
    >>> from tierkit.segmentation.chain import Segmentation
    >>> f = pd.DataFrame({"recency": [1, 9, 30], "frequency": [4, 2, 1], "monetary": [90.0, 20.0, 5.0]})
    >>> scheme_steps(Segmentation(lifecycle=False).fit(f), "rfm_segment")
    ['rfm', 'rfm_segments']
    """
    fitted = dict(segmentation.steps_)
    names = list(fitted)
    own = SCHEME_STEP.get(scheme)
    if own not in fitted:
        return []
    needed, wanted = {own}, [own]
    while wanted:  # the earlier steps whose output columns a needed step reads, transitively
        name = wanted.pop()
        reads = set(getattr(fitted[name], "columns_in_", ()))
        for earlier in names[:names.index(name)]:
            if earlier not in needed and reads & set(fitted[earlier].get_feature_names_out()):
                needed.add(earlier)
                wanted.append(earlier)
    return [name for name in names if name in needed]


def scheme_standards(segmentation, scheme: str) -> dict:
    """The learned standards of the steps behind ``scheme``, by step, as plain JSON values."""
    steps = dict(segmentation.steps_)
    return {name: plain_values(steps[name].standards()) for name in scheme_steps(segmentation, scheme)
            if hasattr(steps[name], "standards")}


def _short(value):
    """Floats to 6 significant digits, for parameters people read (``standards.json`` keeps them all)."""
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.6g}")
    return value


def standards_params(standards: dict) -> dict:
    """MLflow parameters ``<step>.<name>`` from :func:`scheme_standards`: values of at most 500 characters.

    Structured values longer than that (cluster profiles, the k-selection table) are left to the
    JSON artifact; empty ones are left out. Clusters add one ``clusters.cluster_<n>`` parameter per
    cluster: its name, size and share.

    Examples
    --------
    >>> standards_params({"abc": {"thresholds": {"A": 390.351234, "C": "-inf"}, "note": {}}})
    {'abc.thresholds': '{"A": 390.351, "C": "-inf"}'}
    """
    out = {}
    for step, learned in standards.items():
        for key, value in learned.items():
            if value in (None, {}, [], ""):
                continue
            text = value if isinstance(value, str) else json.dumps(_short(value), ensure_ascii=False)
            if isinstance(value, str) and len(text) > PARAM_LIMIT:
                text = text[:PARAM_LIMIT - 1] + "…"
            if len(text) <= PARAM_LIMIT:
                out[f"{step}.{key}"] = text
        if step == "clusters":
            for row in learned.get("profiles", []):
                out[f"clusters.cluster_{row['cluster']}"] = (
                    f"{row['cluster_name']}: {row['customers']:,} customers ({row['share']:.1%})")[:PARAM_LIMIT]
    return out


def scheme_description(scheme: str, steps, *, calibration_end, holdout_end, customers: int, rank: int,
                       schemes: int) -> str:
    """A child run's description: its scheme, what was fitted when, and what each metric means.

    Examples
    --------
    >>> print(scheme_description("abc_tier", ["abc"], calibration_end="1997-09-30", holdout_end="1998-06-30",
    ...                          customers=1000, rank=1, schemes=4).splitlines()[0])
    **abc_tier** (ABC tiers): ranked 1 of 4 schemes on the holdout.
    """
    labels = ", ".join(STEP_LABELS.get(s, s) for s in steps) or "no step"
    lines = [f"**{scheme}** ({labels}): ranked {rank} of {schemes} schemes on the holdout.",
             "",
             f"Fitted on the calibration period up to {calibration_end} ({customers:,} customers) and scored on "
             f"their spend up to {holdout_end}. The parameters `<step>.<name>` are the standards learned then; "
             "`standards.json` holds all of them.",
             "",
             "Metrics:"]
    lines += [f"- `{name}`: {meaning}" for name, meaning in METRIC_MEANINGS.items()]
    lines.append("- `rank`: position in the ranking by `variance_share` (1 = best)")
    return "\n".join(lines)


def log_scheme_runs(comparison: pd.DataFrame, segmentation, *, calibration_end, holdout_end, customers: int,
                    tags: dict | None = None) -> dict:
    """One nested MLflow run per scheme of ``comparison`` under the active run; ``{scheme: run id}``.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`tierkit.evaluation.comparison.compare_schemes`'s table (ranked).
    segmentation : Segmentation
        The segmentation fitted on the calibration period (whose tiers were scored).
    calibration_end, holdout_end : date or str
        The comparison's split, for the descriptions.
    customers : int
        Customers of the calibration fit.
    tags : dict, optional
        Tags every child also gets (the config, the as-of date).

    Returns
    -------
    dict
    """
    import mlflow

    run_ids = {}
    for rank, (scheme, row) in enumerate(comparison.iterrows(), start=1):
        steps = scheme_steps(segmentation, scheme)
        description = scheme_description(scheme, steps, calibration_end=calibration_end, holdout_end=holdout_end,
                                         customers=customers, rank=rank, schemes=len(comparison))
        with mlflow.start_run(run_name=str(scheme), nested=True, description=description) as child:
            mlflow.set_tags({**(tags or {}), "tierkit.scheme": str(scheme), "tierkit.steps": ",".join(steps),
                             "tierkit.fitted_on": f"calibration period up to {calibration_end}"})
            values = {name: row.get(name, float("nan")) for name in SCHEME_METRICS if name != "rank"}
            metrics = {name: (float(value) if pd.notna(value) else float("nan")) for name, value in values.items()}
            mlflow.log_metrics({**metrics, "rank": float(rank)})
            standards = scheme_standards(segmentation, scheme)
            if standards:
                mlflow.log_params(standards_params(standards))
                mlflow.log_dict(standards, "standards.json")
            run_ids[str(scheme)] = child.info.run_id
    return run_ids


def run_description(config, *, as_of, customers: int, segmentation, comparison, best: str | None,
                    alerts: int, k: int | None) -> str:
    """The parent run's description: what was fitted, as of when, on how many customers, the best scheme, alerts.

    Parameters
    ----------
    config : ExperimentConfig
    as_of : date or str
    customers : int
    segmentation : Segmentation
        The final, fitted segmentation.
    comparison : pandas.DataFrame or None
        The ranked comparison (None without a holdout).
    best : str or None
        The top scheme.
    alerts : int
        Grading alerts raised.
    k : int or None
        The clusters' k.

    Returns
    -------
    str
        Markdown, as MLflow shows a run's description.
    """
    steps = ", ".join(STEP_LABELS.get(name, name) for name, _ in segmentation.steps_)
    lines = [f"**{config.name}**: {config.description}" if config.description else f"**{config.name}**", "",
             f"Fitted {steps} on {customers:,} customers as of {as_of} (time unit {config.time_unit})."]
    clv = dict(segmentation.steps_).get("clv")
    extras = []
    if k is not None:
        extras.append(f"Clusters: k = {k}")
    if clv is not None and hasattr(clv, "model_"):
        extras.append(f"CLV purchase model: {clv.model_}")
    if extras:
        lines[-1] += " " + "; ".join(extras) + "."
    if comparison is not None and best is not None:
        share = comparison.loc[best, "variance_share"]
        lines.append(f"Best scheme on the holdout ({config.dates['calibration_end']} to "
                     f"{config.dates['holdout_end']}): **{best}** (variance share {share:.3f}) of "
                     f"{len(comparison)} schemes; one child run per scheme.")
    else:
        lines.append("No holdout comparison (the config has no calibration_end).")
    lines.append(f"Alerts: {alerts}" + (" (tag `tierkit.alerts`)." if alerts else "."))
    return "\n".join(lines)
