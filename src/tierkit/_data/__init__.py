"""Files that ship inside the tierkit package and are read with :mod:`importlib.resources`.

``cdnow.yaml`` is the config of ``tierkit demo``: a byte-for-byte copy of the repository's
user-facing example ``experiments/cdnow.yaml`` (``tests/cli/test_demo_config.py`` fails if
the two differ). The CDNOW transactions it reads are not copied here: they ship inside the
``lifetimes`` package, see :func:`tierkit.datasets.cdnow_path`.
"""
