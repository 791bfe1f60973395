"""The score writer's former place: it is :mod:`tierkit.output_chunks` now.

Grading a base (:mod:`tierkit.grading`) writes its table with the same writer as scoring, so the
writer sits below both; its names still resolve here.
"""

from tierkit.output_chunks import OUTPUT_SUFFIXES as OUTPUT_SUFFIXES
from tierkit.output_chunks import ROW_GROUP_SIZE as ROW_GROUP_SIZE
from tierkit.output_chunks import ScoreWriter as ScoreWriter
from tierkit.output_chunks import check_score_path as check_score_path
