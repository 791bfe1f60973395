"""The layers of the pipeline: no import runs back up it (ARCHITECTURE.md, [tool.importlinter] in pyproject.toml).

``make lint`` runs the same contract with ``lint-imports``; here a developer sees it in the suite.
Imports inside functions count: a lazy import up the pipeline is still a back-import.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_imports_flow_down_the_pipeline():
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"],  # reads pyproject.toml
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout, done.stdout


def test_no_module_imports_the_package_root():
    # tierkit/__init__.py resolves the public names of every stage on use; a stage that imported it
    # would reach every other one (the layers contract does not see the root: it holds the layers)
    graph = grimp.build_graph("tierkit", cache_dir=None)
    assert graph.find_modules_that_directly_import("tierkit") == set()


@pytest.mark.parametrize("old, new, names", [
    ("tierkit.tiers.vocabulary", "tierkit.words", ["HEADERS", "term", "Tier", "check_lang"]),
    ("tierkit.data", "tierkit.features.definition", ["file_features"]),
    ("tierkit.features.definition", "tierkit.data.dates", ["parse_date"]),
    ("tierkit.features.definition", "tierkit.data.contract", ["MONEY_TYPE"]),
    ("tierkit.data.files", "tierkit.paths", ["is_pattern", "matching_files"]),
    ("tierkit.clusters.naming", "tierkit.words", ["cluster_label", "cluster_strategy"]),
    ("tierkit.evaluation.alerts", "tierkit.clv.alerts", ["clv_model_alerts", "PARAMETER_RANGE"]),
    ("tierkit.reporting.report.headline", "tierkit.evaluation.agreement", ["FAVOURED", "LAPSING"]),
    ("tierkit.scoring.writer", "tierkit.output_chunks", ["ScoreWriter", "check_score_path", "OUTPUT_SUFFIXES"]),
    ("tierkit.mlops.pyfunc", "tierkit.segmentation.standards", ["check_model_format"]),
])
def test_names_moved_to_their_stage_still_resolve_where_they_were(old, new, names):
    before, after = importlib.import_module(old), importlib.import_module(new)
    for name in names:
        assert getattr(before, name) is getattr(after, name), f"{old}.{name}"
