r"""The file ``spark-submit`` runs: ``tierkit score --engine spark`` (or ``segment``) with the arguments given.

Scoring a base with a registered model::

    spark-submit --master yarn "$(python -c 'import tierkit.cli.spark_submit as m; print(m.__file__)')" \
        hdfs:///tx/2021-04 --model models:/tierkit-cdnow@champion --as-of 2021-04-30 --out hdfs:///scores/2021-04

Training on the cluster (every standard learned from Spark's counts, the tiers written by the
executors as Parquet parts)::

    spark-submit --master yarn "$(python -c 'import tierkit.cli.spark_submit as m; print(m.__file__)')" \
        segment hdfs:///tx/2021 --as-of 2021-12-31 --out hdfs:///tiers/2021
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``tierkit score --engine spark`` with ``argv`` (default: the command line).

    Parameters
    ----------
    argv : list of str, optional
        The arguments of ``tierkit score``; or ``segment`` followed by those of ``tierkit segment``.

    Returns
    -------
    int
        The exit status.
    """
    from tierkit.cli.main import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in COMMANDS else "score"
    return cli_main([command, "--engine", "spark", *args])


#: The commands ``spark-submit`` runs on Spark (the first argument names one; default ``score``).
COMMANDS = ("score", "segment")


if __name__ == "__main__":
    sys.exit(main())
