"""The command table: every command is registered in one place and loaded only when it runs."""

import importlib
import subprocess
import sys

import click

from tierkit.cli.main import COMMANDS, cli


def test_every_listed_command_is_a_click_command_of_that_name():
    for name, (module, _) in COMMANDS.items():
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command) and command.name == name


def test_help_lists_every_command_without_importing_the_heavy_libraries():
    code = ("import sys; from tierkit.cli.main import main; status = main(['--help']); "
            "print(status, sorted(m for m in ('pandas', 'sklearn', 'duckdb', 'mlflow', 'pyarrow') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *listing, last = done.stdout.strip().splitlines()
    assert last == "0 []"
    shown = "\n".join(listing)
    assert all(f"  {name} " in shown for name in COMMANDS)


def test_a_command_runs_through_the_table(capsys):
    from tierkit.cli.main import main

    assert main(["segment", "--help"]) == 0
    assert "--missing-customers" in capsys.readouterr().out
    assert set(COMMANDS) <= set(cli.list_commands(None))
