"""tierkit: grade every customer, explainably, with a strategy per tier."""

from tierkit._version import __version__
from tierkit.datasets import load_cdnow
from tierkit.errors import DataError, ModelError, TierkitError
from tierkit.features import rfm_features
from tierkit.abc import ABCClassifier
from tierkit.clv import CLVModel, validate_clv
from tierkit.clusters import KMeansSegmenter
from tierkit.clv_cs import CLVCSGrid
from tierkit.migration import next_tier_gaps, tier_moves, transition_matrix
from tierkit.satisfaction import cs_index, customer_satisfaction, nps, nps_by_tier, read_survey
from tierkit.value_potential import ValuePotentialMatrix
from tierkit.lifecycle import LifecycleStager
from tierkit.rfm import RFMScorer, rfm_scores
from tierkit.rfm_classes import RFMClassifier
from tierkit.segmentation import Segmentation
from tierkit.segments import RFMSegmenter, rfm_segments
from tierkit.summary import tier_summary
from tierkit.data import ColumnMap, ReadOptions, file_features, normalize_transactions, read_transactions

__all__ = [
    "__version__",
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
