"""A fitted segmentation: the chain of column-adding tier steps (:mod:`.chain`) and the
standards it learned (:mod:`.standards`).
"""

from tierkit.segmentation.chain import Segmentation, build_segmentation

__all__ = ["Segmentation", "build_segmentation"]
