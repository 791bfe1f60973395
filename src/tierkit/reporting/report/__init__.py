"""The HTML tier management report (one self-contained file per segmentation)."""

from tierkit.reporting.report.render import SCHEMES, render_report, report_sections, write_report

__all__ = ["SCHEMES", "render_report", "report_sections", "write_report"]
