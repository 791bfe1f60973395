"""The layers of the pipeline: no import runs back up it (ARCHITECTURE.md, [tool.importlinter] in pyproject.toml).

``make lint`` runs the same contract with ``lint-imports``; here a developer sees it in the suite.
Imports inside functions count: a lazy import up the pipeline is still a back-import.
"""

import ast
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


def test_file_features_is_no_longer_a_name_of_the_reader():
    # the alias `from tierkit.data import file_features` (a module __getattr__ loading tierkit.features)
    # made the reader import a stage above it; the name lives in tierkit.features only
    import tierkit.data

    assert not hasattr(tierkit.data, "file_features")
    with pytest.raises(ImportError):
        exec("from tierkit.data import file_features", {})
    assert importlib.import_module("tierkit.features").file_features is importlib.import_module("tierkit").file_features


SRC = ROOT / "src"

#: Private modules another stage may import from, each with its reason: the estimators' base class
#: (ARCHITECTURE.md names it ``tiers/_base.py``; clusters, clv, segmentation and the charts build on
#: it), and the version (its own stage at the bottom of the layers).
SHARED_PRIVATE_MODULES = {"tierkit.tiers._base", "tierkit._version"}


def _stage(module: str) -> str:
    """The stage a module belongs to: ``tierkit.clusters`` for ``tierkit.clusters.selection``, a top module itself."""
    return ".".join(module.split(".")[:2])


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imports(path: Path, module: str):
    """``(line, imported module, imported name or None)`` of every import of ``path``, inside functions too."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                yield node.lineno, base, alias.name


def private_imports_across_stages(src: Path = SRC) -> list[str]:
    """Every import of a private name (``_x``) or from a private module of another stage, as ``file:line: what``."""
    found = []
    for path in sorted((src / "tierkit").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for line, imported, name in _imports(path, module):
            if not imported.startswith("tierkit") or _stage(imported) == _stage(module):
                continue
            where = f"{path.relative_to(src)}:{line}"
            if name is not None and _private(name):
                found.append(f"{where}: {name} of {imported}")
            elif imported not in SHARED_PRIVATE_MODULES and any(_private(p) for p in imported.split(".")):
                found.append(f"{where}: the private module {imported}")
    return found


def test_no_module_imports_a_private_name_of_another_stage():
    # a name with a leading underscore is its module's own; another stage that needs it needs a
    # public, documented name at the right layer (tierkit.grading.grade_chunk, describe_choice ...)
    assert private_imports_across_stages() == []


def test_the_private_import_check_sees_what_it_must(tmp_path):
    package = tmp_path / "tierkit"
    (package / "clusters").mkdir(parents=True)
    (package / "reporting").mkdir()
    (package / "__init__.py").write_text("")
    (package / "clusters" / "__init__.py").write_text("")
    (package / "clusters" / "selection.py").write_text("def _rule(): ...\n")
    (package / "clusters" / "segmenter.py").write_text("from tierkit.clusters.selection import _rule\n")
    (package / "reporting" / "__init__.py").write_text("")
    (package / "reporting" / "render.py").write_text(
        "def f():\n    from tierkit.clusters.selection import _rule, select_k\n"
        "    from tierkit.clusters._hidden import x\n    from ..clusters.selection import _rule\n")
    assert private_imports_across_stages(tmp_path) == [
        "tierkit/reporting/render.py:2: _rule of tierkit.clusters.selection",
        "tierkit/reporting/render.py:3: the private module tierkit.clusters._hidden",
        "tierkit/reporting/render.py:4: _rule of tierkit.clusters.selection",
    ]
