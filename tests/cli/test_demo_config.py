"""The demo's data: the packaged config is the repository's example, CDNOW comes from lifetimes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tierkit.cli.demo import demo_config
from tierkit.cli.main import main
from tierkit.datasets import cdnow_path
from tierkit.errors import TierkitError

ROOT = Path(__file__).resolve().parents[2]


def test_the_packaged_demo_config_is_the_repository_example_byte_for_byte():
    # experiments/cdnow.yaml is what users read and copy; src/tierkit/_data/cdnow.yaml is what
    # `tierkit demo` runs. Edit the first and copy it over the second.
    example = (ROOT / "experiments" / "cdnow.yaml").read_bytes()
    assert demo_config().read_bytes() == example, (
        "src/tierkit/_data/cdnow.yaml differs from experiments/cdnow.yaml; "
        "cp experiments/cdnow.yaml src/tierkit/_data/cdnow.yaml")


def test_the_demo_config_is_found_through_the_package_not_the_checkout():
    import tierkit

    packaged = Path(str(demo_config()))
    assert packaged.is_file()
    assert packaged.is_relative_to(Path(tierkit.__file__).parent)


def test_cdnow_files_come_from_the_installed_lifetimes_package():
    import lifetimes

    for sample in (False, True):
        path = cdnow_path(sample)
        assert path.is_file() and path.is_relative_to(Path(lifetimes.__file__).parent)


def test_a_lifetimes_without_its_data_files_gives_a_clear_error(tmp_path, monkeypatch):
    import tierkit.datasets

    # importlib.resources as seen by tierkit.datasets finds an empty lifetimes/datasets folder.
    monkeypatch.setattr(tierkit.datasets, "resources", SimpleNamespace(files=lambda package: tmp_path))
    with pytest.raises(TierkitError, match="CDNOW data not found in the installed lifetimes"):
        cdnow_path()


def test_demo_with_a_missing_config_names_it(tmp_path, capsys):
    assert main(["demo", "--config", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "d")]) == 2
    assert "nope.yaml: no such config file" in capsys.readouterr().err
