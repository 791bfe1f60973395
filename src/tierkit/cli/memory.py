"""``--memory-limit``: a memory size such as ``1GB`` or ``500MB``, checked while the command line is parsed.

:func:`checked_memory_limit` is :func:`tierkit.data.memory.check_memory_limit` as a click
callback, so a bad value is refused in one line before any file is read.
"""

from __future__ import annotations

from tierkit.data.memory import check_memory_limit
from tierkit.errors import TierkitError


def checked_memory_limit(ctx, param, value):
    """Click callback for ``--memory-limit``: :func:`check_memory_limit`, refused as a usage error.

    Use as ``@click.option("--memory-limit", ..., callback=checked_memory_limit)``; ``None``
    (the option not given and no default) passes through.

    Examples
    --------
    >>> import click
    >>> @click.command()
    ... @click.option("--memory-limit", default="1GB", callback=checked_memory_limit)
    ... def run(memory_limit):
    ...     click.echo(memory_limit)
    >>> run.main(["--memory-limit", "500 mb"], standalone_mode=False)
    500MB
    >>> run.main(["--memory-limit", "lots"], standalone_mode=False)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'lots': not a memory size; expected a size such as '1GB', '500MB' or '2GiB' \
(units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)
    """
    import click

    if value is None:
        return None
    try:
        return check_memory_limit(value, "")
    except TierkitError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc
