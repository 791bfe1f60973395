"""The one catalogue of tierkit's errors and warnings, in English and Chinese, and how it is rendered.

Every :class:`~tierkit.errors.TierkitError` and :class:`~tierkit.errors.TierkitWarning` carries a
key of :data:`MESSAGES` and the values of its ``{placeholders}``; its text in each language is
rendered from that key here, never matched back from English. ``str()`` of an error or warning
is its English text; ``render("zh")`` its Chinese.

The rule every message follows: ``<where>: <what concerns it>...; <what to do>``. ``where`` is
the file or source (``tx.csv: ...``) or the estimator (``KMeansSegmenter: k=1; ...``, the error's
``where``, left out where the estimator is known, as in an experiment config); it is followed by
the parameter with its value, or the column and row (``column 'date', line 5: ...``), then what
is expected and what the user can give instead. A parameter is written ``<param>=<value>; expected
...`` when one rule refuses it (``n_bins=1; expected a whole number from 2 to 9``), ``<param>:
<value> must ...`` when it breaks a rule between parameters (``weights: [0, 0, 0] must be ...``),
and ``<option> <value>: ...`` for a reading option (``sep ';;': expected one character``).

Values are shown as given, with three kinds rendered in the reader's language:

* :class:`Message` -- a part of a message (``line 5``, ``a number``), itself a key with values;
  a ``str`` holding its English text, so code that builds English strings from it keeps working;
* :class:`Param` -- a parameter's name: the library spells it ``missing_customers``, the command
  line renders it from its table of flags (``--missing-customers``), so no text is rewritten;
* a tuple or list -- its items rendered and joined with ``", "``.

A test (``tests/test_messages.py``) renders every key in both languages with the same
placeholders, and fails on a key that no module of ``src/`` raises or warns.
"""

from __future__ import annotations

LANGS = ("en", "zh")


class Param(str):
    """A parameter's name inside a message; the command line renders it as its flag.

    Examples
    --------
    >>> p = Param("date_format")
    >>> str(p), render_value(p, "en", {"date_format": "--date-format"})
    ('date_format', '--date-format')
    """

    __slots__ = ()

    def __reduce__(self):
        return Param, (str(self),)


class Message(str):
    """A keyed text of :data:`MESSAGES`: a ``str`` of its English rendering that renders in any language.

    Parameters
    ----------
    key : str
        A key of :data:`MESSAGES`.
    **values
        The values of its placeholders.

    Examples
    --------
    >>> where = Message("line", n=5)
    >>> where, where.render("zh"), f"at {where}"
    ('line 5', '第 5 行', 'at line 5')
    """

    def __new__(cls, key: str, /, **values):
        """The message ``key`` with ``values``; its text is the English rendering."""
        if key not in MESSAGES:
            raise KeyError(f"no message {key!r} in tierkit.messages.MESSAGES")
        self = super().__new__(cls, render(key, values, "en"))
        self.key, self.values, self.lang = key, values, "en"
        return self

    def in_language(self, lang: str) -> Message:
        """The same message whose text (its ``str``) is its rendering in ``lang``, for texts kept in a language.

        Examples
        --------
        >>> line = Message("line", n=5).in_language("zh")
        >>> line, line.render("en")
        ('第 5 行', 'line 5')
        """
        new = str.__new__(type(self), self.render(lang))
        new.key, new.values, new.lang = self.key, self.values, lang
        return new

    def render(self, lang: str = "en", flags: dict | None = None) -> str:
        """The text in ``lang``; ``flags`` (parameter -> flag) spells parameters as the command line does."""
        return render(self.key, self.values, lang, flags)

    def __reduce__(self):
        return _message, (self.key, self.values, self.lang, str(self))


def _message(key, values, lang="en", text=None):
    # a message kept in a saved model whose key the catalogue no longer has is its text
    if key not in MESSAGES and text is not None:
        return text
    return Message(key, **values).in_language(lang)


def render_value(value, lang: str, flags: dict | None = None):
    """A placeholder's value as shown in ``lang`` (see the module's docstring).

    Examples
    --------
    >>> render_value(("a", Message("a_number")), "zh")
    'a, 数字'
    """
    if isinstance(value, Message):
        return value.render(lang, flags)
    if isinstance(value, Param):
        return (flags or {}).get(str(value), str(value))
    if isinstance(value, (tuple, list)):
        return ", ".join(str(render_value(v, lang, flags)) for v in value)
    return value


def render(key: str, values: dict, lang: str = "en", flags: dict | None = None) -> str:
    """The message ``key`` of :data:`MESSAGES` in ``lang``, its placeholders filled from ``values``.

    Parameters
    ----------
    key : str
    values : dict
        The placeholders' values (see :func:`render_value`).
    lang : {"en", "zh"}
        Anything but ``"zh"`` gives English.
    flags : dict, optional
        Parameter name -> its command-line flag, for the :class:`Param` values.

    Returns
    -------
    str

    Examples
    --------
    >>> render("no_separator", {"path": "t.csv", "option": Param("sep")}, "zh", {"sep": "--sep"})
    't.csv: 无法判断字段分隔符 (已尝试 , ; tab | 和空白); 请用 --sep 指定分隔符'
    """
    en, zh = MESSAGES[key]
    template = zh if lang == "zh" else en
    return template.format(**{name: render_value(v, lang, flags) for name, v in values.items()})


#: Errors, warnings and their parts, ``key -> (English, Chinese)``. A parameter's name stands in
#: a ``{placeholder}`` whose value is a :class:`Param`, so the command line spells it as a flag.
MESSAGES = {
    # reading transactions (tierkit.data)
    "no_file_or_folder": ("{path}: no such file or folder", "{path}: 文件或文件夹不存在"),
    "no_file": ("{path}: no such file", "{path}: 文件不存在"),
    "empty_file": ("{path}: file is empty, expected a header and transactions",
                   "{path}: 文件为空, 应包含表头和交易记录"),
    "empty_table": ("{path}: file is empty, expected {what} with a header", "{path}: 文件为空, 应为带表头的{what}"),
    "input_type": ("{path}: unsupported file type {suffix}; expected .csv, .tsv, .txt (optionally .gz), .parquet, "
                   ".xlsx, or a folder or glob of Parquet or CSV parts",
                   "{path}: 不支持的文件类型 {suffix}; 应为 .csv、.tsv、.txt (可为 .gz)、.parquet、.xlsx, 或 Parquet "
                   "或 CSV 分片文件的文件夹或通配模式"),
    "no_match": ("{path}: no file matches this pattern", "{path}: 没有文件符合此模式"),
    "needs_scratch": ("{path}: re-encoding from {encoding} needs a scratch folder",
                      "{path}: 从 {encoding} 转换编码需要一个临时文件夹"),
    "width": ("{path}: {line} has {fields} where {other} has {expected} (separator {separator}){shown}; every line "
              "needs the same number of fields: look for a missing or extra separator, an unquoted {separator} "
              "inside a value, or a separator that changes within the file (give {option})",
              "{path}: {line}有 {fields}, 而{other}有 {expected} 个 (分隔符 {separator}){shown}; 每一行的字段数必须"
              "相同: 请检查是否缺少或多出分隔符、值中是否有未加引号的 {separator}, 或文件中途换了分隔符 (可用 {option} "
              "指定分隔符)"),
    "parts_mixed": ("{path}: matches both Parquet parts ({parquet}) and CSV parts ({text}); the parts of one source "
                    "are of one kind: give a glob of one kind, e.g. {one}",
                    "{path}: 同时匹配到 Parquet 分片 ({parquet}) 和 CSV 分片 ({text}); 一个数据源的分片必须是同一种: "
                    "请给出只匹配一种的通配模式, 如 {one}"),
    "parts_mixed_folder": ("{path}: holds both Parquet parts ({parquet}) and CSV parts ({text}); the parts of one "
                           "source are of one kind: give a glob of one kind, e.g. {one}",
                           "{path}: 同时包含 Parquet 分片 ({parquet}) 和 CSV 分片 ({text}); 一个数据源的分片必须是同一"
                           "种: "
                           "请给出只匹配一种的通配模式, 如 {one}"),
    "no_parts": ("{path}: pattern matches no Parquet or CSV parts (.parquet, .pq, .csv, .tsv, .txt, optionally .gz)"
                 "{only}; expected a CSV, Parquet or .xlsx file, or a folder or glob of Parquet or CSV parts",
                 "{path}: 模式没有匹配到 Parquet 或 CSV 分片 (.parquet、.pq、.csv、.tsv、.txt, 可为 .gz){only}; 应为 "
                 "CSV、Parquet 或 .xlsx 文件, 或 Parquet 或 CSV 分片文件的文件夹或通配模式"),
    "no_parts_folder": ("{path}: folder holds no Parquet or CSV parts (.parquet, .pq, .csv, .tsv, .txt, optionally "
                        ".gz){only}; expected a CSV, Parquet or .xlsx file, or a folder or glob of Parquet or CSV "
                        "parts",
                        "{path}: 文件夹中没有 Parquet 或 CSV 分片 (.parquet、.pq、.csv、.tsv、.txt, 可为 .gz){only}; "
                        "应为 CSV、Parquet 或 .xlsx 文件, 或 Parquet 或 CSV 分片文件的文件夹或通配模式"),
    "part_width": ("{path}: line 1 has {fields} where {first} has {expected} (separator {separator}); every part "
                   "must have the first part's columns",
                   "{path}: 第 1 行有 {fields}, 而 {first} 有 {expected} 个 (分隔符 {separator}); 每个分片都必须有"
                   "与第一个分片相同的列"),
    "part_header": ("{path}: header differs from that of {first}: {diff}; every part must have the first part's "
                    "header (separator {separator})",
                    "{path}: 表头与 {first} 的不同: {diff}; 每个分片都必须有与第一个分片相同的表头 (分隔符 "
                    "{separator})"),
    "table_type": ("{path}: unsupported file type {suffix}, expected .csv, .parquet or .xlsx",
                   "{path}: 不支持的文件类型 {suffix}, 应为 .csv、.parquet 或 .xlsx"),
    "table_folder": ("{path}: is a folder, expected {what} (.csv, .parquet or .xlsx)",
                     "{path}: 是文件夹, 应为{what} (.csv、.parquet 或 .xlsx)"),
    "unknown_encoding": ("{param} {encoding}: unknown; expected a name such as utf-8, gbk, latin-1, cp1252",
                         "{param} {encoding}: 未知编码; 应为 utf-8、gbk、latin-1、cp1252 等"),
    "bad_encoding": ("{path}: byte {byte} is not {encoding} text; give {option} (e.g. gbk, latin-1)",
                     "{path}: 第 {byte} 个字节不是 {encoding} 文本; 请用 {option} 指定文件编码 (如 gbk、latin-1)"),
    "bad_encoding_file": ("{path}: byte {byte} is not {encoding} text; give the file's {option}",
                          "{path}: 第 {byte} 个字节不是 {encoding} 文本; 请用 {option} 指定文件编码"),
    "unreadable_as": ("{path}: cannot be read as {kind}: {reason}",
                      "{path}: 无法按 {kind} 读取 (读取程序报告 “{reason}”)"),
    "unreadable": ("{path}: cannot be read: {reason}", "{path}: 无法读取 (系统报告 “{reason}”)"),
    "two_separators": ("{path}: both {shown} split every line the same way; give {option}",
                       "{path}: {shown} 都能同样地拆分每一行; 请用 {option} 指定分隔符"),
    "no_separator": ("{path}: cannot tell the field separator (tried , ; tab | and blanks); give {option}",
                     "{path}: 无法判断字段分隔符 (已尝试 , ; tab | 和空白); 请用 {option} 指定分隔符"),
    "bad_sep": ("{param} {sep}: expected one character (e.g. ',' ';' '|'), '\\t' for tab or 'whitespace'",
                "{param} {sep}: 应为单个字符 (如 ',' ';' '|'), '\\t' 表示制表符, 或 'whitespace'"),
    "uri_local": ("{path}: a URI can only be read by the Spark engine", "{path}: URI 只能由 Spark 引擎读取"),
    "missing_column_data": (
        "{source}: missing column {missing}; columns present: {present}; the first line looks like data: read the "
        "file with {option} and name columns by position (1, 2, ...)",
        "{source}: 缺少列 {missing}; 现有列: {present}; 第一行看起来是数据: 请用 {option} 读取, 并按位置 "
        "(1, 2, ...) 指定列"),
    "missing_survey_column": (
        "{source}: missing column {missing}; a survey needs customer id, date and score; columns present: {present}",
        "{source}: 缺少列 {missing}; 问卷需要客户编号、日期和评分三列; 现有列: {present}"),
    "missing_column": ("{source}: missing column {missing}; columns present: {present}",
                       "{source}: 缺少列 {missing}; 现有列: {present}"),
    "snapshot_no_id": ("{path}: no 'customer_id' column; columns present: {present}",
                       "{path}: 没有 'customer_id' 列; 现有列: {present}"),
    "snapshot_duplicate": ("{path}: customer {customer} appears more than once; a snapshot has one row per customer",
                           "{path}: 客户 {customer} 出现了不止一次; 快照中每位客户只有一行"),
    "boolean_column": ("{source}: column {column} holds true/false; expected {expected}",
                       "{source}: 列 {column} 是 true/false; 应为{expected}"),
    "not_a_date_value": ("{source}: column {column}, {location}: value {value} is not a date; expected {expected} "
                         "({count:,} bad row(s) in all)",
                         "{source}: 列 {column}, {location}: 值 {value} 不是日期; 应为{expected} (共 {count:,} 行有误"
                         ")"),
    "no_rows": ("{source}: no transactions (the file has a header but no rows)",
                "{source}: 没有交易记录 (文件只有表头, 没有数据行)"),
    "no_survey_rows": ("{source}: no survey answers (the file has a header but no rows)",
                       "{source}: 没有问卷回答 (文件只有表头, 没有数据行)"),
    "empty_customer": ("{source}: column {column}: {count:,} row(s) have an empty customer id (first at {location}); "
                       "give {option} 'drop' to leave them out",
                       "{source}: 列 {column}: {count:,} 行缺少客户编号 (第一处在{location}); 可用 {option} "
                       "'drop' 跳过这些行"),
    "bad_rows_refused": ("{first}; give {option} 'skip' to leave such rows out",
                         "{first}; 可用 {option} 'skip' 跳过这些行"),
    "bad_row": ("{source}: column {column}, {location}: value {value} is not {expected} ({count:,} such row(s) in all)",
                "{source}: 列 {column}, {location}: 值 {value} 不是{expected} (共 {count:,} 行)"),
    "all_rows_left_out": ("{source}: all {count:,} rows left out ({reasons}); check the column map",
                          "{source}: 全部 {count:,} 行都被排除 ({reasons}); 请检查列的对应关系"),
    "sheet_missing": ("{path}: {detail}; give {option}", "{path}: {detail}; 请用 {option} 指定工作表"),
    # the dates of a column
    "date_format_bad": ("{param} {format}: expected a strftime format such as '%d/%m/%Y'",
                        "{param} {format}: 应为 strftime 格式, 如 '%d/%m/%Y'"),
    "date_format_parts": ("{param} {format}: needs a year (%Y or %y), a month (%m, %b or %B) and a day (%d)",
                          "{param} {format}: 需要年 (%Y 或 %y)、月 (%m、%b 或 %B) 和日 (%d)"),
    "date_format_directive": ("{param} {format}: directive {directive} is not supported; use {supported}",
                              "{param} {format}: 不支持 {directive}; 可用 {supported}"),
    "date_format_char": ("{param} {format}: the character {char} is not supported",
                         "{param} {format}: 不支持字符 {char}"),
    "no_known_date": ("{source}: column {column}: no value{shown} is a date in a known format (YYYY-MM-DD, YYYYMMDD, "
                      "DD/MM/YYYY or MM/DD/YYYY); give {option}, e.g. '%d.%m.%y'",
                      "{source}: 列 {column}: 没有值{shown}是已知格式的日期 (YYYY-MM-DD、YYYYMMDD、DD/MM/YYYY 或 "
                      "MM/DD/YYYY); 请用 {option} 指定格式, 如 '%d.%m.%y'"),
    "mixed_dates": ("{source}: column {column}: mixes date formats: {shown}; a column has one format, give {option} "
                    "to say which (the other values then count as bad rows)",
                    "{source}: 列 {column}: 混用了多种日期格式: {shown}; 一列只能有一种格式, 请用 {option} "
                    "指定 (其他值将作为错误行)"),
    "day_month_both": ("{source}: column {column}: {first} is day first but {second} is month first; a column has "
                       "one format, give {option} '%d/%m/%Y' or '%m/%d/%Y'",
                       "{source}: 列 {column}: {first} 是日在前, 而 {second} 是月在前; 一列只能有一种格式, 请用 "
                       "{option} 指定 '%d/%m/%Y' 或 '%m/%d/%Y'"),
    "day_month_unknown": ("{source}: column {column}: {value} reads as {day_first} (day first) and as {month_first} "
                          "(month first), and no value has a day above 12 to decide; give {option} '%d/%m/%Y' or "
                          "'%m/%d/%Y'",
                          "{source}: 列 {column}: {value} 既可读作 {day_first} (日在前) 也可读作 {month_first} "
                          "(月在前), 且没有大于 12 的日可以判断; 请用 {option} 指定 '%d/%m/%Y' 或 '%m/%d/%Y'"),
    "not_a_date_option": ("{param}: {value} is not a date; expected YYYY-MM-DD such as 2021-04-01",
                          "{param}: {value} 不是日期; 应为 YYYY-MM-DD 格式, 如 2021-04-01"),
    # the column map and reading options
    "amount_and_price": ("{param}: give either an amount column ({amount}) or price and quantity columns, not both",
                         "{param}: 请给出金额列 ({amount}) 或单价与数量列, 不能同时给出"),
    "price_needs_quantity": ("{param}: price column {price} needs a quantity column (amount = price x quantity)",
                             "{param}: 单价列 {price} 需要数量列 (金额 = 单价 x 数量)"),
    "no_amount": ("{param}: give an amount column, or price and quantity columns",
                  "{param}: 请给出金额列, 或单价与数量列"),
    "mapped_twice": ("{param}: {names} is mapped to more than one field", "{param}: {names} 被对应到了多个字段"),
    "bad_timezone": ("{param} {timezone}: not a time zone; expected an IANA name such as 'Asia/Shanghai' or 'UTC'",
                     "{param} {timezone}: 不是时区; 应为 IANA 名称, 如 'Asia/Shanghai' 或 'UTC'"),
    "rejects_csv": ("{param} {path}: expected a .csv file name", "{param} {path}: 应为 .csv 文件名"),
    # output files
    "output_type": ("{path}: unsupported output type {suffix}; expected .csv, .parquet or .xlsx",
                    "{path}: 不支持的输出类型 {suffix}; 应为 .csv、.parquet 或 .xlsx"),
    "output_folder": ("{path}: is a folder, expected a file name", "{path}: 是文件夹, 应为文件名"),
    "folder_missing": ("{path}: folder {folder} does not exist", "{path}: 文件夹 {folder} 不存在"),
    "folder_not_folder": ("{path}: folder {folder} is not a folder", "{path}: {folder} 不是文件夹"),
    "folder_not_writable": ("{path}: folder {folder} is not writable{detail}",
                            "{path}: 文件夹 {folder} 不可写{detail}"),
    "output_is_input": ("{path}: is also an input file ({source}); choose another output path",
                        "{path}: 同时也是输入文件 ({source}); 请换一个输出路径"),
    "report_html": ("{path}: the report is HTML; give a file name ending in .html",
                    "{path}: 报告是 HTML 文件; 请给出以 .html 结尾的文件名"),
    # click's own messages
    "click_missing_option": ("Missing option {option}.", "缺少选项 {option}。"),
    "click_missing_argument": ("Missing argument {argument}.", "缺少参数 {argument}。"),
    "click_no_option": ("No such option: {option}", "没有这个选项: {option}"),
    "click_needs_value": ("Option {option} requires an argument.", "选项 {option} 需要一个值。"),
    "click_invalid": ("Invalid value for {option}: {detail}", "选项 {option} 的值无效: {detail}"),
    # after click_invalid, which holds it as its detail (its {value} would swallow the whole line)
    "not_a_currency": ("{value} is not a currency; expected a code or sign of 1 to {n} letters or currency signs, "
                       "such as USD, RMB, ¥ or HK$",
                       "{value} 不是货币; 应为 1 到 {n} 个字母或货币符号组成的代码或符号, 如 USD、RMB、¥ 或 HK$"),
    # warnings
    "warn_missing_customers": ("{source}: {count:,} row(s) without a customer id left out",
                               "{source}: {count:,} 行没有客户编号, 已排除"),
    "warn_bad_rows": ("{source}: {count:,} bad row(s) left out; first: {first}",
                      "{source}: {count:,} 行有误, 已排除; 第一行: {first}"),
    "warn_after_as_of": ("{count:,} transaction(s) after {date} left out", "{date} 之后的 {count:,} 笔交易已排除"),
    "warn_step_left_out": ("{name} step left out: {reason}", "{name} 步骤已略过: {reason}"),
    "warn_lifecycle_no_clv": ("without a predicted CLV that tells active from lapsed customers, stages use the "
                              "recency rules instead of p_alive",
                              "没有能区分活跃与已流失客户的预测 CLV, 生命周期阶段改用最近购买规则而不是 p_alive"),
    "warn_spend_correlation": ("repeat purchases and mean spend correlate ({correlation}); Gamma-Gamma "
                               "assumes they are independent, so expected spend may be biased",
                               "重复购买次数与平均消费相关 ({correlation}); Gamma-Gamma 假设二者独立, "
                               "因此预期消费可能有偏"),
    # parts of messages (where a row is, what a value should be), rendered inside a message
    "line": ("line {n}", "第 {n} 行"),
    "row": ("row {n}", "第 {n} 行"),
    "such_as": (" such as {value}", " (如 {value})"),
    "a_date_in_format": ("a date in the column's format ({format})", "符合该列格式 ({format}) 的日期"),
    "a_date_named": ("a date ({name})", "日期 ({name})"),
    "format": ("format {format}", "格式 {format}"),
    "a_date": ("a date", "日期"),
    "a_number": ("a number", "数字"),
    "numbers": ("numbers", "数字"),
    "a_customer_id": ("a customer id", "客户编号"),
    "text": ("text", "文本"),
    "survey_file": ("a survey file", "问卷文件"),
    "snapshot": ("a scored snapshot", "评分快照"),
    "the_header": ("the header", "表头"),
    "one_field": ("{n} field", "{n} 个字段"),
    "fields": ("{n} fields", "{n} 个字段"),
    "quoted": (": {text}", ": {text}"),
    "tab": ("tab", "制表符"),
    "blanks": ("blanks", "空白"),
    "and_more": ("{shown} and {n} more", "{shown} 等 (另有 {n} 个)"),
    "only": (", only {files}", ", 只有 {files}"),
    "lacks": ("lacks {columns}", "缺少 {columns}"),
    "has_instead": ("has instead {columns}", "多出 {columns}"),
    "joined_semicolon": ("{first}; {second}", "{first}; {second}"),
    "other_order": ("the same columns in another order ({columns})", "列相同但顺序不同 ({columns})"),
    "none": ("none", "无"),
    # data/report.py, contract.py, columns.py, memory.py
    "too_large_row": ("{source}: column {column}, {location}: value {value}{too_large} ({count:,} such row(s) in all)",
                      "{source}: 列 {column}, {location}: 值 {value}{too_large} (共 {count:,} 行)"),
    "too_large": (" is {limit:,} or more in magnitude; amounts and profits must stay below that to be summed exactly",
                  " 的绝对值不小于 {limit:,}; 金额和利润必须小于此值才能精确求和"),
    "too_large_product": (": price x quantity is {limit:,} or more in magnitude; amounts and profits must stay below "
                          "that to be summed exactly",
                          ": 单价 x 数量的绝对值不小于 {limit:,}; 金额和利润必须小于此值才能精确求和"),
    "in_part": ("{part} {where}", "{part} {where}"),
    "empty": ("empty", "空值"),
    "counted": ("{n:,} {what}", "{n:,} {what}"),
    "a_clean_customer_id": ("a customer id without control characters (NUL, tab, line breaks ...)",
                            "不含控制字符 (NUL、制表符、换行等) 的客户编号"),
    "an_order_id": ("an order id (the order column is mapped; leave it out to count purchase days)",
                    "订单编号 (已指定订单列; 不指定则按购买天数计数)"),
    "missing_customer": ("missing customer", "缺少客户编号"),
    "bad_customer": ("bad customer", "客户编号无效"),
    "missing_order": ("missing order", "缺少订单编号"),
    "bad_date": ("bad date", "日期无效"),
    "bad_amount": ("bad amount", "金额无效"),
    "bad_price": ("bad price", "单价无效"),
    "bad_quantity": ("bad quantity", "数量无效"),
    "bad_profit": ("bad profit", "利润无效"),
    "option_choice": ("{param} {value}: expected {choices}", "{param} {value}: 应为 {choices}"),
    "record_fields": ("reading record: unknown field(s) {fields}; the model was saved by another tierkit version",
                      "读取记录: 未知字段 {fields}; 该模型由另一版本的 tierkit 保存"),
    "memory_size": ("{param} {value}: not a memory size; expected a size such as '1GB', '500MB' or '2GiB' (units B, "
                    "KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
                    "{param} {value}: 不是内存大小; 应为 '1GB'、'500MB' 或 '2GiB' 这样的大小 (单位 B、KB、MB、GB、TB、"
                    "KiB、MiB、GiB、TiB)"),
    "memory_size_zero": ("{param} {value}: must be more than 0; expected a size such as '1GB', '500MB' or '2GiB' "
                         "(units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
                         "{param} {value}: 必须大于 0; 应为 '1GB'、'500MB' 或 '2GiB' 这样的大小 (单位 B、KB、MB、GB、"
                         "TB、"
                         "KiB、MiB、GiB、TiB)"),
    "no_purchase": ("{source}: no customer has a purchase on or before {option} {as_of} (returns alone are not "
                    "purchases); nothing to grade",
                    "{source}: 截至 {option} {as_of} 没有任何客户有购买记录 (仅有退货不算购买); 无可分级的客户"),
    # data/dates.py
    "date_format_lone": ("{param} {format}: ends with a lone '%'", "{param} {format}: 以单独的 '%' 结尾"),
    "date_format_twice": ("{param} {format}: {directive} appears twice", "{param} {format}: {directive} 出现了两次"),
    "date_format_ampm": ("{param} {format}: %I needs %p (AM/PM)", "{param} {format}: %I 需要 %p (上午/下午)"),
    "naive_timestamps": ("holds timestamps without a time zone", "中的时间戳没有时区"),
    "naive_values": ("has {n:,} distinct value(s) without an offset", "有 {n:,} 个不同的值没有时区偏移"),
    "warn_naive_dates": ("{source}: column {column} {what}: they are taken as already on the {timezone} clock "
                         "({option} converts only timestamps that carry a zone)",
                         "{source}: 列 {column} {what}: 这些值被视为已是 {timezone} 时间 ({option} 只转换带时区的"
                         "时间戳)"),
    "iso_year_first": ("ISO (year first)", "ISO (年在前)"),
    "day_month": ("day/month", "日/月"),
    "day_first": ("day first", "日在前"),
    "month_first": ("month first", "月在前"),
    "date_family": ("{example} ({name}, {n} distinct values)", "{example} ({name}, {n} 个不同的值)"),
    "both": ("{first} and {second}", "{first} 和 {second}"),
    # data/contract.py, surveys.py, duckdb_input.py, spark_input.py
    "float_ids": ("{source}: column {column}: {count:,} customer id(s) written as whole-number floats (e.g. {written}) "
                  "are read as the integers they are ({whole})",
                  "{source}: 列 {column}: {count:,} 个客户编号写成了整数值的浮点数 (如 {written}), 按其本来的整数读取 "
                  "({whole})"),
    "survey_scale": ("{param}: {value} is not supported; expected 'nps' (0-10), 'csat' (1-5) or 'MIN-MAX' such as "
                     "'1-7'",
                     "{param}: 不支持 {value}; 应为 'nps' (0-10)、'csat' (1-5) 或 'MIN-MAX' 形式, 如 '1-7'"),
    "survey_scale_order": ("{param}: {value} must have its minimum below its maximum",
                           "{param}: {value} 的最小值必须小于最大值"),
    "survey_empty_customer": ("{source}: column {column}, {location}: empty customer id ({count:,} row(s) in all)",
                              "{source}: 列 {column}, {location}: 客户编号为空 (共 {count:,} 行)"),
    "survey_boolean": ("{source}: column {column} holds true/false, expected scores on the {scale} scale",
                       "{source}: 列 {column} 是 true/false, 应为 {scale} 量表上的评分"),
    "is_not_a_number": ("is not a number", "不是数字"),
    "is_outside_scale": ("is outside the {scale} scale", "超出了 {scale} 量表的范围"),
    "survey_bad_score": ("{source}: column {column}, {location}: value {value} {what} ({count:,} bad row(s) in all)",
                         "{source}: 列 {column}, {location}: 值 {value} {what} (共 {count:,} 行有误)"),
    "nps_scale": ("nps: {param} must be on the 0-10 scale", "nps: {param} 必须是 0-10 分制"),
    "missing_column_of": ("missing column {column}", "缺少列 {column}"),
    "nps_column": ("column {column} must hold 0-10 scores for NPS", "列 {column} 必须是 0-10 分的评分才能计算 NPS"),
    "survey_window": ("{param}: {value} must be a positive whole number of days", "{param}: {value} 必须是正整数天数"),
    "survey_type": ("{param}: expected the per-customer DataFrame of customer_satisfaction() with a cs_index column, "
                    "got {got}",
                    "{param}: 应为 customer_satisfaction() 给出的每位客户一行、带 cs_index 列的 DataFrame, 实际为 "
                    "{got}"),
    "survey_no_cs_index": ("{param}: the table has no 'cs_index' column (columns: {present}); turn survey answers into "
                           "one row per customer with tierkit.customer_satisfaction()",
                           "{param}: 表中没有 'cs_index' 列 (现有列: {present}); 请用 tierkit.customer_satisfaction() "
                           "把问卷回答整理为每位客户一行"),
    "survey_duplicate": ("{param}: customer {customer} appears more than once; expected one row per customer "
                         "(customer_satisfaction())",
                         "{param}: 客户 {customer} 出现了不止一次; 应为每位客户一行 (customer_satisfaction())"),
    "survey_cs_index": ("{param}: column {column}, customer {customer}: value {value} is outside 0..100",
                        "{param}: 列 {column}, 客户 {customer}: 值 {value} 超出 0..100"),
    "column_repeated": ("{source}: column {column} appears {n} times (columns {shown}); the column map reads {field} "
                        "from it, so which one is meant cannot be told: rename or remove the others",
                        "{source}: 列 {column} 出现了 {n} 次 (第 {shown} 列); 列的对应关系从中读取 {field}, 无法判断是"
                        "哪一列: 请重命名或删除其他列"),
    "column_renamed": ("{source}: column {column} (column {n}) is taken by the renaming of repeated columns; rename "
                       "the repeated columns",
                       "{source}: 列 {column} (第 {n} 列) 的名称被重复列的自动重命名占用; 请重命名重复的列"),
    "in_parentheses": (" ({text})", " ({text})"),
    "boolean_column_spark": ("{source}: column {column} holds true/false", "{source}: 列 {column} 是 true/false"),
    "memory_size_value": ("{value}: not a memory size; expected a size such as '1GB', '500MB' or '2GiB' (units B, KB, "
                          "MB, GB, TB, KiB, MiB, GiB, TiB)",
                          "{value}: 不是内存大小; 应为 '1GB'、'500MB' 或 '2GiB' 这样的大小 (单位 B、KB、MB、GB、TB、"
                          "KiB、"
                          "MiB、GiB、TiB)"),
    "memory_size_zero_value": ("{value}: must be more than 0; expected a size such as '1GB', '500MB' or '2GiB' (units "
                               "B, "
                               "KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
                               "{value}: 必须大于 0; 应为 '1GB'、'500MB' 或 '2GiB' 这样的大小 (单位 B、KB、MB、GB、TB、"
                               "KiB、MiB、GiB、TiB)"),
    "click_no_value": ("Option {option} does not take a value.", "选项 {option} 不接受值。"),
    # features/definition.py
    "warn_as_of_early": ("{param} {as_of} is before the first transaction: the transactions run from {first} to {last}",
                         "{param} {as_of} 早于第一笔交易: 交易记录从 {first} 到 {last}"),
    "warn_as_of_late": ("{param} {as_of} is {days:,} days after the last transaction (the transactions run from "
                        "{first} "
                        "to {last}): every customer will look lapsed",
                        "{param} {as_of} 比最后一笔交易晚 {days:,} 天 (交易记录从 {first} 到 {last}): 每位客户都会显得"
                        "已流失"),
    # nesting a message with its where (TierkitError.as_message)
    "where_text": ("{where}: {text}", "{where}: {text}"),
    # clv
    "fit_no_converge": ("the fit did not converge ({reason}); try a penalizer, e.g. {penalizer}=0.001",
                        "拟合未收敛 ({reason}); 可尝试加惩罚项, 如 {penalizer}=0.001"),
    "ran_off_infinity": ("{name} ran off towards infinity, the likelihood not flat along it: no interior optimum",
                         "{name} 趋向无穷大, 而似然沿该方向并不平坦: 没有内部最优解"),
    "ran_off_zero": ("{name} ran off towards 0, the likelihood not flat along it: no interior optimum",
                     "{name} 趋向 0, 而似然沿该方向并不平坦: 没有内部最优解"),
    "no_quantity": ("{model} has no {name} in tierkit", "{model} 在 tierkit 中没有 {name}"),
    "prior_asked": ("asked for (prior='weak')", "按要求使用 (prior='weak')"),
    "no_interior_optimum": ("maximum likelihood has no interior optimum ({reason})", "最大似然没有内部最优解 "
                                                                                     "({reason})"),
    "at_model_boundary": ("maximum likelihood ends at the boundary of the model ({shown})",
                          "最大似然落在模型边界上 ({shown})"),
    "flat_ridge": ("maximum likelihood sits on a ridge, flat along some direction (the observed information is not "
                   "positive definite: no standard errors)",
                   "最大似然位于沿某方向平坦的山脊上 (观测信息矩阵不正定: 没有标准误)"),
    "constant_spend": ("every repeat customer's mean spend is {mean}: spend is one constant, expected for everyone",
                       "每位重复购买客户的平均消费都是 {mean}: 消费是一个常数, 每位客户的预期消费都是它"),
    "q_at_most_1": ("maximum likelihood puts q = {q} <= 1, which leaves the mean spend undefined (heavy-tailed spends)",
                    "最大似然给出 q = {q} <= 1, 平均消费因此没有定义 (消费分布尾部过重)"),
    "warn_weak_prior": ("{reason}; fitted under the weak prior instead ({param}='weak' always, {param}='none' refuses "
                        "such a fit)",
                        "{reason}; 改用弱先验拟合 ({param}='weak' 总是使用, {param}='none' 拒绝这样的拟合)"),
    "warn_constant_fit": ("{reason}", "{reason}"),
    "alert_penalty_shift": ("CLV: {penalizer}={value:g} moved {moves} from the unpenalised fit, which converges on "
                            "these data; the penalty is not needed to fit them",
                            "CLV: {penalizer}={value:g} 使参数偏离未加惩罚的拟合: {moves}; 这些数据不加惩罚也能收敛, "
                            "无需惩罚项"),
    # reporting/charts/fonts.py
    "warn_glyphs": ("Glyphs missing from font(s) {fonts}: {chars}; they are drawn as boxes (a full CJK font draws more "
                    "of them: {hint})",
                    "字体 {fonts} 中缺少字形: {chars}; 这些字符将显示为方框 (完整的中日韩字体能显示更多: {hint})"),
    # tiers/lifecycle.py
    "warn_lifecycle_defaults": ("no customer bought twice, so there is no purchase gap to learn the thresholds from; "
                                "using the defaults {at_risk_after}={at_risk} days and {churned_after}={churned} days "
                                "(set {at_risk_after} and {churned_after} to choose)",
                                "没有客户购买过两次, 因此没有购买间隔可用来学习阈值; 使用默认值 "
                                "{at_risk_after}={at_risk} 天"
                                "和 {churned_after}={churned} 天 (可设置 {at_risk_after} 和 {churned_after} 自行选择)"),
    # tiers/constraints.py: "<Estimator>: <param>=<value>; expected ..." (the estimator is the error's where)
    "param_invalid": ("{param}={value}; expected {expected}", "{param}={value}; 应为 {expected}"),
    "from_to": ("from {low} to {high}", "{low} 到 {high} 之间"),
    "strictly_between": ("strictly between {low} and {high}", "严格介于 {low} 和 {high} 之间"),
    "bounded": ("{below} {low} and {above} {high}", "{below} {low} 且 {above} {high}"),
    "bound": ("{op} {n}", "{op} {n}"),
    "described": ("{what} {bounds}", "{bounds}的{what}"),
    "with_example": ("{text}, e.g. {example}", "{text}, 如 {example}"),
    "a_whole_number": ("a whole number", "整数"),
    "a_finite_number": ("a finite number", "有限数"),
    "a_coverage": ("a coverage", "覆盖率"),
    "a_cs_index": ("a CS index", "满意度指数"),
    "one_of": ("one of {values}", "{values} 之一"),
    "either_or": ("{first} or {last}", "{first} 或 {last}"),
    "or_none": ("{text}, or None", "{text}, 或 None"),
    "a_duration": ("a duration {op}, e.g. '365D' or '52W'", "{op} 的时长, 如 '365D' 或 '52W'"),
    "a_mapping": ("a mapping", "映射 (mapping)"),
    "true_or_false": ("True or False", "True 或 False"),
    # rules between an estimator's parameters: "<param>: <value> must ..."
    "k_range_order": ("{param}: {value}; expected {low} <= low < high, e.g. (2, 10)",
                      "{param}: {value}; 应满足 {low} <= low < high, 如 (2, 10)"),
    "k_too_few": ("{param}={value} needs at least {least} customers ({per} per cluster), not {n}",
                  "{param}={value} 至少需要 {least} 位客户 (每个聚类 {per} 位), 而不是 {n}"),
    "too_few_to_cluster": ("{n} customers are too few to cluster", "{n} 位客户太少, 无法聚类"),
    "clv_levels": ("{param}: {value} must be at least 2 distinct names", "{param}: {value} 必须是至少 2 个不同的名称"),
    "clv_quantiles": ("{param}: {value} must be {n} increasing numbers strictly between 0 and 1",
                      "{param}: {value} 必须是 {n} 个严格介于 0 和 1 之间的递增数"),
    "ascending_numbers": ("{param}: {value} must be {n} ascending numbers", "{param}: {value} 必须是 {n} 个递增的数"),
    "classes_needed": ("{param}: give a class for every (clv_level, cs_level) pair of the levels {levels}",
                       "{param}: 请为等级 {levels} 的每个 (clv_level, cs_level) 组合指定一个分类"),
    "classes_pairs": ("{param}: must map every (clv_level, cs_level) pair exactly once; missing {missing}, extra "
                      "{extra}",
                      "{param}: 必须把每个 (clv_level, cs_level) 组合恰好对应一次; 缺少 {missing}, 多出 {extra}"),
    "not_cs_index": ("column {column}, customer {customer}: value {value} is not a CS index from 0 to 100",
                     "列 {column}, 客户 {customer}: 值 {value} 不是 0 到 100 之间的满意度指数"),
    "no_rated_at_level": ("no rated customer at CLV level {level} to take a median from",
                          "CLV 等级 {level} 中没有有满意度数据的客户可以取中位数"),
    "grid_cells": ("{param}: must map every (R, FM) cell 1..5 x 1..5 exactly once; missing {missing}, extra {extra}",
                   "{param}: 必须把 1..5 x 1..5 的每个 (R, FM) 格子恰好对应一次; 缺少 {missing}, 多出 {extra}"),
    "grid_names": ("{param}: segment names must be non-empty text, got {bad}", "{param}: 细分名称必须是非空文本, 实际为"
                                                                               " {bad}"),
    "weights_zero": ("{param}: {value} must be 3 non-negative numbers, not all zero",
                     "{param}: {value} 必须是 3 个非负数, 且不能全为 0"),
    "abc_cutoffs": ("{param}: {value} must be {n} increasing shares in (0, 1], the last equal to 1",
                    "{param}: {value} 必须是 {n} 个 (0, 1] 之间的递增占比, 最后一个等于 1"),
    "not_above": ("{param}: {value} must not be above {other} {other_value}",
                  "{param}: {value} 不能大于 {other} {other_value}"),
    "not_below": ("{param}: {value} must not be below {other} {other_value}",
                  "{param}: {value} 不能小于 {other} {other_value}"),
    "thresholds_order": ("{param} {at_risk} and {other} {churned}: need 0 <= {param} <= {other}",
                         "{param} {at_risk} 和 {other} {churned}: 需满足 0 <= {param} <= {other}"),
    "new_within_order": ("{param} {new_within} and {other} {churned}: need {param} <= {other}",
                         "{param} {new_within} 和 {other} {churned}: 需满足 {param} <= {other}"),
    # output.py, evaluation/migration.py
    "already_exists": ("{path}: already exists", "{path}: 已存在"),
    "output_folder_exists": ("{path}: already exists; Spark writes its Parquet parts into a new folder "
                             "(name another, or remove this one)",
                             "{path}: 已存在; Spark 把 Parquet 分片写入一个新文件夹 (请换一个名字, 或删除此文件夹)"),
    "already_exists_now": ("{path}: already exists (made while this one was being written)",
                           "{path}: 已存在 (在写入本文件期间被创建)"),
    "not_supported_either": ("{param}: {value} is not supported; expected {choices}",
                             "{param}: 不支持 {value}; 应为 {choices}"),
    "not_supported": ("{param}: {value} is not supported; expected one of {choices}",
                      "{param}: 不支持 {value}; 应为 {choices} 之一"),
    "no_column": ("{path}: no column {column}; columns present: {present}", "{path}: 没有列 {column}; 现有列: "
                                                                            "{present}"),
    "holdout_purchases": ("holdout purchases: expected {n} counts >= 0, one per customer",
                          "验证期购买次数: 应为 {n} 个 >= 0 的计数, 每位客户一个"),
    "holdout_duration": ("holdout {param}={value}; expected a length > 0 in the features' unit",
                         "验证期 {param}={value}; 应为以特征时间单位计的大于 0 的长度"),
    "write_failed": ("{cause} writing {path}", "写入 {path} 时出错: {cause}"),
    # features/durations.py
    "not_a_duration": ("{param}={value} is not a duration; write days or weeks, e.g. '365D' or '52W'",
                       "{param}={value} 不是时长; 请写成天或周, 如 '365D' 或 '52W'"),
    "duration_months": ("{param}={value} is in months, which have no exact number of days; write days or weeks, e.g. "
                        "'365D' or '52W'",
                        "{param}={value} 以月为单位, 而月没有确定的天数; 请写成天或周, 如 '365D' 或 '52W'"),
    "duration_years": ("{param}={value} is in years, which have no exact number of days; write days or weeks, e.g. "
                       "'365D' or '52W'",
                       "{param}={value} 以年为单位, 而年没有确定的天数; 请写成天或周, 如 '365D' 或 '52W'"),
    "duration_unit": ("{param}={value}: unit {unit} is not days or weeks; write days or weeks, e.g. '365D' or '52W'",
                      "{param}={value}: 单位 {unit} 不是天或周; 请写成天或周, 如 '365D' 或 '52W'"),
    "duration_ambiguous_days": ("{param}={n} is ambiguous for features in days: write \"{n}W\" ({n} weeks) or "
                                "\"{n}D\" ({n} days)",
                                "{param}={n} 对以天为单位的特征有歧义: 请写成 \"{n}W\" ({n} 周) 或 \"{n}D\" ({n} 天)"),
    "duration_ambiguous_weeks": ("{param}={n} is ambiguous for features in weeks: write \"{n}W\" ({n} weeks) or "
                                 "\"{n}D\" ({n} days)",
                                 "{param}={n} 对以周为单位的特征有歧义: 请写成 \"{n}W\" ({n} 周) 或 \"{n}D\" ({n} 天)"),
    # clv/model.py
    "btyd_history": ("customer {customer}: frequency_btyd={x}, recency_btyd={t_x}, T={T}; expected a whole number of "
                     "repeat purchases and 0 <= recency_btyd <= T",
                     "客户 {customer}: frequency_btyd={x}, recency_btyd={t_x}, T={T}; 应为整数的重复购买次数, 且 "
                     "0 <= recency_btyd <= T"),
    "time_unit_mismatch": ("{param}={value} but the features are in {declared}",
                           "{param}={value}, 但特征的时间单位是 {declared}"),
    "time_unit_dates": ("{param}={value} but the features' purchase dates show they are in {proven}; compute them "
                        "with rfm_features(..., time_unit=...) in the unit you mean",
                        "{param}={value}, 但特征的购买日期表明其单位是 {proven}; 请用 rfm_features(..., time_unit=...) "
                        "按所需的单位计算特征"),
    "time_unit_unknown": ("the features' time unit {unit} is not 'D' or 'W'", "特征的时间单位 {unit} 不是 'D' 或 'W'"),
    "too_few_repeat": ("only {n} of {total} customers bought more than once; BG/NBD and Gamma-Gamma need at least "
                       "{least} repeat customers (a longer period, or no CLV step)",
                       "{total} 位客户中只有 {n} 位购买过不止一次; BG/NBD 和 Gamma-Gamma 至少需要 {least} 位重复购买"
                       "客户 (请用更长的时间段, 或不做 CLV 步骤)"),
    "too_few_spenders": ("only {n} repeat customers with positive spend; Gamma-Gamma needs at least {least}",
                         "只有 {n} 位重复购买客户的消费为正; Gamma-Gamma 至少需要 {least} 位"),
    "gg_q_undefined": ("Gamma-Gamma q = {q} <= 1 leaves the mean spend undefined: the customers' average spends are "
                       "too heavy-tailed for the model (look for extreme order values); a penalizer would only lower "
                       "q further",
                       "Gamma-Gamma q = {q} <= 1, 平均消费没有定义: 客户平均消费的尾部过重, 超出模型所能描述 (请检查"
                       "极端的订单金额); 加惩罚项只会让 q 更低"),
    "non_finite_prediction": ("non-finite prediction for customer {customer}; try a penalizer",
                              "客户 {customer} 的预测值不是有限数; 可尝试加惩罚项"),
    "btyd_inputs": ("frequency, recency, T: expected numbers (repeat purchases, age at the last, age now, in the "
                    "model's time unit), equally long or single",
                    "frequency, recency, T: 应为数字 (重复购买次数、最后一次购买时的年龄、当前年龄, 以模型的时间单位"
                    "计), 长度相同或为单个值"),
    "customer": ("customer {customer}", "客户 {customer}"),
    "position": ("position {n}", "第 {n} 个位置"),
    "btyd_value": ("{who}: {shown}; expected a whole number of repeat purchases >= 0 and 0 <= recency <= T",
                   "{who}: {shown}; 应为 >= 0 的整数重复购买次数, 且 0 <= recency <= T"),
    "n_counts": ("{param}={value}; expected whole numbers >= 0 of repeat purchases",
                 "{param}={value}; 应为 >= 0 的整数重复购买次数"),
    "t_histories": ("t has {n_t} values and the histories {n}; give one t, one customer, or as many of each",
                    "t 有 {n_t} 个值, 而购买记录有 {n} 个; 请给出一个 t、一位客户, 或两者数量相同"),
    "spend_inputs": ("frequency, monetary_value: expected numbers, equally long or single",
                     "frequency, monetary_value: 应为数字, 长度相同或为单个值"),
    "spend_value": ("{who}: frequency={x}, monetary_value={m}; expected a whole number of repeat purchases >= 0 and, "
                    "with one or more, their mean spend",
                    "{who}: frequency={x}, monetary_value={m}; 应为 >= 0 的整数重复购买次数, 有重复购买时还应有其平均"
                    "消费"),
    "monetary_inputs": ("monetary_value: expected numbers, as many as the customers or one",
                        "monetary_value: 应为数字, 与客户数相同或为单个值"),
    "no_intervals_old": ("this model was fitted before parameter intervals existed; fit it again",
                         "该模型拟合时还没有参数区间; 请重新拟合"),
    "no_intervals": ("no parameter intervals for {names}: the observed information is not positive definite (a "
                     "parameter at the boundary of its range, the likelihood flat along it)",
                     "{names} 没有参数区间: 观测信息矩阵不正定 (某个参数位于其取值范围的边界, 似然沿该方向平坦)"),
    "compute_in_unit": ("compute them with rfm_features(..., time_unit={unit})",
                        "请用 rfm_features(..., time_unit={unit}) 计算特征"),
    "unit_declared": ("the features are in time unit {declared} but the model was fitted in {fitted}; {hint}",
                      "特征的时间单位是 {declared}, 但模型是按 {fitted} 拟合的; {hint}"),
    "unit_proven": ("the features' purchase dates show time unit {proven} but the model was fitted in "
                    "time_unit={fitted}; {hint}",
                    "特征的购买日期表明时间单位是 {proven}, 但模型是按 time_unit={fitted} 拟合的; {hint}"),
    "unit_not_days": ("features without attrs['time_unit'] whose T / recency_btyd are not whole days in "
                      "time_unit={fitted} (the unit the model was fitted in); {hint}",
                      "特征没有 attrs['time_unit'], 且其 T / recency_btyd 在 time_unit={fitted} (模型拟合所用的单位) "
                      "下不是整天数; {hint}"),
    "unit_looks_days": ("features without attrs['time_unit'] look like days (whole numbers, median T {median} against "
                        "{at_fit} at fit) but the model was fitted in time_unit='W'; {hint}, or set "
                        "features.attrs['time_unit'] = 'W' if they are weeks",
                        "特征没有 attrs['time_unit'], 看起来是以天为单位 (整数, T 的中位数为 {median}, 拟合时为 "
                        "{at_fit}), 但模型是按 time_unit='W' 拟合的; {hint}; 如果它们是周, 请设置 "
                        "features.attrs['time_unit'] = 'W'"),
    "d_or_w": ("'D' or 'W' (tierkit's time units)", "'D' 或 'W' (tierkit 的时间单位)"),
    "whole_months": ("a whole number of months >= 1", ">= 1 的整月数"),
    "monthly_rate": ("a monthly rate >= 0", ">= 0 的月利率"),
    # tiers/_base.py
    "not_a_frame": ("expected a pandas DataFrame of features with named columns, got {got}",
                    "应为带列名的 pandas DataFrame 特征表, 实际为 {got}"),
    "missing_feature_columns": ("missing feature column(s) {missing}; present: {present}",
                                "缺少特征列 {missing}; 现有列: {present}"),
    "missing_columns": ("missing column(s) {missing}; present: {present}", "缺少列 {missing}; 现有列: {present}"),
    "not_finite": ("column {column}, customer {customer}: value {value} is not a finite number",
                   "列 {column}, 客户 {customer}: 值 {value} 不是有限数"),
    "empty_features": ("cannot fit on an empty feature table", "不能在空的特征表上拟合"),
    "standards_unit": ("the features are in time unit {given} but the standards were learned on features in {fitted}; "
                       "{hint}",
                       "特征的时间单位是 {given}, 但分级标准是在 {fitted} 单位的特征上学得的; {hint}"),
    "standards_frequency": ("the features count frequency as {given} but the standards were learned on {fitted}; "
                            "{remedy}",
                            "特征按 {given} 计算购买频率, 但分级标准是在按 {fitted} 计算的特征上学得的; {remedy}"),
    # features/definition.py, segmentation/chain.py, grading.py, cli/options.py, data/contract.py
    "frequency_of_orders": ("distinct orders (an order column)", "不同订单数 (有订单列)"),
    "frequency_of_purchase_days": ("purchase days (no order column)", "购买天数 (没有订单列)"),
    "frequency_remedy_orders": ("read the transactions with their order column (order_id; --order-col)",
                                "读取交易记录时给出订单列 (order_id; --order-col)"),
    "frequency_remedy_purchase_days": ("read the transactions without an order column (leave out order_id; "
                                       "--order-col)",
                                       "读取交易记录时不给出订单列 (不指定 order_id; --order-col)"),
    "time_unit_choice": ("{param}: {value} is not supported; expected 'D' (days) or 'W' (weeks)",
                         "{param}: 不支持 {value}; 应为 'D' (天) 或 'W' (周)"),
    "as_of_required": ("{param}: the observation date is required (e.g. as_of='2021-04-01')",
                       "{param}: 需要观察日期 (如 as_of='2021-04-01')"),
    "as_of_and_calibration": ("{param} and {other} differ; give one of them", "{param} 与 {other} 不同; 请只给出其中一"
                                                                              "个"),
    "transactions_columns": ("{param}: missing column {missing}; use read_transactions() or normalize_transactions() "
                             "to map your columns",
                             "{param}: 缺少列 {missing}; 请用 read_transactions() 或 normalize_transactions() 对应"
                             "列"),
    "order_column_unwanted": ("order column {column}: {who} counts frequency as purchase days (no order column); "
                              "leave the order column out (--order-col; order_id)",
                              "订单列 {column}: {who} 按购买天数计算购买频率 (没有订单列); 请不要指定订单列 "
                              "(--order-col; order_id)"),
    "order_column_needed": ("{who} counts frequency as distinct orders: give the transactions' order column "
                            "(--order-col; order_id)",
                            "{who} 按不同订单数计算购买频率: 请给出交易的订单列 (--order-col; order_id)"),
    "holdout_after": ("{param}: {end} must be after the calibration end {as_of}", "{param}: {end} 必须晚于校准期末 "
                                                                                  "{as_of}"),
    "step_needs_clv": ("the {step} step needs predicted CLV; add clv=CLVModel()",
                       "{step} 步骤需要预测的 CLV; 请加上 clv=CLVModel()"),
    "no_clv_horizon": ("{param}: this segmentation has no CLV step to predict over a horizon",
                       "{param}: 该分级没有 CLV 步骤, 无法按预测期预测"),
    "unknown_steps": ("{param}: unknown step(s) {steps}; expected some of {expected}",
                      "{param}: 未知步骤 {steps}; 应为 {expected} 中的一个或多个"),
    "step_arguments": ("{param}: {reason}", "{param}: {reason}"),
    "needs_clv_left_out": ("needs the predicted CLV that was left out", "需要的预测 CLV 已被略过"),
    "as_of_needed": ("{param}: an observation date is needed to compute features from transactions",
                     "{param}: 从交易记录计算特征需要观察日期"),
    "spark_workbook": ("{path}: the Spark engine writes .csv or .parquet; a workbook is written by the local engine "
                       "({flag} {value})",
                       "{path}: Spark 引擎只写 .csv 或 .parquet; 工作簿由本机引擎写出 ({flag} {value})"),
    "chunk_size": ("{param}: {value} must be a positive number of customers", "{param}: {value} 必须是正的客户数"),
    "sheet_number": ("{param} {value}: expected a worksheet name or a number from 1 (the first worksheet)",
                     "{param} {value}: 应为工作表名称, 或从 1 (第一个工作表) 开始的编号"),
    "no_clv_remedy": ("{message}; --no-clv grades without predicted CLV (leave out --clv to skip it when the data "
                      "cannot support it)",
                      "{message}; --no-clv 可不用预测 CLV 进行分级 (数据无法支持 CLV 时, 不要给出 --clv 即可略过)"),
    "named_format": ("{param} {format}", "{param} {format}"),
    "the_columns_format": ("the column's format ({name})", "该列的格式 ({name})"),
    "give_date_format": ("; give the column's {option}", "; 请用 {option} 指定该列的格式"),
    "reads_them_all": (": {format} reads them all", ": {format} 能读取全部日期"),
    "date_rule": ("{source}: column {column}: {n:,} of {total:,} dates do not match {rule} (e.g. {example}); a format "
                  "that rejects most of a column is not the column's, and the dates it reads are suspect{hint}",
                  "{source}: 列 {column}: {total:,} 个日期中有 {n:,} 个不符合{rule} (如 {example}); 拒绝一列中大部分值"
                  "的格式不是该列的格式, 它读出的日期也不可信{hint}"),
    # evaluation/migration.py
    "expected_frame": ("{path}: expected a DataFrame, got {got}", "{path}: 应为 DataFrame, 实际为 {got}"),
    "in_all": (" ... ({n:,} in all)", " ... (共 {n:,} 个)"),
    "on_row": (" on row {rows}{more}", " (第 {rows} 行{more})"),
    "on_rows": (" on rows {rows}{more}", " (第 {rows} 行{more})"),
    "one_customer": ("customer {ids}{more}", "客户 {ids}{more}"),
    "customers_ids": ("customers {ids}{more}", "客户 {ids}{more}"),
    "blank_tiers": ("{path}: column {column} is blank{where_} ({customers}); every customer of a snapshot needs a "
                    "tier (a blank is neither an entrant nor a leaver)",
                    "{path}: 列 {column} 为空{where_} ({customers}); 快照中的每位客户都需要有等级 (空值既不是新进入也"
                    "不是已离开)"),
    "unknown_tiers": ("{param}: tier(s) {unknown} are not in the tier order {order}",
                      "{param}: 等级 {unknown} 不在等级顺序 {order} 中"),
    "no_threshold_column": ("{param}: no column {column} to read the ABC thresholds from",
                            "{param}: 没有可读取 ABC 阈值的列 {column}"),
    "no_column_in_table": ("no column {column} in the table", "表中没有列 {column}"),
    "missing_thresholds": ("{param}: missing tier(s) {missing}; expected a threshold for each of {order}",
                           "{param}: 缺少等级 {missing}; 应为 {order} 中每个等级给出阈值"),
    "gaps_scheme": ("{param}: next-tier gaps are defined for 'abc_tier' and 'rfm_class', not {value}",
                    "{param}: 升级差距只对 'abc_tier' 和 'rfm_class' 有定义, 不支持 {value}"),
    # scoring
    "model_no_folder": ("model {model}: no such folder; expected models:/NAME@ALIAS, runs:/RUN_ID/model or a model "
                        "folder",
                        "模型 {model}: 文件夹不存在; 应为 models:/NAME@ALIAS、runs:/RUN_ID/model 或模型文件夹"),
    "model_fetch": ("model {model}: cannot be fetched from {tracking}: {reason}", "模型 {model}: 无法从 {tracking} 获取"
                                                                                  " (MLflow 报告 “{reason}”)"),
    "model_no_mlmodel": ("model {model}: {path} has no MLmodel file; expected an MLflow model folder",
                         "模型 {model}: {path} 中没有 MLmodel 文件; 应为 MLflow 模型文件夹"),
    "model_not_tierkit": ("model {model}: not a tierkit segmentation model (no {artifact} artifact)",
                          "模型 {model}: 不是 tierkit 分级模型 (没有 {artifact} 文件)"),
    "model_no_signature": ("model {model}: has no output signature; log it with "
                           "tierkit.mlops.pyfunc.log_segmentation_model",
                           "模型 {model}: 没有输出签名; 请用 tierkit.mlops.pyfunc.log_segmentation_model 记录"),
    "map_profit": (" (map it with --profit-col)", " (请用 --profit-col 指定)"),
    "model_needs_input": ("model {model}: needs input {missing} that {source} cannot give{hint}",
                          "模型 {model}: 需要输入 {missing}, 而 {source} 无法提供{hint}"),
    "model_file_shape": ("{message}; the model {model} reads files shaped as its training file (columns {columns}); "
                         "for a file of another shape give its column options (--customer-col ...)",
                         "{message}; 模型 {model} 读取与其拟合所用文件形式相同的文件 (列 {columns}); 其他形式的文件请给"
                         "出"
                         "列选项 (--customer-col ...)"),
    "needs_memory": ("{path}: the aggregation needs more memory than {option} {limit}; give a larger one (the previous "
                     "output is kept)",
                     "{path}: 聚合所需的内存超过 {option} {limit}; 请给出更大的值 (之前的输出保持不变)"),
    "no_transaction_before": ("{source}: no transaction on or before {option} {as_of}",
                              "{source}: 截至 {option} {as_of} 没有任何交易"),
    # the alerts on a grading (tierkit.evaluation.alerts, tierkit.clv.alerts), warned as AlertWarning
    "alert_bgnbd_edge": (
        "CLV: the {model} fit is at the edge of the model ({shown}, outside {low}..{high}); the dropout chance "
        "after a purchase, a / (a + b) = {dropout}, is not learned from these customers",
        "CLV: {model} 拟合落在模型边界上 ({shown}, 超出 {low}..{high}); 购买后的流失概率 a / (a + b) = {dropout} "
        "并不是从这些客户身上学到的"),
    "alert_gg_flat": (
        "CLV: Gamma-Gamma q = {q}, v = {v}: the customers' average spends barely differ beyond chance, so "
        "everyone's expected spend is close to the overall mean",
        "CLV: Gamma-Gamma q = {q}, v = {v}: 客户之间平均消费的差异几乎不超出随机波动, 因此每位客户的预期消费都"
        "接近总体均值"),
    "alert_gg_q_near_1": (
        "CLV: Gamma-Gamma q = {q} is near 1, where the mean spend is undefined; expected spend and CLV are "
        "unstable",
        "CLV: Gamma-Gamma q = {q} 接近 1 (q = 1 时平均消费没有定义); 预期消费和 CLV 不稳定"),
    "alert_clv_untrusted": (
        "CLV: the {model} model cannot tell active from lapsed customers ({reason}); its P(alive) and CLV rank "
        "customers by purchase rate alone, so no tier is drawn from them (each row carries clv_caveat). What "
        "would fix it: {remedy}",
        "CLV: {model} 模型分不清活跃客户和已流失客户 ({reason}); 它的 P(alive) 和 CLV 只按购买频率给客户排序, "
        "因此不据此划分任何等级 (每行带有 clv_caveat)。改进办法: {remedy}"),
    "alert_dissolved": (
        "clusters: cluster(s) {names} dissolve when the customers are resampled (Jaccard < 0.6); do not act "
        "on them as segments",
        "聚类: 第 {names} 类在对客户重抽样后解体 (Jaccard < 0.6); 不要把它们当作细分群体来采取行动"),
    "alert_k_edge": (
        "clusters: k = {k} is the largest k searched, so the indices may prefer a larger one; search a wider "
        "k_range (--k-range)",
        "聚类: k = {k} 是搜索范围内最大的 k, 各指标可能更偏好更大的 k; 请扩大 k_range (--k-range) 搜索"),
    "alert_k_edge_action": (
        "clusters: k = {k} is the largest k searched and its clusters can be acted on, so a larger k may be too; "
        "search a wider k_range (--k-range)",
        "聚类: k = {k} 是搜索范围内最大的 k 且其聚类可据以行动, 更大的 k 也可能可行; 请扩大 k_range (--k-range) 搜索"),
    "alert_k_disagree": (
        "clusters: the validity indices disagree on k ({preferences}); k = {k} was chosen by {rule}; compare "
        "them with `tierkit clusters`",
        "聚类: 各有效性指标对 k 的选择不一致 ({preferences}); 按 {rule} 选定 k = {k}; 可用 `tierkit clusters` "
        "比较"),
    "alert_one_tier": (
        "{column}: {share} of the customers are {tier}; this scheme hardly separates them",
        "{column}: {share} 的客户都是 {tier}; 这种分级几乎没有把客户区分开"),
    "alert_empty_tiers": (
        "{column}: no customer is {tiers} ({n} of {total} tiers empty)",
        "{column}: 没有客户属于 {tiers} ({total} 个等级中有 {n} 个为空)"),
    "alert_few_answers": (
        "satisfaction: only {share} of the customers have a survey answer; the others are 'unrated' in the "
        "CLV-CS grid",
        "满意度: 只有 {share} 的客户有问卷回答; 其余客户在 CLV-CS 矩阵中为“未评分”"),
    # tiers/constraints.py: what a parameter's rules expect
    "whole_numbers": ("whole numbers", "整数"),
    "finite_numbers": ("finite numbers", "有限数"),
    "values_among": ("values among {values}", "{values} 中的值"),
    "durations": ("durations such as '365D' or '52W'", "如 '365D' 或 '52W' 的时长"),
    "lists_of": ("lists of {items}", "由{items}组成的列表"),
    "count_of": ("{n} ", "{n} 个"),
    "at_least": (" (at least {n})", " (至少 {n} 个)"),
    "a_list_of": ("a list of {count}{items}{least}", "由 {count}{items}组成的列表{least}"),
    "mappings": ("mappings", "映射"),
    "a_mapping_from": ("a mapping from {keys} to {values}", "从 {keys} 到{values}的映射"),
    "estimators_with": ("estimators with {methods}", "带 {methods} 方法的模型"),
    "an_estimator_with": ("an estimator with {methods}", "带 {methods} 方法的模型"),
    "texts": ("texts", "文本"),
    "true_false_values": ("True/False values", "True/False 值"),
    # clv/trust.py, segmentation/chain.py
    "no_dropout_learned": ("no dropout learned: a customer leaves within the median age ({age}) with chance {chance}, "
                           "P(alive) >= {alive} for {share} of the customers who could have left",
                           "没有学到流失: 客户在中位年龄 ({age}) 内离开的概率为 {chance}, 可能离开的客户中有 {share} 的"
                           " "
                           "P(alive) >= {alive}"),
    "clv_remedy": ("a longer history (two years or more), a holdout to check the model against (tierkit validate), or "
                   "another purchase model (--clv-model)",
                   "更长的历史数据 (两年或以上)、用于检验模型的验证期 (`tierkit validate`), 或换一个购买模型 "
                   "(--clv-model)"),
    "clv_untrusted_step": ("the CLV model cannot tell active from lapsed customers ({reason}); it would rank them by "
                           "purchase rate alone. What would fix it: {remedy}",
                           "CLV 模型分不清活跃客户和已流失客户 ({reason}); 它只会按购买频率给客户排序。改进办法: "
                           "{remedy}"),
    # clusters/selection.py, clv/diagnostics.py, clv/validation.py, clv/discrete.py
    "param_expected": ("{param}: {value}; expected {expected}", "{param}: {value}; 应为 {expected}"),
    "low_high_pair": ("(low, high), e.g. (2, 10)", "(low, high), 如 (2, 10)"),
    "k_range_too_few": ("{param}: {n} customers are too few to compare k from {low} to {high} (k-means here wants at "
                        "least {per} customers per cluster, {least} for k up to {k})",
                        "{param}: {n} 位客户太少, 无法比较 k 从 {low} 到 {high} 的聚类 (这里的 k 均值聚类每个聚类至少"
                        "需要 {per} 位客户, k 最大为 {k} 时需要 {least} 位)"),
    "no_customer_before": ("no customer bought on or before {date}", "截至 {date} 没有客户购买过"),
    "after_param": ("{param}: {end} must be after {other} {start}", "{param}: {end} 必须晚于 {other} {start}"),
    "some_of": ("{param} {value}: expected some of {choices}", "{param} {value}: 应为 {choices} 中的一个或多个"),
    "bgbb_lengths": ("x, t_x and n must be equally long lists of counts", "x、t_x 和 n 必须是等长的计数列表"),
    "bgbb_counts": ("x, t_x, n: expected whole numbers with 0 <= x <= t_x <= n, t_x = 0 exactly when x = 0",
                    "x, t_x, n: 应为满足 0 <= x <= t_x <= n 的整数, 且仅当 x = 0 时 t_x = 0"),
    "one_count_per_row": ("{param}: expected one count >= 0 per row", "{param}: 应为每行一个 >= 0 的计数"),
    # datasets.py
    "no_lifetimes": ("{name}: the {package} package (which ships the CDNOW data) is not installed; {command}",
                     "{name}: 未安装提供 CDNOW 数据的 {package} 包; 请运行 {command}"),
    "no_cdnow": ("{path}: CDNOW data not found in the installed {package} package; reinstall it from PyPI ({command})",
                 "{path}: 已安装的 {package} 包中没有 CDNOW 数据; 请从 PyPI 重新安装 ({command})"),
    "in_unit_interval": ("{param}: {value} must be in (0, 1]", "{param}: {value} 必须在 (0, 1] 之间"),
    # evaluation, reporting
    "column_missing_scored": ("column {column} is missing from the scored table", "评分表中缺少列 {column}"),
    "not_tier_column": ("{param}: {value} is not a tier column of this table (present: {present})",
                        "{param}: {value} 不是此表中的等级列 (现有: {present})"),
    "a_frame_expected": ("expected a DataFrame, got {got}", "应为 DataFrame, 实际为 {got}"),
    "param_frame": ("{param}: expected a DataFrame, got {got}", "{param}: 应为 DataFrame, 实际为 {got}"),
    "no_value_column": ("the table has no {column} column (revenue per customer)",
                        "表中没有 {column} 列 (每位客户的收入)"),
    "no_customers_in_table": ("the table has no customers", "表中没有客户"),
    "no_abc_scheme": ("{column}: tier keys {keys} match no ABC scheme ({orders})",
                      "{column}: 等级 {keys} 不属于任何 ABC 方案 ({orders})"),
    # mlops/config.py
    "no_config": ("{path}: no such config file", "{path}: 配置文件不存在"),
    "config_unparsed": ("{path}: not valid {kind}: {reason}", "{path}: 不是有效的 {kind} 文件 (解析器报告 “{reason}”)"),
    "config_not_mapping": ("{path}: expected a mapping of sections ({sections})",
                           "{path}: 应为由各节组成的映射 ({sections})"),
    "config_invalid": ("{path}: {text}", "{path}: 配置项有误: {text}"),
    # mlops/config.py: one mistake of a config (its key path, then what is wrong); joined by "; "
    "config_join": ("{a}; {b}", "{a}; {b}"),
    "config_at": ("{path}: {text}", "{path}: {text}"),
    "config_in_section": ("{path}.{text}", "{path}.{text}"),
    "config_other_words": ("{text}", "“{text}”"),
    "config_unknown_key": ("{path}: unknown key; expected one of: {keys}",
                           "{path}: 未知的配置项; 应为以下之一: {keys}"),
    "config_missing_key": ("{path}: missing key; expected {what}", "{path}: 缺少配置项; 应为 {what}"),
    "config_expected": ("{path}: expected {what}, got {got}", "{path}: 应为 {what}, 实为 {got}"),
    "config_no_match": ("no file matches the pattern {pattern}", "没有文件匹配模式 {pattern}"),
    "config_file_missing": ("{what} {path} does not exist", "{what} {path} 不存在"),
    "config_file_unreadable": ("{what} {path} is not readable", "{what} {path} 不可读"),
    "config_word_file": ("file", "文件"),
    "config_word_survey_file": ("survey file", "调查文件"),
    "config_columns_key": ("unknown key; the source columns are keys of data itself ({example})",
                           "未知的配置项; 源数据的列直接写成 'data' 的配置项 ({example})"),
    "config_sheet_name_key": ("unknown key; the worksheet is data.sheet (a name, or a position counted from 0)",
                              "未知的配置项; 工作表用 data.sheet 指定 (名称, 或从 0 开始计数的位置)"),
    "config_sheet_position": ("expected a worksheet name or a position counted from 0 (the first), got {value}",
                              "应为工作表名称, 或从 0 (第一个) 开始计数的位置, 实为 {value}"),
    "config_dataset_or_path": ("needs exactly one of data.dataset ({datasets}) or data.path",
                               "data.dataset ({datasets}) 与 data.path 必须给出且只给出其中之一"),
    "config_dataset_as_is": ("a bundled dataset is read as it is; {key} goes with data.path",
                             "内置数据集按原样读取; {key} 只能与 data.path 一起使用"),
    "config_date": ("expected a date YYYY-MM-DD such as 1998-06-30, got {value}",
                    "应为 YYYY-MM-DD 格式的日期, 如 1998-06-30, 实为 {value}"),
    "config_needs_as_of": ("needs dates.as_of (or dates.holdout_end)", "需要 dates.as_of (或 dates.holdout_end)"),
    "config_dates_together": ("dates.calibration_end and dates.holdout_end go together",
                              "dates.calibration_end 与 dates.holdout_end 须同时给出"),
    "config_date_after": ("{value} must come after dates.calibration_end {calibration_end}",
                          "{value} 必须晚于 dates.calibration_end {calibration_end}"),
    "config_date_not_before": ("{value} must not come before dates.calibration_end {calibration_end}",
                               "{value} 不能早于 dates.calibration_end {calibration_end}"),
    "config_switch": ("expected a mapping of parameters, true or false, got {value}",
                      "应为参数映射, true 或 false, 实为 {value}"),
    "config_needs_clv": ("needs predicted CLV; add schemes.clv", "需要预测的 CLV; 请添加 schemes.clv"),
    "config_p_alive_needs_clv": ("schemes.lifecycle.use_p_alive needs predicted CLV; add schemes.clv",
                                 "schemes.lifecycle.use_p_alive 需要预测的 CLV; 请添加 schemes.clv"),
    "config_survey_source": ("needs exactly one of satisfaction.path or satisfaction.synthetic: true",
                             "satisfaction.path 与 satisfaction.synthetic: true 必须给出且只给出其中之一"),
    # mlops/config.py: what a config key expects, in words
    "config_an_integer": ("an integer", "整数"),
    "config_a_number": ("a number", "数"),
    "config_true_false": ("true or false", "true 或 false"),
    "config_text": ("text", "文本"),
    "config_a_mapping": ("a mapping", "映射"),
    "config_a_list": ("a list", "列表"),
    "config_a_value": ("a value", "一个值"),
    "config_integers": ("integers", "整数"),
    "config_numbers": ("numbers", "数"),
    "config_true_false_values": ("true/false values", "true/false 值"),
    "config_texts": ("texts", "文本"),
    "config_values": ("values", "值"),
    "config_time_unit": ("'D' (days) or 'W' (weeks)", "'D' (天) 或 'W' (周)"),
    "config_engine": ("'local' or 'spark'", "'local' 或 'spark'"),
    "config_one_of": ("one of {options}", "{options} 之一"),
    "config_list_of": ("a list of {items}", "由{items}组成的列表"),
    "config_list_of_n": ("a list of {n} {items}", "由 {n} 个{items}组成的列表"),
    "config_at_least": ("{what} (at least {n})", "{what} (至少 {n} 项)"),
    "config_parameters_switch": ("a mapping of parameters, true or false", "参数映射, true 或 false"),
    "config_or": ("{a} or {b}", "{a}或{b}"),
    "config_and": ("{a} and {b}", "{a} 且 {b}"),
    "config_bounded": ("{what} {bounds}", "{bounds} 的{what}"),
    # mlops/export.py, pyfunc.py, registry.py, tracking.py
    "model_folder_exists": ("{path}: already exists; a model is saved into a new folder",
                            "{path}: 已存在; 模型须保存到一个新文件夹"),
    "not_installed_to_log": ("{package} is not installed; tierkit needs it to log a model",
                             "未安装 {package}; tierkit 记录模型需要它"),
    "input_value": ("column {column}, {location}: value {value}; expected {expected}{more}",
                    "列 {column}, {location}: 值 {value}; 应为 {expected}{more}"),
    "bad_rows_in_all": (" ({n:,} bad rows in all)", " (共 {n:,} 行有误)"),
    "a_customer_id_text": ("a customer id (text or a whole number)", "客户编号 (文本或整数)"),
    "one_row_per_customer": ("one row per customer (also in row {n})", "每位客户一行 (第 {n} 行也是该客户)"),
    "too_many_rows": ("{rows:,} rows; the model takes at most {max_rows:,} rows per call (model_config max_rows): "
                      "send the customers in batches",
                      "{rows:,} 行; 模型每次调用最多接受 {max_rows:,} 行 (model_config max_rows): 请分批发送客户"),
    "horizon_too_long": ("{param} {value} is {days:,.0f} days; the model predicts at most {limit:,.0f} days ahead "
                         "(model_config max_horizon_days), e.g. '365D' or '52W'",
                         "{param} {value} 为 {days:,.0f} 天; 模型最多预测未来 {limit:,.0f} 天 "
                         "(model_config max_horizon_days), 如 '365D' 或 '52W'"),
    "param_semicolon_expected": ("{param} {value}; expected {expected}", "{param} {value}; 应为 {expected}"),
    "missing_columns_only": ("missing column(s) {missing}", "缺少列 {missing}"),
    "as_of_with_transactions": ("{param} is required with input='transactions' (e.g. '2024-01-31')",
                                "input='transactions' 时必须给出 {param} (如 '2024-01-31')"),
    "transactions_need_columns": ("transactions need column(s) {missing}{shaped}", "交易记录需要列 {missing}{shaped}"),
    "or_training_columns": (" (or the columns of the model's training file: {columns})",
                            " (或模型训练文件中的列: {columns})"),
    "registry_name": ("{param} {value}: a registered model name cannot be empty or contain '/' or ':'",
                      "{param} {value}: 注册模型名称不能为空, 也不能包含 '/' 或 ':'"),
    "registry_alias": ("{param} {value}: an alias is letters, digits, '_' and '-', and not 'latest' or a version such "
                       "as 'v1'",
                       "{param} {value}: 别名只能由字母、数字、'_' 和 '-' 组成, 且不能是 'latest' 或 'v1' 这样的"
                       "版本号"),
    "run_id_bad": ("run {run}: not a run id; expected the 32 hexadecimal digits MLflow shows",
                   "运行 {run}: 不是运行编号; 应为 MLflow 显示的 32 位十六进制数字"),
    "no_run": ("run {run}: no such run in the tracking store {tracking}",
               "运行 {run}: 跟踪存储 {tracking} 中没有该运行"),
    "run_no_model": ("run {run}: has no logged model called {artifact}{hint}",
                     "运行 {run}: 没有名为 {artifact} 的已记录模型{hint}"),
    "child_run": ("; it is the child run of scheme {scheme}: register its parent run {parent}",
                  "; 它是方案 {scheme} 的子运行: 请注册其父运行 {parent}"),
    "no_experiment": ("experiment {experiment}: not found in the tracking store {tracking}; run `tierkit run CONFIG` "
                      "first",
                      "实验 {experiment}: 跟踪存储 {tracking} 中没有该实验; 请先运行 `tierkit run CONFIG`"),
    "no_comparison_runs": ("experiment {experiment}: no run has comparison metrics (configs need calibration_end and "
                           "holdout_end)",
                           "实验 {experiment}: 没有带比较指标的运行 (配置需要 calibration_end 和 holdout_end)"),
    # output_chunks.py, scoring/spark.py, segmentation/standards.py
    "output_type_chunks": ("{path}: unsupported output type {suffix}; expected .csv or .parquet",
                           "{path}: 不支持的输出类型 {suffix}; 应为 .csv 或 .parquet"),
    "needs_pyspark": ("the Spark engine needs {package}: {command} (and Java 17)",
                      "Spark 引擎需要 {package}: 请运行 {command} (并安装 Java 17)"),
    "model_format": ("{source}: saved by tierkit {saved} in model format {found}; this tierkit {version} reads format "
                     "{expected}. Re-train the model with this tierkit, or install tierkit {saved} to use it",
                     "{source}: 由 tierkit {saved} 以模型格式 {found} 保存; 当前 tierkit {version} 读取格式 "
                     "{expected}。请用当前 tierkit 重新训练模型, 或安装 tierkit {saved} 来使用它"),
    # mlops/pyfunc.py: what a feature column of the model's input holds (FEATURE_RULES, FEATURE_RELATIONS)
    "rule_recency": ("a number >= 0 (time since the last purchase day)", ">= 0 的数 (距最后购买日的时间)"),
    "rule_frequency": ("a whole number >= 1 (purchase occasions)", ">= 1 的整数 (购买次数)"),
    "rule_monetary": ("a finite number (net spend)", "有限数 (净消费)"),
    "rule_tenure": ("a number >= 0 (time since the first purchase day)", ">= 0 的数 (距首次购买日的时间)"),
    "rule_frequency_btyd": ("a whole number >= 0 (repeat purchase days)", ">= 0 的整数 (重复购买天数)"),
    "rule_recency_btyd": ("a number >= 0 (time from the first to the last purchase day)",
                          ">= 0 的数 (从首次购买日到最后购买日的时间)"),
    "rule_monetary_btyd": ("a finite number (mean spend of the repeat purchase days)", "有限数 (重复购买日的平均消费)"),
    "rule_profit": ("a finite number (total profit)", "有限数 (总利润)"),
    "rule_cs_index": ("a CS index from 0 to 100, or null (no answer)", "0 到 100 之间的满意度指数, 或 null (未回答)"),
    "rule_at_most": ("at most {name} ({value})", "不超过 {name} ({value})"),
    "rule_equal_to": ("equal to {name} ({value})", "等于 {name} ({value})"),
    "rule_zero_one_day": ("0, as {name} is {value} (one purchase day)", "0, 因为 {name} 为 {value} (只有一个购买日)"),
    "rule_zero_no_repeat": ("0, as {name} is {value} (no repeat purchase)", "0, 因为 {name} 为 {value} (没有重复购买)"),
    # output.py: what the system said went wrong (OS_ERRORS; another cause is quoted as the system's text)
    "os_no_space": ("no space left on device", "设备上没有剩余空间"),
    "os_quota": ("disk quota exceeded", "超出磁盘配额"),
    "os_denied": ("permission denied", "没有权限"),
    "os_not_permitted": ("operation not permitted", "不允许此操作"),
    "os_read_only": ("read-only file system", "文件系统是只读的"),
    "os_no_entry": ("no such file or directory", "文件或文件夹不存在"),
    "os_is_dir": ("is a directory", "是文件夹"),
    "os_not_dir": ("not a directory", "不是文件夹"),
    "os_name_too_long": ("file name too long", "文件名太长"),
    "os_io": ("input/output error", "输入/输出错误"),
    "os_exists": ("file exists", "文件已存在"),
    "os_error": ("{text}", "系统报告错误 “{text}”"),
    # the command line's own usage errors (cli/report.py, saved.py, score.py, migrate.py, clusters.py, segment.py)
    "date_before": ("{option} {value}: must be before {other} {other_value}",
                    "{option} {value}: 必须早于 {other} {other_value}"),
    "previous_needs_model": ("{option}: needs {model}, so both periods are graded by the same standards (refitted "
                             "ones would move the cut-offs between periods)",
                             "{option}: 需要 {model}, 这样两个时期按同一套标准分级 (重新拟合的标准会使两个时期之间的"
                             "分界点移动)"),
    "fitting_options_with_model": ("{given}: only used when fitting new standards; {model} grades with the saved ones "
                                   "(leave them out, or leave out {model} to refit)",
                                   "{given}: 只在拟合新标准时使用; {model} 按已保存的标准分级 (请去掉这些选项, 或去掉 "
                                   "{model} 以重新拟合)"),
    "model_time_unit": ("{option} {value}: the model {model} was trained on features in time unit {unit}; give "
                        "{option} {unit} or leave it out",
                        "{option} {value}: 模型 {model} 是在时间单位为 {unit} 的特征上训练的; 请给出 {option} {unit}, "
                        "或不给出该选项"),
    "transactions_twice": ("give the transactions once: as {argument} or with {option}",
                           "交易记录只能给出一次: 作为 {argument}, 或用 {option}"),
    "missing_argument": ("missing argument {argument}", "缺少参数 {argument}"),
    "contribution_with_model": ("{option}: with {model} the gaps are measured by the model's ABC contribution column; "
                                "leave it out",
                                "{option}: 使用 {model} 时, 升级差距按模型的 ABC 贡献列计算; 请不要给出该选项"),
    "missing_option_with_model": ("missing option {option}: with {model} both periods are graded from transactions, "
                                  "each as of its own date",
                                  "缺少选项 {option}: 使用 {model} 时, 两个时期都从交易记录分级, 各按自己的日期"),
    "missing_new": ("missing argument {argument}: give two scored snapshots, or transactions with {model}",
                    "缺少参数 {argument}: 请给出两个评分快照, 或用 {model} 给出交易记录"),
    "model_only_options": ("{given}: only used with {model}, which grades transactions; {old} and {new} here are "
                           "scored snapshots",
                           "{given}: 只在使用 {model} (按交易记录分级) 时有效; 这里的 {old} 和 {new} 是评分快照"),
    "k_range_text": ("{value}; expected LOW-HIGH with {low} <= LOW < HIGH, e.g. 2-10",
                     "{value}; 应为 LOW-HIGH 形式, 且 {low} <= LOW < HIGH, 如 2-10"),
    "saved_on_spark": ("grading by saved standards runs on this machine; score a base on Spark with {command}",
                       "按已保存的标准分级只在本机运行; 要在 Spark 上为客户群评分, 请用 {command}"),
    "spark_no_workbook": ("{path}: the Spark engine writes .csv or .parquet; a workbook is written by the local engine",
                          "{path}: Spark 引擎只写 .csv 或 .parquet; 工作簿由本机引擎写出"),
}
