"""Sphinx configuration of tierkit's documentation (``make docs``).

Pages are Markdown (MyST); the API reference is generated from the numpydoc docstrings of the
public API at every build (``api/generated/``, not kept in git); the guide's examples run in the
``doctest`` builder. ``make docs`` builds both with warnings as errors.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))  # _examples.py, the doctests' shared set-up

import tierkit  # noqa: E402  (after the path set-up above)

project = "tierkit"
author = "tierkit developers"
copyright = "tierkit developers"
release = tierkit.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "README.md"]
root_doc = "index"
language = "en"

# Markdown: GitHub's tables, $...$ left alone, headings linkable as `page.md#anchor`.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"tierkit {release}"
html_static_path: list[str] = []
html_show_sourcelink = False

# The API reference: one page per public module (written by write_api_pages below), numpydoc
# renders the sections, autodoc reads the objects, autosummary tables link to them. Class members
# are listed by autodoc (numpydoc's own member tables would need a page per method).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()  # tests/test_docstrings.py validates the docstrings
autosummary_generate = False  # the pages are written by write_api_pages
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc Parameters section states the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "inherited-members": False, "show-inheritance": False}

intersphinx_mapping: dict[str, tuple[str, None]] = {}

# The guide's examples: every ``{doctest}`` / ``{testcode}`` block of the pages runs in `make docs`
# (the doctest builder), in a scratch folder holding the files the examples read.
doctest_global_setup = "import _examples; _examples.setup()"
doctest_test_doctest_blocks = ""  # the docstrings' own examples run in pytest (--doctest-modules)
doctest_default_flags = (__import__("doctest").ELLIPSIS | __import__("doctest").NORMALIZE_WHITESPACE
                         | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1)

nitpicky = False
suppress_warnings: list[str] = []


# --- the API reference, generated from __all__ ----------------------------------------------

#: The public modules of the reference, in reading order: (module, what it holds). Names already
#: on the `tierkit` page are not repeated on a module's page.
API_MODULES = [
    ("tierkit", "The public API: ``import tierkit as tk``."),
    ("tierkit.data", "Files and frames to canonical transactions, and surveys."),
    ("tierkit.features", "The RFM feature definition and its engines."),
    ("tierkit.clv", "Purchase models, Gamma-Gamma, ``CLVModel`` and holdout validation."),
    ("tierkit.clusters", "k-means segments, k selection and naming."),
    ("tierkit.segmentation", "The chain of tier steps and the standards it learned."),
    ("tierkit.evaluation.comparison", "Comparing schemes on a holdout."),
    ("tierkit.evaluation.migration", "Moves between two snapshots and the gap to the next tier."),
    ("tierkit.evaluation.summary", "Customers, revenue and strategy per tier."),
    ("tierkit.evaluation.agreement", "Where the schemes disagree, and which to follow."),
    ("tierkit.evaluation.alerts", "What a reader must know before acting."),
    ("tierkit.evaluation.stability", "How far to trust the clusters: bootstrap ARI and Jaccard."),
    ("tierkit.reporting.charts", "The plot functions (``ax=None``, return the Axes)."),
    ("tierkit.reporting.report", "The tier management report (HTML)."),
    ("tierkit.grading", "The one grading workflow of ``segment``, ``report`` and ``run``."),
    ("tierkit.mlops.experiment", "Experiment runs: compare the schemes, log, register."),
    ("tierkit.mlops.config", "Experiment configs (YAML or TOML), checked."),
    ("tierkit.mlops.export", "The fitted segmentation as an MLflow model folder."),
    ("tierkit.mlops.registry", "Registering a run's model with its standards."),
    ("tierkit.scoring", "Batch scoring engines: local DuckDB and Spark."),
    ("tierkit.spark.training", "Training on Spark: a file, a URI or a DataFrame in, standards and tiers out."),
    ("tierkit.spark.session", "The Spark session tierkit runs on."),
    ("tierkit.datasets", "The bundled data: CDNOW and the synthetic survey."),
    ("tierkit.output", "Safe, atomic table writing."),
    ("tierkit.errors", "The errors a user can act on."),
    ("tierkit.threads", "Thread pools capped at the cores the process may use."),
]


def _public_names(module) -> list[str]:
    """The documented names of ``module``: its ``__all__``, else its own public functions and classes."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name, value in vars(module).items()
                 if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
                 and value.__module__ == module.__name__]
    return [name for name in names if name != "__version__"]


def _directive(value) -> str:
    """The autodoc directive that documents ``value``."""
    if inspect.isclass(value):
        return "autoexception" if issubclass(value, BaseException) else "autoclass"
    return "autofunction" if callable(value) else "autodata"


def write_api_pages(app=None) -> None:
    """Write ``api/generated/<module>.rst``: the module's docstring, a table of its names, then each name.

    One page per module (not per object) keeps the site small: the theme renders the whole
    navigation tree on every page.
    """
    out = DOCS / "api" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    top = set(_public_names(tierkit))
    for modname, summary in API_MODULES:
        module = importlib.import_module(modname)
        names = _public_names(module)
        if modname != "tierkit":
            names = [name for name in names if name not in top]
        names = sorted(names, key=str.lower)
        title = f"``{modname}``"
        lines = [title, "=" * len(title), "", f".. automodule:: {modname}", "   :no-members:", "",
                 summary, "", f".. currentmodule:: {modname}", ""]
        if names:
            lines += [".. autosummary::", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in names]
            lines += [""]
            for name in names:
                lines += [f".. {_directive(getattr(module, name))}:: {name}", ""]
        text = "\n".join(lines) + "\n"
        page = out / f"{modname}.rst"
        if not page.exists() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
    for stale in out.glob("*.rst"):  # a module no longer listed, or an object page of an older layout
        if stale.stem not in {modname for modname, _ in API_MODULES}:
            stale.unlink()


def skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing, not tierkit's API)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    """Write the API pages before the sources are read; skip scikit-learn's routing methods."""
    app.connect("autodoc-skip-member", skip_member)


write_api_pages()
