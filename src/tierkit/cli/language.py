"""The language of the command line: ``--lang`` for messages, ``--headers`` for output tables.

With ``--lang zh`` everything a person reads is Chinese: labels and strategies, the column
headers of the tables written (unless ``--headers keys``), the summary lines, the migration
tables, warnings, and every error and warning raised with a key of :data:`tierkit.messages.MESSAGES`
(rendered from the key, never matched back from English; click's missing / unknown / invalid
option from click's exception fields). A message raised without a key is shown in English.

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


def say(message, lang: str, args=()) -> str:
    """An error, warning or message in ``lang``, rendered from its key, parameters spelled as flags.

    ``message`` is a :class:`tierkit.errors.TierkitError` or :class:`~tierkit.errors.TierkitWarning`,
    a :class:`tierkit.messages.Message`, or a click exception (:func:`click_message`, which reads
    ``args``, the command line); any other text (another library's) is shown as it is.

    Examples
    --------
    >>> from tierkit.errors import DataError, Param
    >>> say(DataError("unknown_encoding", param=Param("encoding"), encoding="'x'"), "zh")
    "--encoding 'x': 未知编码; 应为 utf-8、gbk、latin-1、cp1252 等"
    """
    from tierkit.cli.options import OPTION_FLAGS
    from tierkit.errors import TierkitError, TierkitWarning
    from tierkit.messages import Message

    if isinstance(message, click.ClickException):
        message = click_message(message, args)
    if isinstance(message, (TierkitError, TierkitWarning, Message)):
        return message.render(lang, flags=OPTION_FLAGS)
    return str(message)


def click_message(exc: click.ClickException, args=()):
    """A click error as a :class:`tierkit.messages.Message`, built from the exception's own fields.

    Missing, unknown and invalid options and arguments are keyed; a message tierkit raised through
    click (a :class:`~tierkit.messages.Message`, or a :class:`~tierkit.errors.TierkitError` behind a
    ``BadParameter``) keeps its key. An option without its value, or a flag given one, is told
    apart by the option's declaration, or, when click gives no context, by ``args`` (``--flag=x``).
    Other click messages stay click's text.

    Examples
    --------
    >>> click_message(click.NoSuchOption("--ass-of")).render("zh")
    '没有这个选项: --ass-of'
    """
    from tierkit.errors import TierkitError
    from tierkit.messages import Message

    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx) if exc.ctx is not None else exc.param.name
        return Message("click_missing_argument" if exc.param_type == "argument" else "click_missing_option",
                       option=hint)
    if isinstance(exc, click.NoSuchOption) and not exc.possibilities:
        return Message("click_no_option", option=exc.option_name)
    if isinstance(exc, click.BadOptionUsage):
        params = exc.ctx.command.params if exc.ctx is not None else ()
        option = next((p for p in params if exc.option_name in getattr(p, "opts", ())), None)
        given_a_value = any(str(a).startswith(f"{exc.option_name}=") for a in args)
        if getattr(option, "is_flag", False) or option is None and given_a_value:
            return Message("click_no_value", option=repr(exc.option_name))
        if getattr(option, "nargs", 1) == 1:
            return Message("click_needs_value", option=repr(exc.option_name))
    if isinstance(exc, click.BadParameter) and (exc.param is not None and exc.ctx is not None or exc.param_hint):
        behind = exc.__cause__  # the library's error behind a check of the command line's own
        keyed = isinstance(behind, TierkitError) and behind.key is not None
        detail = Message(behind.key, **behind.values) if keyed else exc.message
        hint = exc.param_hint if exc.param_hint is not None else exc.param.get_error_hint(exc.ctx)
        return Message("click_invalid", option=hint, detail=detail)
    if isinstance(exc.message, Message):  # a usage error of tierkit's own commands
        return exc.message
    return exc.format_message()
