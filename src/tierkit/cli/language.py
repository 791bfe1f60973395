"""The language of the command line: ``--lang`` for messages, ``--headers`` for output tables.

With ``--lang zh`` everything a person reads is Chinese: labels and strategies, the column
headers of the tables written (unless ``--headers keys``), the summary lines, the migration
tables, warnings, and the errors that :data:`tierkit.words.MESSAGES` knows (every
error of reading a transaction, survey or snapshot file, of the column map and reading
options, of the output path, and click's missing / unknown / invalid option). A message it
does not know is shown in English, unchanged.

``--headers``: ``keys`` writes the stable column names (``recency``, ``abc_tier`` ...) that
programs read; ``labels`` writes the headers of :data:`tierkit.words.HEADERS` in
the chosen language. The default is ``labels`` with ``--lang zh`` and ``keys`` with ``--lang
en``, so English output is what it always was. ``tierkit migrate`` reads either back.
"""

from __future__ import annotations

import click

HEADERS_HELP = ("Column headers: keys (stable names that programs and `tierkit migrate` read) or labels in "
                "the --lang language [default: labels with --lang zh, keys with --lang en].")


def argv_lang(args) -> str:
    """The ``--lang`` of a command line, read before click parses it (for its own errors too).

    Examples
    --------
    >>> argv_lang(["segment", "tx.csv", "--lang", "zh"]), argv_lang(["--lang=zh"]), argv_lang(["x"])
    ('zh', 'zh', 'en')
    """
    args = list(args or ())
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return "zh" if value == "zh" else "en"
    return "en"


def headers_option(command):
    """Add ``--headers keys|labels`` to a command."""
    return click.option("--headers", type=click.Choice(["keys", "labels"]), default=None, help=HEADERS_HELP)(command)


def resolve_headers(headers: str | None, lang: str) -> str:
    """``headers`` as given, else ``labels`` for Chinese and ``keys`` for English.

    Examples
    --------
    >>> resolve_headers(None, "zh"), resolve_headers(None, "en"), resolve_headers("keys", "zh")
    ('labels', 'keys', 'keys')
    """
    if headers is not None:
        return headers
    return "labels" if lang == "zh" else "keys"


def say(message: str, lang: str) -> str:
    """A library or click message in ``lang``, option names spelled as flags.

    Examples
    --------
    >>> say("encoding 'x': unknown; expected a name such as utf-8, gbk, latin-1, cp1252", "zh")
    "--encoding 'x': 未知编码; 应为 utf-8、gbk、latin-1、cp1252 等"
    """
    from tierkit.cli.options import cli_spelling

    if lang == "zh":
        from tierkit.words import translate

        message = translate(message, lang)
    return cli_spelling(message)
