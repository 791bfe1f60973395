"""A fitted segmentation: the chain of column-adding tier steps and the standards it learned.

The chain is in :mod:`.chain`, the standards in :mod:`.standards`.
"""

from tierkit.segmentation.chain import Segmentation, build_segmentation

__all__ = ["Segmentation", "build_segmentation"]
