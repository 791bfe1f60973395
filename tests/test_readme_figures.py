"""The README's figures are what the code prints (.ci/readme_figures.py, issue 21 item 5)."""

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
def test_the_readme_figures_are_what_the_code_prints():
    generator = _generator()
    found, _ = generator.stale()
    assert not found, (f"{len(found)} stale README figure(s); regenerate with "
                       f"`python .ci/readme_figures.py --write`:\n" + "\n".join(found))
