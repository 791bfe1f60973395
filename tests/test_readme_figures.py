"""The documentation's figures are what the code prints (.ci/readme_figures.py, issue 21 item 5).

The figures sit in the README and the pages under docs/ (issue 22 item 7 moved them there).
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / ".ci" / "readme_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_documentation_figures_are_what_the_code_prints():
    generator = _generator()
    found, _ = generator.stale()
    assert not found, (f"{len(found)} stale documentation figure(s); regenerate with "
                       f"`python .ci/readme_figures.py --write`:\n" + "\n".join(found))


def test_the_figures_are_read_from_the_documentation_pages():
    generator = _generator()
    pages = {path.relative_to(ROOT).as_posix() for path in generator.FILES}
    assert {"README.md", "docs/guide/reading.md", "docs/guide/clv.md", "docs/guide/clusters.md",
            "docs/guide/scoring.md"} <= pages
    assert not any("_build" in page for page in pages)


def test_a_changed_figure_on_a_page_is_found(tmp_path, monkeypatch):
    """The check compares each page's text with the code's value: a figure edited on a page is stale."""
    generator = _generator()
    page = tmp_path / "page.md"
    page.write_text("the sample: <!-- figure:cdnow_holdout_command -->`tierkit validate x`<!-- /figure -->\n",
                    encoding="utf-8")
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    monkeypatch.setattr(generator, "FIGURES", {"cdnow_holdout_command": generator.FIGURES["cdnow_holdout_command"]})
    found, values = generator.stale([page])
    assert found == [f"page.md: cdnow_holdout_command: '`tierkit validate x`' -> {values['cdnow_holdout_command']!r}"]
    page.write_text(f"<!-- figure:cdnow_holdout_command -->{values['cdnow_holdout_command']}<!-- /figure -->\n",
                    encoding="utf-8")
    assert generator.stale([page])[0] == []


def test_a_figure_on_no_page_is_found(tmp_path, monkeypatch):
    generator = _generator()
    page = tmp_path / "page.md"
    page.write_text("no figure here\n", encoding="utf-8")
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    monkeypatch.setattr(generator, "FIGURES", {"cdnow_holdout_command": generator.FIGURES["cdnow_holdout_command"]})
    found, _ = generator.stale([page])
    assert found == ["cdnow_holdout_command: defined in .ci/readme_figures.py but on no page"]
