r"""The file ``spark-submit`` runs: ``tierkit score --engine spark`` with the arguments given.

::

    spark-submit --master yarn "$(python -c 'import tierkit.cli.spark_submit as m; print(m.__file__)')" \
        hdfs:///tx/2021-04 --model models:/tierkit-cdnow@champion --as-of 2021-04-30 --out hdfs:///scores/2021-04
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``tierkit score --engine spark`` with ``argv`` (default: the command line).

    Parameters
    ----------
    argv : list of str, optional

    Returns
    -------
    int
        The exit status.
    """
    from tierkit.cli.main import main as cli_main

    return cli_main(["score", "--engine", "spark", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
