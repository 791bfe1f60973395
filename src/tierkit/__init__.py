"""tierkit: grade every customer, explainably, with a strategy per tier."""

from tierkit._version import __version__

# Where each public name lives. They are imported on first use (PEP 562), so `import tierkit`
# and the command line's --help do not pay for pandas, scikit-learn, DuckDB and MLflow.
_PUBLIC = {
    "load_cdnow": "tierkit.datasets",
    "DataError": "tierkit.errors",
    "ModelError": "tierkit.errors",
    "TierkitError": "tierkit.errors",
    "rfm_features": "tierkit.features.definition",
    "ABCClassifier": "tierkit.tiers.abc_tiers",
    "CLVModel": "tierkit.clv",
    "validate_clv": "tierkit.clv",
    "KMeansSegmenter": "tierkit.clusters",
    "CLVCSGrid": "tierkit.tiers.clv_cs",
    "next_tier_gaps": "tierkit.evaluation.migration",
    "tier_moves": "tierkit.evaluation.migration",
    "transition_matrix": "tierkit.evaluation.migration",
    "cs_index": "tierkit.data.surveys",
    "customer_satisfaction": "tierkit.data.surveys",
    "nps": "tierkit.data.surveys",
    "nps_by_tier": "tierkit.data.surveys",
    "read_survey": "tierkit.data.surveys",
    "with_satisfaction": "tierkit.data.surveys",
    "add_labels": "tierkit.tiers.schemes",
    "ValuePotentialMatrix": "tierkit.tiers.value_potential",
    "LifecycleStager": "tierkit.tiers.lifecycle",
    "RFMScorer": "tierkit.tiers.rfm_scores",
    "rfm_scores": "tierkit.tiers.rfm_scores",
    "RFMClassifier": "tierkit.tiers.rfm_classes",
    "Segmentation": "tierkit.segmentation.chain",
    "RFMSegmenter": "tierkit.tiers.rfm_segments",
    "rfm_segments": "tierkit.tiers.rfm_segments",
    "tier_summary": "tierkit.evaluation.summary",
    "assess_stability": "tierkit.evaluation.stability",
    "ColumnMap": "tierkit.data",
    "ReadOptions": "tierkit.data",
    "file_features": "tierkit.features.definition",
    "normalize_transactions": "tierkit.data",
    "read_transactions": "tierkit.data",
}


def __getattr__(name):
    if name in _PUBLIC:
        import importlib

        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value  # later lookups are plain attribute reads
        return value
    import importlib.util

    if not name.startswith("_") and importlib.util.find_spec(f"tierkit.{name}") is not None:
        return importlib.import_module(f"tierkit.{name}")  # tk.datasets, tk.charts ...
    raise AttributeError(f"module 'tierkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


__all__ = [
    "__version__",
    "add_labels",
    "assess_stability",
    "with_satisfaction",
    "CLVCSGrid",
    "CLVModel",
    "KMeansSegmenter",
    "validate_clv",
    "ValuePotentialMatrix",
    "cs_index",
    "customer_satisfaction",
    "next_tier_gaps",
    "nps",
    "nps_by_tier",
    "read_survey",
    "tier_moves",
    "transition_matrix",
    "ABCClassifier",
    "LifecycleStager",
    "RFMClassifier",
    "RFMSegmenter",
    "Segmentation",
    "rfm_segments",
    "tier_summary",
    "ColumnMap",
    "DataError",
    "ModelError",
    "RFMScorer",
    "TierkitError",
    "load_cdnow",
    "normalize_transactions",
    "read_transactions",
    "ReadOptions",
    "file_features",
    "rfm_features",
    "rfm_scores",
]
