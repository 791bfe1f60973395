"""The built wheel, installed in a fresh virtual environment, runs ``tierkit demo`` anywhere.

The test builds tierkit's wheel from a copy of the checkout's sources (so the build writes
nothing into the checkout), makes a new venv in ``tmp_path``, installs only the wheel there
(``--no-deps``) and lends it the dependencies of the running venv through a ``.pth`` line.
That line adds the running venv's site-packages *after* the new venv's own, and the ``.pth``
files inside it (among them the editable install's pointer to ``src/``) are not processed, so
``import tierkit`` can only find the wheel's copy; the test asserts it. Then the venv's own
``tierkit demo`` runs in an empty folder, without ``PYTHONPATH``, as a user would type it, and
with the system fonts hidden (an own mount namespace with empty font folders, see
``tests/reporting/test_fonts.py``): the Chinese report's charts draw with the CJK font inside
the wheel, as on a machine without any fonts.

Building needs the build backend of ``[build-system] requires``: if the running venv has it,
the build is offline (``--no-build-isolation``); otherwise pip builds in isolation and fetches
it from the package index (pip's cache makes later runs quick).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from reporting.test_fonts import SEEN, check_fonts_are_hidden, without_system_fonts

ROOT = Path(__file__).resolve().parents[2]
CDNOW_CUSTOMERS = 23570


def _has_build_backend() -> bool:
    """Whether this venv satisfies ``[build-system] requires`` (then no network is needed)."""
    from packaging.requirements import Requirement

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    for line in requires:
        requirement = Requirement(line)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def _run(args, *, timeout, **kwargs) -> subprocess.CompletedProcess:
    run = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert run.returncode == 0, f"{args}\nstdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-3000:]}"
    return run


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in ["pyproject.toml", "README.md", *(p.name for p in ROOT.glob("LICEN[CS]E*"))]:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build"))
    dist = tmp_path / "dist"
    isolation = ["--no-build-isolation"] if _has_build_backend() else []
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", *isolation, "-w", dist,
          "--disable-pip-version-check", "-q"], cwd=source, timeout=600)
    (wheel,) = dist.glob("tierkit-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    # The base interpreter, not this venv's: the new venv starts with an empty site-packages.
    _run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=120)
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     timeout=60).stdout.strip())
    lent = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_dependencies_of_the_test_venv.pth").write_text("".join(f"{d}\n" for d in lent))
    # This venv's pip installs into the new one (pip --python); only the wheel, no dependencies.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", "-q", wheel], timeout=300)
    return venv


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user who installed the wheel: no checkout, no test settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "MLFLOW_TRACKING_URI", "VIRTUAL_ENV", "PYTHONSTARTUP"}
           and (k == "PATH" or str(ROOT) not in v)}
    path = [d for d in env.get("PATH", "").split(os.pathsep) if d and not d.startswith(str(ROOT))]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.mark.slow
def test_the_built_wheel_runs_the_demo_in_an_empty_folder(tmp_path):
    started = time.monotonic()
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "tierkit/_data/cdnow.yaml" in names and "tierkit/py.typed" in names
    fontdata = "tierkit/reporting/charts/fontdata/"
    fonts = {f"{fontdata}TierkitSansCJK-{style}.otf" for style in ("Regular", "Bold")}
    assert {*fonts, f"{fontdata}OFL.txt"} <= set(names)  # the CJK fonts and their license
    assert zipfile.ZipFile(wheel).read("tierkit/_data/cdnow.yaml") == (ROOT / "experiments" / "cdnow.yaml").read_bytes()
    built = time.monotonic()

    venv = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "empty"
    work.mkdir()
    env = _clean_env(venv)
    probe = _run([venv / "bin" / "python", "-c",
                  "import sys, tierkit, tierkit.cli.demo as d; print(tierkit.__file__); print(d.demo_config()); "
                  "print(*sys.path, sep='\\n')"], cwd=work, env=env, timeout=120).stdout.splitlines()
    tierkit_file, config_file, path = Path(probe[0]), Path(probe[1]), probe[2:]
    assert tierkit_file.is_relative_to(venv), f"tierkit imported from {tierkit_file}, not from the wheel"
    assert config_file.is_relative_to(venv) and config_file.is_file()
    # the checkout's sources are not on the path (its venv's site-packages, lent for dependencies, may be)
    assert not any(entry in (str(ROOT), "") or entry.startswith(str(ROOT / "src")) for entry in path[1:]), path

    # No system fonts from here on: the process sees only matplotlib's fonts and the wheel's CJK font.
    args, hidden = without_system_fonts([venv / "bin" / "python", "-c", SEEN], tmp_path, env=env)
    seen = json.loads(_run(args, cwd=work, env=hidden, timeout=300).stdout.splitlines()[-1])
    check_fonts_are_hidden(seen)
    assert all(Path(font).is_relative_to(venv) for font in seen["bundled"])

    args, hidden = without_system_fonts([venv / "bin" / "tierkit", "demo"], tmp_path, env=env)
    run = _run(args, cwd=work, env=hidden, timeout=1200)
    demo_seconds = time.monotonic() - built
    assert f"{CDNOW_CUSTOMERS:,} customers" in run.stdout
    for scheme in ("rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage"):
        assert scheme in run.stdout
    assert "registered: models:/tierkit-cdnow@champion" in run.stdout
    assert "missing from font" not in run.stderr and "Chinese glyphs" not in run.stderr, run.stderr[-3000:]
    out = work / "tierkit-demo"
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    assert len(customers) == customers["customer_id"].nunique() == CDNOW_CUSTOMERS
    for column in ("rfm_class", "abc_tier", "lifecycle_stage", "clv", "cluster_name", "clv_cs_class"):
        assert column in customers.columns, column
    for report, words in (("report.html", ("SYNTHETIC", 'id="clv_cs_class"', 'id="cluster_name"')),
                          ("report.zh.html", ("客户分级", "合成数据"))):
        page = (out / report).read_text(encoding="utf-8")
        assert page.count("data:image/png;base64,") >= 12, report
        for word in words:
            assert word in page, (report, word)
    assert any((out / "charts").iterdir())
    assert (work / "mlflow.db").exists()
    # Nothing else appears in the folder the user ran the demo from.
    assert {p.name for p in work.iterdir()} <= {"tierkit-demo", "mlflow.db", "mlflow.db.lock", "mlruns", "mlartifacts"}
    print(f"wheel built in {built - started:.0f}s; venv + demo in {demo_seconds:.0f}s")
