"""What a path names: one file, or the parts that a folder or a glob pattern holds.

Reading (:func:`tierkit.data.files.describe_file`) and the check that no output overwrites an
input (:func:`tierkit.output.refuse_overwriting_inputs`) expand a pattern alike. A pattern is a
path holding ``*``, ``?`` or ``[`` that names nothing that exists.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

_GLOB_MAGIC = re.compile(r"[*?[]")


def is_pattern(path) -> bool:
    """Whether ``path`` is a glob pattern: it names nothing that exists and holds ``*``, ``?`` or ``[``.

    A file whose name holds such a character is read as that file.

    Examples
    --------
    >>> is_pattern("parts/*.parquet"), is_pattern("no/such.csv")
    (True, False)
    """
    text = str(path)
    return "://" not in text and bool(_GLOB_MAGIC.search(text)) and not Path(text).exists()


def matching_files(pattern) -> list:
    r"""The files a glob pattern names, sorted; a folder it matches gives the files inside (at any depth).

    ``**`` matches folders at any depth, as in :func:`glob.glob` with ``recursive=True``.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("2024-02.csv", "2024-01.csv", "2023-12.csv"):
    ...     _ = open(os.path.join(folder, name), "w").write("customer_id,date,amount\n")
    >>> [os.path.basename(f) for f in matching_files(os.path.join(folder, "2024-*.csv"))]
    ['2024-01.csv', '2024-02.csv']
    """
    found = set()
    for match in glob.glob(str(pattern), recursive=True):
        path = Path(match)
        if path.is_dir():
            found.update(str(f) for f in path.rglob("*") if f.is_file())
        elif path.is_file():
            found.add(str(path))
    return sorted(found)


def path_name(path) -> str:
    """The last part of ``path`` (a file, a folder or a glob pattern of parts), for progress records.

    Examples
    --------
    >>> path_name("sales/2024-*.csv"), path_name("sales/parts/")
    ('2024-*.csv', 'parts')
    """
    return os.path.basename(os.path.normpath(os.fspath(path))) or os.fspath(path)
