"""No file a command writes may be one of its inputs (issue 20).

Every command's every output option (``--out``, ``--rejects``, ``--save-model``, ``--plots``,
migrate's ``--out``, a config's ``data.rejects``, demo's ``--out`` folder, compare's ``--out``)
is pointed at an input, spelled plainly, through a symbolic link and as ``dir/../file``: the
command refuses in one line naming the option, with exit status 2, and every input keeps its
bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tierkit.cli.main import main

TX = "customer_id,date,amount\nA,2021-01-03,10\nB,2021-02-04,7\nA,2021-02-05,3\nC,2021-03-01,5\n"
SURVEY = "customer_id,date,score\nA,2021-02-01,9\nB,2021-02-10,7\n"
SNAPSHOT = "customer_id,abc_tier\nA,high_end\nB,ordinary\n"
MANY = "customer_id,date,amount\n" + "".join(
    f"C{i},2021-0{1 + i % 3}-0{1 + i % 9},{5 + i}\nC{i},2021-03-1{i % 9},{i + 1}\n" for i in range(24))
CONFIG = "name: t\ndata:\n  path: tx.csv\n  rejects: {rejects}\ndates: {{as_of: 2021-04-01}}\n"


@pytest.fixture
def files(tmp_path):
    """The inputs every case reads: transactions, a survey, two snapshots, a model folder, configs."""
    (tmp_path / "tx.csv").write_text(TX)
    (tmp_path / "survey.csv").write_text(SURVEY)
    (tmp_path / "old.csv").write_text(SNAPSHOT)
    (tmp_path / "new.csv").write_text(SNAPSHOT.replace("ordinary", "high_end"))
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "mlflow.db").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "run.yaml").write_text(CONFIG.format(rejects=str(tmp_path / "tx.csv")))
    (tmp_path / "survey.yaml").write_text(CONFIG.format(rejects=str(tmp_path / "survey.csv"))
                                          + "satisfaction: {path: survey.csv}\n")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "customers.csv").write_text(TX)
    (tmp_path / "demo.yaml").write_text(CONFIG.replace("tx.csv", "demo/customers.csv").format(rejects="null"))
    (tmp_path / "sub").mkdir()
    return tmp_path


def _tx(d):
    return str(d / "tx.csv")


# (id, argv before the output option, output option, the input it is pointed at, what the error names)
CASES = [
    ("segment --out", lambda d: ["segment", _tx(d), "--as-of", "2021-04-01"], "--out", "tx.csv", "--out"),
    ("segment --out survey", lambda d: ["segment", _tx(d), "--as-of", "2021-04-01", "--out", str(d / "o.csv"),
                                        "--satisfaction", str(d / "survey.csv")], "--out", "survey.csv", "--out"),
    ("segment --rejects", lambda d: ["segment", _tx(d), "--as-of", "2021-04-01", "--out", str(d / "o.csv")],
     "--rejects", "tx.csv", "--rejects"),
    ("segment --save-model", lambda d: ["segment", _tx(d), "--as-of", "2021-04-01", "--out", str(d / "o.csv")],
     "--save-model", "tx.csv", "--save-model"),
    ("segment --out in --model", lambda d: ["segment", _tx(d), "--as-of", "2021-04-01", "--model",
                                            str(d / "model")], "--out", "model/MLmodel", "--out"),
    ("report --out", lambda d: ["report", _tx(d), "--as-of", "2021-04-01"], "--out", "tx.csv", "--out"),
    ("report --rejects", lambda d: ["report", _tx(d), "--as-of", "2021-04-01", "--out", str(d / "r.html")],
     "--rejects", "tx.csv", "--rejects"),
    ("score --out", lambda d: ["score", _tx(d), "--model", str(d / "model"), "--as-of", "2021-04-01",
                               "--no-progress"], "--out", "tx.csv", "--out"),
    ("score --rejects", lambda d: ["score", _tx(d), "--model", str(d / "model"), "--as-of", "2021-04-01",
                                   "--no-progress", "--out", str(d / "s.csv")], "--rejects", "tx.csv", "--rejects"),
    ("score --out in --model", lambda d: ["score", _tx(d), "--model", str(d / "model"), "--as-of", "2021-04-01",
                                          "--no-progress"], "--out", "model/MLmodel", "--out"),
    ("clusters --plots", lambda d: ["clusters", _tx(d), "--as-of", "2021-04-01", "--no-stability"],
     "--plots", "tx.csv", "--plots"),
    ("clusters --rejects", lambda d: ["clusters", _tx(d), "--as-of", "2021-04-01", "--no-stability"],
     "--rejects", "tx.csv", "--rejects"),
    ("validate --plots", lambda d: ["validate", _tx(d), "--calibration-end", "2021-02-01", "--holdout-end",
                                    "2021-04-01"], "--plots", "tx.csv", "--plots"),
    ("validate --rejects", lambda d: ["validate", _tx(d), "--calibration-end", "2021-02-01", "--holdout-end",
                                      "2021-04-01"], "--rejects", "tx.csv", "--rejects"),
    ("migrate --out old", lambda d: ["migrate", str(d / "old.csv"), str(d / "new.csv")], "--out", "old.csv",
     "--out"),
    ("migrate --out new", lambda d: ["migrate", str(d / "old.csv"), str(d / "new.csv")], "--out", "new.csv",
     "--out"),
    ("migrate --model --rejects", lambda d: ["migrate", _tx(d), "--model", str(d / "model"), "--old-as-of",
                                             "2021-02-01", "--new-as-of", "2021-04-01"], "--rejects", "tx.csv",
     "--rejects"),
    ("migrate --model --out", lambda d: ["migrate", _tx(d), "--model", str(d / "model"), "--old-as-of",
                                         "2021-02-01", "--new-as-of", "2021-04-01"], "--out", "model/MLmodel",
     "--out"),
    ("demo --out config", lambda d: ["demo", "--config", str(d / "demo.yaml"), "--tracking-uri",
                                     f"sqlite:///{d / 'mlflow.db'}"], "--out", "demo.yaml", "--out"),
    ("demo --out data", lambda d: ["demo", "--config", str(d / "demo.yaml"), "--tracking-uri",
                                   f"sqlite:///{d / 'mlflow.db'}"], "--out", "demo", "--out"),
    ("compare --out", lambda d: ["compare", "--tracking-uri", f"sqlite:///{d / 'mlflow.db'}"], "--out",
     "mlflow.db", "--out"),
]
SPELLINGS = ("plain", "symlink", "dotdot")
FOLDER_OPTIONS = ("--plots", "--save-model")  # and demo's --out


def spelled(d: Path, target: str, spelling: str) -> str:
    """``target`` (relative to ``d``) as given, through a symbolic link, or as ``sub/../target``."""
    path = d / target
    if spelling == "plain":
        return str(path)
    if spelling == "symlink":
        link = d / f"link-{path.name}"
        link.symlink_to(path)
        return str(link)
    return str(d / "sub" / ".." / target)


def snapshot(d: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file() and not p.is_symlink()}


def refused(argv, capsys, option, why="is also an input file") -> str:
    status = main(argv)
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    assert len(err.splitlines()) == 1, err
    assert f"{option} " in err or f"'{option}'" in err, err
    assert why in err, err
    return err


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(("argv", "option", "target", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_output_option_pointed_at_an_input_is_refused_and_the_input_kept(files, capsys, argv, option, target,
                                                                               named, spelling):
    before = snapshot(files)
    args = argv(files)
    # a folder option given an existing file is refused by its click.Path(file_okay=False) type
    folder = option in FOLDER_OPTIONS or args[0] == "demo"
    why = "is a file" if folder and (files / target).is_file() else "is also an input file"
    refused([*args, option, spelled(files, target, spelling)], capsys, named, why)
    assert snapshot(files) == before


@pytest.mark.parametrize("config", ["run.yaml", "survey.yaml"], ids=["data.rejects is data.path",
                                                                     "data.rejects is satisfaction.path"])
def test_run_refuses_a_config_whose_rejects_is_an_input(files, capsys, config):
    before = snapshot(files)
    refused(["run", str(files / config), "--tracking-uri", f"sqlite:///{files / 'mlflow.db'}"], capsys,
            "data.rejects")
    assert snapshot(files) == before


def test_a_symlinked_config_rejects_through_a_link_is_refused(files, capsys):
    link = files / "tx-link.csv"
    link.symlink_to(files / "tx.csv")
    (files / "linked.yaml").write_text(CONFIG.format(rejects=str(files / "sub" / ".." / link.name)))
    before = snapshot(files)
    refused(["run", str(files / "linked.yaml"), "--tracking-uri", f"sqlite:///{files / 'mlflow.db'}"], capsys,
            "data.rejects")
    assert snapshot(files) == before


def test_different_outputs_are_written_and_the_inputs_kept(files, capsys):
    before = snapshot(files)
    bad = files / "bad.csv"
    bad.write_text(MANY + "Z,not-a-date,4\n")
    out, rejects, plots = files / "out" / "o.csv", files / "out" / "rej.csv", files / "plots"
    out.parent.mkdir()
    status = main(["segment", str(bad), "--as-of", "2021-04-01", "--out", str(out), "--no-clv", "--no-clusters",
                   "--on-bad-rows", "skip", "--rejects", str(rejects)])
    assert status == 0, capsys.readouterr().err
    assert len(pd.read_csv(out)) == 24
    assert len(pd.read_csv(rejects)) == 1
    # a plots folder holding an input file's folder is fine: only the input path itself is refused
    many = files / "many.csv"
    many.write_text(MANY)
    status = main(["clusters", str(many), "--as-of", "2021-04-01", "--k", "2", "--no-stability",
                   "--plots", str(files / "sub" / ".." / "plots"), "--json"])
    assert status == 0, capsys.readouterr().err
    assert any(plots.glob("*.png"))
    after = snapshot(files)
    assert {p: b for p, b in after.items() if p in before} == before
    assert os.path.samefile(files / "tx.csv", files / "sub" / ".." / "tx.csv")
