"""Entry point: parse, call the library, print; one place turns user mistakes into one line.

Every subcommand lives in its own module, listed in :data:`COMMANDS`; a module is imported
only when its command runs, so ``tierkit --help`` needs neither pandas nor MLflow. Ctrl-C and
SIGTERM stop a command the same way (see :func:`handle_interrupts`): files being written are
removed, earlier outputs stay as they were, and the exit status is 130 or 143.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import warnings

import click

from tierkit._version import __version__
from tierkit.errors import TierkitError

EXIT_USER_ERROR = 2
#: Exit status after Ctrl-C (SIGINT) and after SIGTERM: 128 + the signal number, as a shell reports it.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM while :func:`handle_interrupts` is active.

    A :class:`KeyboardInterrupt`, so everything that cleans up after Ctrl-C cleans up after
    SIGTERM too.
    """


def _raise_terminated(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def handle_interrupts():
    """While the block runs, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``).

    The previous SIGTERM handler is put back when the block ends. Outside the main thread,
    or when the previous handler was not set from Python, nothing changes.

    Examples
    --------
    >>> import signal
    >>> before = signal.getsignal(signal.SIGTERM)
    >>> with handle_interrupts():
    ...     signal.getsignal(signal.SIGTERM) is _raise_terminated
    True
    >>> signal.getsignal(signal.SIGTERM) is before
    True
    """
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted_status(exc: KeyboardInterrupt) -> int:
    """The exit status for an interrupt: 143 after SIGTERM, 130 after Ctrl-C.

    Examples
    --------
    >>> interrupted_status(KeyboardInterrupt()), interrupted_status(Terminated())
    (130, 143)
    """
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


#: Command name -> (module, one-line help). The one place commands are registered.
COMMANDS = {
    "segment": ("tierkit.cli.segment", "Grade every customer in TRANSACTIONS and write one row per customer."),
    "report": ("tierkit.cli.report", "Grade every customer in TRANSACTIONS and write the tier management report."),
    "validate": ("tierkit.cli.validate", "Fit the CLV models up to --calibration-end and check them on the holdout"),
    "clusters": ("tierkit.cli.clusters", "Cluster the customers of TRANSACTIONS with k-means on scaled RFM features."),
    "migrate": ("tierkit.cli.migrate", "Compare two gradings of the same customers: who moved between tiers."),
    "run": ("tierkit.cli.run", "Run an experiment config: fit, compare on held-out value, log to MLflow."),
    "compare": ("tierkit.cli.compare", "Rank the schemes of an MLflow experiment's runs by held-out separation."),
    "register": ("tierkit.cli.register", "Register the segmentation model of RUN_ID and give it an alias."),
    "score": ("tierkit.cli.score", "Compute features from TRANSACTIONS and score every customer with MODEL."),
    "serve": ("tierkit.cli.serve", "Serve MODEL over REST as mlflow models serve does, a request's size bounded."),
    "demo": ("tierkit.cli.demo", "Grade the bundled CDNOW customers end to end (the README's main job)."),
}


class CommandTable(click.Group):
    """A group whose commands come from :data:`COMMANDS`, each module imported when it is used."""

    def list_commands(self, ctx):
        """Names of all commands, sorted, without importing their modules."""
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        """Command ``name``, its module imported on first use."""
        if name in COMMANDS and name not in self.commands:
            import importlib

            module = importlib.import_module(COMMANDS[name][0])
            self.add_command(getattr(module, name), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """Write the commands section of ``--help`` from the table's one-line help."""
        # The listing uses the table's one-line help: no command module is imported for --help.
        rows = [(name, COMMANDS[name][1] if name in COMMANDS else self.commands[name].get_short_help_str())
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=CommandTable, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tierkit")
@click.option("-v", "--verbose", is_flag=True,
              help="Log every step with its time, the thread pools used and progress details to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr (warnings and errors still show).")
def cli(verbose: bool, quiet: bool) -> None:
    """tierkit: grade every customer, explainably, with a strategy per tier.

    Steps that take over a second are shown on stderr as they finish when stderr is a
    terminal; -v shows every step, -q none. Standard output carries only results.
    """
    global _VERBOSE
    _VERBOSE = verbose
    from tierkit.threads import limit_threads

    limit_threads()
    _PROGRESS.show = "all" if verbose else "none" if quiet else "slow"
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        # MLflow's own progress chatter and hints are noise for a command-line user; MLflow
        # reads this variable when it is first imported, later in the command.
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
        for name in ("alembic", "mlflow", "matplotlib.font_manager", "py4j"):
            logging.getLogger(name).setLevel(logging.ERROR)


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_VERBOSE = False
#: A step shown by default (on a terminal) takes at least this many seconds.
SLOW_STEP_SECONDS = 1.0


class ProgressLines(logging.Handler):
    """Show the library's step records (:mod:`tierkit.progress`) on stderr as ``tierkit: ...`` lines.

    ``show``: ``"all"`` (``-v``), ``"none"`` (``-q``) or ``"slow"``: steps of at least
    :data:`SLOW_STEP_SECONDS`, and only when stderr is a terminal, so piped and captured
    stderr carries warnings and errors only.

    Examples
    --------
    >>> import logging
    >>> record = logging.makeLogRecord({"msg": "read tx.csv in 0.10 s", "seconds": 0.1})
    >>> handler = ProgressLines()
    >>> handler.show = "slow"
    >>> handler.filter(record)
    False
    >>> handler.show = "all"
    >>> handler.filter(record)
    True
    """

    def __init__(self):
        super().__init__(logging.INFO)
        self.show = "none"

    def filter(self, record):
        """Whether ``record`` is shown under the current ``show`` setting."""
        if self.show == "all":
            return True
        if self.show == "none":
            return False
        return getattr(record, "seconds", 0.0) >= SLOW_STEP_SECONDS and _stderr_is_terminal()

    def emit(self, record):
        """Write the record as one line on stderr (the current one: tests and rich swap it)."""
        click.echo(f"tierkit: {record.getMessage()}", err=True)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


_PROGRESS = ProgressLines()


@contextlib.contextmanager
def _progress_lines():
    """While a command runs, the step records go to :data:`_PROGRESS` (and nowhere else)."""
    logger = logging.getLogger("tierkit.progress")
    before = logger.level, logger.propagate
    _PROGRESS.show = "none"  # until the group's options are read
    logger.addHandler(_PROGRESS)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(_PROGRESS)
        logger.setLevel(before[0])
        logger.propagate = before[1]


#: The --lang of the running command line (errors and warnings are shown in it).
_LANG = "en"


def _show_warning(message, category, filename, lineno, file=None, line=None):
    # tierkit's own warnings speak to the user, naming options as the command line spells them (the advice
    # "bgnbd_penalizer=0.001" is typed --bgnbd-penalizer=0.001), in the --lang language; other libraries'
    # only with --verbose.
    if os.path.abspath(filename).startswith(_PACKAGE_DIR):
        from tierkit.cli.language import say

        click.echo(f"tierkit: {_word('warning')}: {say(message, _LANG)}", err=True)
    elif _VERBOSE:
        click.echo(f"tierkit: warning: {message}", err=True)


def _word(word: str) -> str:
    """``error`` or ``warning``, in the command line's language."""
    return {"error": "错误", "warning": "警告"}[word] if _LANG == "zh" else word


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0 ok, 2 user error or an output that could not be written (a full disk, no permission: one
    line on stderr, nothing half-written left behind), 130 after Ctrl-C and 143 after SIGTERM (the
    line ``tierkit: interrupted``; files being written are removed, earlier outputs kept).

    Examples
    --------
    >>> main(["segment", "no-such-file.csv", "--as-of", "2021-04-01", "--out", "x.csv"])
    2
    """
    try:
        with handle_interrupts():
            return _run(argv)
    except KeyboardInterrupt as exc:
        click.echo("tierkit: interrupted", err=True)
        return interrupted_status(exc)


def _run(argv: list[str] | None) -> int:
    global _LANG
    args = sys.argv[1:] if argv is None else argv
    from tierkit.cli.language import argv_lang

    _LANG = argv_lang(args)
    if not {"-v", "--verbose"} & set(args):
        # before the command modules import MLflow, which reads it once
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    warnings.showwarning = _show_warning
    try:
        with _progress_lines():
            cli.main(args=argv, prog_name="tierkit", standalone_mode=False)
            if _PROGRESS.show == "all":
                from tierkit.threads import available_cores, thread_pools

                cores = available_cores()
                logging.getLogger("tierkit.progress").info(
                    "thread pools: %s (%d core%s available)", thread_pools(), cores, "" if cores == 1 else "s")
    except TierkitError as exc:
        from tierkit.cli.language import say

        click.echo(f"tierkit: {_word('error')}: {say(exc, _LANG)}", err=True)
        return EXIT_USER_ERROR
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            # click turns Ctrl-C (and SIGTERM, see handle_interrupts) into Abort
            raise exc.__cause__ from None
        click.echo("tierkit: aborted", err=True)
        return EXIT_INTERRUPTED
    except click.UsageError as exc:
        # one line, like every other user mistake; the command's --help has the rest
        from tierkit.cli.language import say

        command = exc.ctx.command_path if exc.ctx is not None else "tierkit"
        see = "参见" if _LANG == "zh" else "see"
        click.echo(f"tierkit: {_word('error')}: {say(exc, _LANG, args)} ({see} '{command} --help')",
                   err=True)
        return EXIT_USER_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_USER_ERROR if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        # A full disk, a read-only or unwritable folder met where no tierkit code names the file
        # (MLflow's own files, scratch space): still one line, never a traceback.
        from tierkit.cli.language import say
        from tierkit.output import os_error_behind, os_error_cause

        cause = os_error_behind(exc)
        if cause is None:
            raise
        if _VERBOSE:
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
        where = f"{cause.filename}: " if getattr(cause, "filename", None) else ""
        click.echo(f"tierkit: {_word('error')}: {where}{say(os_error_cause(cause), _LANG)}", err=True)
        return EXIT_USER_ERROR
    return 0
