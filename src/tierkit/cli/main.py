"""Entry point: parse, call the library, print; one place turns user mistakes into one line.

Every subcommand lives in its own module and registers itself on :data:`cli`.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

import click

from tierkit._version import __version__
from tierkit.errors import TierkitError

EXIT_USER_ERROR = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tierkit")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
def cli(verbose: bool) -> None:
    """tierkit: grade every customer, explainably, with a strategy per tier."""
    global _VERBOSE
    _VERBOSE = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        # MLflow's own progress chatter and hints are noise for a command-line user; MLflow
        # reads this variable when it is first imported, later in the command.
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
        for name in ("alembic", "mlflow", "matplotlib.font_manager", "py4j"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _register() -> None:
    # Each module of this package adds its command to ``cli`` when imported.
    import importlib
    import pkgutil

    import tierkit.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name not in {"main", "options"} and not info.name.startswith("_"):
            importlib.import_module(f"tierkit.cli.{info.name}")


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_VERBOSE = False


def _show_warning(message, category, filename, lineno, file=None, line=None):
    # tierkit's own warnings speak to the user; other libraries' only with --verbose.
    if _VERBOSE or os.path.abspath(filename).startswith(_PACKAGE_DIR):
        click.echo(f"tierkit: warning: {message}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 user error).

    Examples
    --------
    >>> main(["segment", "no-such-file.csv", "--as-of", "2021-04-01", "--out", "x.csv"])
    2
    """
    args = sys.argv[1:] if argv is None else argv
    if not {"-v", "--verbose"} & set(args):
        # before the command modules import MLflow, which reads it once
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    _register()
    warnings.showwarning = _show_warning
    try:
        cli.main(args=argv, prog_name="tierkit", standalone_mode=False)
    except TierkitError as exc:
        click.echo(f"tierkit: error: {exc}", err=True)
        return EXIT_USER_ERROR
    except click.exceptions.Abort:
        click.echo("tierkit: aborted", err=True)
        return 130
    except click.UsageError as exc:
        # one line, like every other user mistake; the command's --help has the rest
        command = exc.ctx.command_path if exc.ctx is not None else "tierkit"
        click.echo(f"tierkit: error: {exc.format_message()} (see '{command} --help')", err=True)
        return EXIT_USER_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_USER_ERROR if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0

