"""A memory size such as ``1GB`` or ``500MB`` (DuckDB's ``memory_limit``), checked in one line.

:func:`check_memory_limit` is the one check: the Python API (e.g.
:func:`tierkit.scoring.local.score_transactions`) calls it, and the command line's
``--memory-limit`` callback (:func:`tierkit.cli.memory.checked_memory_limit`) wraps it.
This module imports nothing beyond the standard library.
"""

from __future__ import annotations

import re

from tierkit.errors import Param, TierkitError

#: Units DuckDB understands: powers of 1000 (KB ... TB) and of 1024 (KiB ... TiB).
MEMORY_UNITS = {"B": "B", "KB": "KB", "MB": "MB", "GB": "GB", "TB": "TB",
                "KIB": "KiB", "MIB": "MiB", "GIB": "GiB", "TIB": "TiB"}
EXPECTED = "a size such as '1GB', '500MB' or '2GiB' (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)\s*\Z")


def check_memory_limit(value, name: str = "memory_limit") -> str:
    """``value`` as a DuckDB memory limit (``"1GB"``), else a one-line error naming ``name``.

    A positive number followed by a unit: ``KB``, ``MB``, ``GB``, ``TB`` (powers of 1000),
    ``KiB`` ... ``TiB`` (powers of 1024) or ``B``, in any case, with or without a space.

    Parameters
    ----------
    value : str
        The limit as the user gave it.
    name : str, default="memory_limit"
        How the user spelled the setting (``"--memory-limit"`` on the command line).

    Returns
    -------
    str
        The limit written the way DuckDB reads it: number and unit, no space (``"1.5GB"``).

    Raises
    ------
    TierkitError
        ``<name> <value>: not a memory size; expected a size such as '1GB', '500MB' ...``,
        or ``... must be more than 0``.

    Examples
    --------
    >>> check_memory_limit("1GB"), check_memory_limit(" 500 mb"), check_memory_limit("2gib")
    ('1GB', '500MB', '2GiB')
    >>> check_memory_limit("lots", "--memory-limit")
    Traceback (most recent call last):
    ...
    tierkit.errors.TierkitError: --memory-limit 'lots': not a memory size; expected a size such as '1GB', \
'500MB' or '2GiB' (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)
    """
    found = _SIZE.match(value) if isinstance(value, str) else None
    unit = MEMORY_UNITS.get(found.group(2).upper()) if found else None
    if unit is None:
        raise _size_error("memory_size", name, value)
    number = found.group(1)
    if float(number) <= 0:
        raise _size_error("memory_size_zero", name, value)
    return f"{number}{unit}"


def _size_error(key: str, name: str, value) -> TierkitError:
    # without a name (the command line's option callback, which names the option itself) the message starts at the value
    if not name:
        return TierkitError(key + "_value", value=repr(value))
    return TierkitError(key, param=Param(name), value=repr(value))


#: Bytes per unit of :data:`MEMORY_UNITS`.
UNIT_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
              "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def size_in_bytes(value, name: str = "size") -> int:
    """A size written as :func:`check_memory_limit` takes it (``"24MB"``), in bytes.

    Examples
    --------
    >>> size_in_bytes("24MB"), size_in_bytes("1KiB")
    (24000000, 1024)
    """
    text = check_memory_limit(value, name)
    found = _SIZE.match(text)
    return int(float(found.group(1)) * UNIT_BYTES[MEMORY_UNITS[found.group(2).upper()]])
