"""Errors and warnings as data: one catalogue, rendered by key in English and Chinese; nothing matches text."""

import ast
import os
import pickle
import re
import string
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tierkit import errors
from tierkit.errors import (
    DataError,
    DataWarning,
    LaterTransactionsWarning,
    Message,
    MissingColumnsError,
    Param,
    StepWarning,
    TierkitError,
    TierkitWarning,
)
from tierkit.messages import MESSAGES, render

SRC = Path(__file__).resolve().parents[1] / "src" / "tierkit"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Keys whose name is built at the raise site rather than written whole (where each is built).
BUILT_KEYS = {
    "memory_size_value", "memory_size_zero_value",  # data/memory.py: _size_error, key + "_value"
    # data/report.py: _reason, a reason rows are left out ("bad date") with "_" for " "
    "missing_customer", "bad_customer", "missing_order", "bad_date", "bad_amount", "bad_price", "bad_quantity",
    "bad_profit",
    "duration_months", "duration_years",  # features/durations.py: "duration_" + the calendar unit
    "duration_ambiguous_days", "duration_ambiguous_weeks",  # features/durations.py: ... + the features' unit
}
#: Words that stay as they are in a Chinese line: names of formats, products, codes and identifiers.
IDENTIFIERS = {
    "CSV", "Parquet", "parquet", "csv", "tsv", "txt", "gz", "pq", "xlsx", "utf", "gbk", "latin", "cp1252", "tab",
    "IANA", "Asia", "Shanghai", "UTC", "YYYY", "MM", "DD", "YYYYMMDD", "URI", "Spark", "CLV", "CLVModel",
    "Gamma", "NPS", "nps", "csat", "MIN", "MAX", "None", "True", "False", "DataFrame", "tierkit",
    "customer_satisfaction", "cs_index", "clv_level", "cs_level", "FM", "ISO", "AM", "PM", "NUL", "CJK",
    "mapping", "weak", "none", "prior", "ln", "BG", "NBD", "apt", "get", "install", "fonts", "noto", "cjk",
    "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "low", "high", "true", "false", "strftime", "USD", "RMB",
    "HK", "HTML", "html", "cp",
    # the names of arguments and attributes a message tells to give or set
    "frequency", "recency", "monetary_value", "pandas", "attrs", "ABC", "MLmodel", "MLflow",
    "alive", "CS",  # P(alive), CLV-CS
    "CDNOW", "PyPI", "Java", "null", "YAML", "TOML",  # a data set, a package index, a runtime, JSON's null, formats
    "LOW", "HIGH",  # the metavariables of a usage line (--k-range LOW-HIGH)
}


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def sample_values(key: str) -> dict:
    """A value for every placeholder of ``key``: a number where the template formats one, else a marker."""
    values = {}
    for _, name, spec, _ in string.Formatter().parse(MESSAGES[key][0]):
        if name:
            values[name] = 1234 if spec else f"⟨{name}⟩"
    return values


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_renders_in_both_languages_with_the_same_placeholders(key):
    en, zh = MESSAGES[key]
    assert placeholders(en) == placeholders(zh), key
    assert not CJK.search(en), key
    values = sample_values(key)
    assert render(key, values, "en") == en.format(**values)
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", en))
    if [w for w in words if w not in IDENTIFIERS]:
        assert CJK.search(zh), f"{key}: English words {words} but no Chinese"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_no_english_word_in_a_chinese_rendering_beyond_values_and_identifiers(key):
    text = render(key, sample_values(key), "zh")
    # values, quoted text, flags, calls and assignments stay as they are
    kept = r"⟨\w+⟩|'[^']*'|\([^()]*\d[^()]*\)|%\w|`[^`]*`|--[\w-]+|\w+=\S*|\w+:/\S+|\w+\(\)|\w+\.\w+(?:\(\))?"
    text = re.sub(kept, " ", text)
    english = [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in IDENTIFIERS and "_" not in w]
    assert not english, f"{key}: {english} in {text!r}"


def _source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p.name != "messages.py")


def test_every_key_is_raised_or_warned_somewhere():
    source = _source_text()
    unused = sorted(key for key in MESSAGES if key not in BUILT_KEYS and f'"{key}"' not in source)
    assert not unused, f"keys nobody raises, warns or renders: {unused}"
    for key in BUILT_KEYS:
        assert key in MESSAGES


#: Error classes whose first argument is a key (or, not yet keyed, a text).
ERRORS = {"TierkitError", "DataError", "ModelError"}


def _raise_sites():
    """Every construction of a tierkit error in src/: (file:line, keyed?)."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            if name == "MissingColumnsError":
                yield f"{path.relative_to(SRC)}:{node.lineno}", True
            elif name in ERRORS and node.args:
                yield f"{path.relative_to(SRC)}:{node.lineno}", _is_key(node.args[0])


def _is_key(node) -> bool:
    """Whether a raise site's first argument is a key: written whole, chosen between keys, or built as one."""
    if isinstance(node, ast.Constant):
        return node.value in MESSAGES
    if isinstance(node, ast.IfExp):
        return _is_key(node.body) and _is_key(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):  # "duration_" + a unit
        return any(key.startswith(node.left.value) for key in BUILT_KEYS)
    # key + "_value" (data/memory.py), exc.key (clv/family.py), a key variable (MissingColumnsError)
    return ast.unparse(node) in ("key + '_value'", "exc.key", "key")


def test_every_raise_site_raises_with_a_key():
    sites = list(_raise_sites())
    assert len(sites) > 200  # the walk finds them (57 of them raised a free English text before)
    unkeyed = [where for where, keyed in sites if not keyed]
    assert not unkeyed, "raised with a free text, not a key of MESSAGES:\n" + "\n".join(unkeyed)


def test_every_warning_of_tierkit_has_a_category():
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "warnings.warn":
                first = node.args[0]
                assert isinstance(first, ast.Call) and ast.unparse(first.func).endswith("Warning"), (
                    f"{path.relative_to(SRC)}:{node.lineno}: warn with a TierkitWarning category")
                assert len(node.args) == 1, f"{path.relative_to(SRC)}:{node.lineno}: the category is the instance's"


def test_nothing_in_src_matches_the_text_of_a_message():
    source = _source_text() + (SRC / "messages.py").read_text(encoding="utf-8")
    assert "filterwarnings(" in source  # the filters are there, by category or module
    assert not re.search(r"filterwarnings\([^)]*message=", source)
    assert "def translate" not in source and "def cli_spelling" not in source
    assert not re.search(r"(?<![a-z])_pattern\(", source)
    assert "re.sub(r\"^[A-Z]" not in source  # config.py took the estimator off by regex


def test_an_error_carries_its_key_param_and_values_and_renders_in_each_language():
    err = DataError("no_separator", path="t.csv", option=Param("sep"))
    assert (err.key, err.param, err.values["path"]) == ("no_separator", "t.csv", "t.csv")
    assert str(err) == "t.csv: cannot tell the field separator (tried , ; tab | and blanks); give sep"
    assert err.render("zh", flags={"sep": "--sep"}) == ("t.csv: 无法判断字段分隔符 (已尝试 , ; tab | 和空白); "
                                                       "请用 --sep 指定分隔符")
    plain = TierkitError("not yet keyed: some text")
    assert (plain.key, str(plain), plain.render("zh")) == (None, "not yet keyed: some text", "not yet keyed: some text")
    with pytest.raises(TypeError):
        TierkitError("not a key", value=1)


def test_an_error_pickles_with_its_key():
    err = MissingColumnsError("tx.csv", ["amount"], ["id"])
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is MissingColumnsError and again.key == "missing_column" and str(again) == str(err)
    assert again.render("zh") == "tx.csv: 缺少列 'amount'; 现有列: id"
    keyed = pickle.loads(pickle.dumps(DataError("no_file", path="a.csv")))
    assert keyed.render("zh") == "a.csv: 文件不存在"
    assert pickle.loads(pickle.dumps(Message("line", n=3))).render("zh") == "第 3 行"


def test_a_parameter_error_names_the_estimator_the_parameter_and_its_value():
    from tierkit.clv.model import CLVModel
    from tierkit.tiers.constraints import check_param
    from tierkit.tiers.rfm_scores import RFMScorer

    with pytest.raises(TierkitError) as caught:
        check_param(RFMScorer, "n_bins", 1)
    err = caught.value
    assert (err.where, err.param, err.key) == ("RFMScorer", "n_bins", "param_invalid")
    assert err.render("zh") == "RFMScorer: n_bins=1; 应为 2 到 9 之间的整数"
    assert err.render("en", where=False) == "n_bins=1; expected a whole number from 2 to 9"
    with pytest.raises(TierkitError) as caught:
        check_param(CLVModel, "interval", 2.0)
    assert caught.value.render("zh") == "CLVModel: interval=2.0; 应为 严格介于 0 和 1 之间的覆盖率, 如 0.9, 或 None"
    with pytest.raises(TierkitError) as caught:  # numpy scalars inside a list are shown as Python numbers
        check_param(RFMScorer, "weights", [np.float64(0.5)])
    assert "weights=[0.5]" in str(caught.value)


def test_warnings_have_categories_and_filter_by_class():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=LaterTransactionsWarning)
        warnings.warn(LaterTransactionsWarning("warn_after_as_of", count=2, date="2021-03-01"), stacklevel=1)
        warnings.warn(DataWarning("warn_missing_customers", source="tx.csv", count=3), stacklevel=1)
    assert [type(w.message) for w in caught] == [DataWarning]
    assert issubclass(LaterTransactionsWarning, DataWarning) and issubclass(TierkitWarning, UserWarning)
    step = StepWarning("warn_lifecycle_no_clv", where="lifecycle")
    # was matched against an older English text, so it stayed English in a Chinese line
    assert step.render("zh") == ("lifecycle: 没有能区分活跃与已流失客户的预测 CLV, "
                                 "生命周期阶段改用最近购买规则而不是 p_alive")


def test_the_features_warn_of_later_transactions_by_category():
    import pandas as pd

    from tierkit import rfm_features

    tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": ["2021-01-01", "2021-05-01", "2021-02-01"],
                       "amount": [1.0, 2.0, 3.0]})
    with pytest.warns(LaterTransactionsWarning) as caught:
        rfm_features(tx, as_of="2021-03-01")
    later = [w.message for w in caught if isinstance(w.message, LaterTransactionsWarning)]
    assert later[0].render("zh") == "2021-03-01 之后的 1 笔交易已排除"


def test_a_keyed_step_left_out_keeps_its_flags_for_the_command_line():
    from tierkit.cli.language import say

    reason = errors.ModelError("fit_no_converge", where="BG/NBD", reason=Message("ran_off_zero", name="a"),
                               penalizer=Param("bgnbd_penalizer")).as_message()
    warning = StepWarning("warn_step_left_out", name="clv", reason=reason)
    assert str(warning).endswith("try a penalizer, e.g. bgnbd_penalizer=0.001")
    assert say(warning, "en").endswith("try a penalizer, e.g. --bgnbd-penalizer=0.001")
    assert say(warning, "zh") == ("clv 步骤已略过: BG/NBD: 拟合未收敛 (a 趋向 0, 而似然沿该方向并不平坦: "
                                  "没有内部最优解); 可尝试加惩罚项, 如 --bgnbd-penalizer=0.001")


def _zh(tmp_path, content, *args, name="bad.csv"):
    src = tmp_path / name
    src.write_text(content)
    out = tmp_path / "out.csv"
    argv = [sys.executable, "-m", "tierkit", "segment", str(src), "--out", str(out), "--lang", "zh",
            "--as-of", "2021-04-01", "--no-clv", "--no-clusters", *args]
    return subprocess.run(argv, capture_output=True, text=True)


def _no_english(line: str, allowed=()) -> list:
    text = re.sub(r"'[^']*'|/\S+|--[\w-]+", " ", line)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in IDENTIFIERS and w not in allowed]


@pytest.mark.parametrize("content, args, words", [
    # a line of the wrong width: was English in a Chinese line (no template)
    ("customer_id,date,amount\n1,2021-01-01,3\n2,2021-01-02\n3,2021-01-03,1\n", [],
     "第 3 行有 2 个字段, 而表头有 3 个 (分隔符 ',')"),
    # a missing column when the first line looks like data: its advice spells the flag
    ("1,2021-01-01,3\n2,2021-01-02,4\n", [], "请用 --no-header 读取"),
    # an unsupported file type: the catalogue's English was out of date, so it stayed English
    ("x", [], "不支持的文件类型 '.json'"),
])
def test_keyed_errors_are_fully_chinese_on_the_command_line(tmp_path, content, args, words):
    run = _zh(tmp_path, content, *args, name="bad.json" if "json" in words else "bad.csv")
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1, run.stderr
    assert lines[0].startswith("tierkit: 错误: ") and words in lines[0], lines[0]
    assert not _no_english(lines[0]), lines[0]


def test_click_errors_are_rendered_from_their_fields(tmp_path):
    run = _zh(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n", "--sheet")
    assert "选项 '--sheet' 需要一个值。" in run.stderr, run.stderr
    run = _zh(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n", "--no-such-option")
    assert "没有这个选项: --no-such-option" in run.stderr, run.stderr


def test_a_reading_warning_is_chinese_on_the_command_line(tmp_path):
    run = _zh(tmp_path, "customer_id,date,amount\n1,2021-01-01,1\n,2021-01-02,2\n", "--missing-customers", "drop")
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stderr.splitlines() if "警告" in x)
    assert line.endswith(": 1 行没有客户编号, 已排除"), line


def test_the_command_lines_clv_remedy_keeps_the_models_error_keyed():
    from tierkit.cli.options import clv_remedy

    with pytest.raises(DataError) as caught, clv_remedy():
        raise DataError("too_few_spenders", where="CLVModel", n=2, least=10)
    err = caught.value
    assert err.key == "no_clv_remedy" and str(err).startswith("CLVModel: only 2 repeat customers with positive spend")
    assert err.render("zh").startswith("CLVModel: 只有 2 位重复购买客户的消费为正; Gamma-Gamma 至少需要 10 位; "
                                       "--no-clv")
    with pytest.raises(DataError) as caught, clv_remedy():  # another estimator's error passes unchanged
        raise DataError("not_a_frame", where="RFMScorer", got="list")
    assert caught.value.key == "not_a_frame"


def test_an_alert_is_keyed_in_its_language_and_the_command_line_spells_its_flags():
    from tierkit.cli.language import say
    from tierkit.errors import AlertWarning
    from tierkit.words import term

    alert = term("alert_penalty_shift", "zh", penalizer=Param("bgnbd_penalizer"), value=0.001, moves="a 1 -> 2")
    assert alert.startswith("CLV: bgnbd_penalizer=0.001 使参数偏离") and alert.key == "alert_penalty_shift"
    warning = AlertWarning(alert)
    assert str(warning) == alert  # in the language the alerts were asked in
    # before, the command line rewrote option names by a regex; now the alert's Param renders as the flag
    assert say(warning, "zh").startswith("CLV: --bgnbd-penalizer=0.001 使参数偏离")
    assert say(warning, "en").startswith("CLV: --bgnbd-penalizer=0.001 moved a 1 -> 2")
    assert pickle.loads(pickle.dumps(alert)) == alert


def test_a_message_kept_in_a_saved_model_loads_after_its_key_is_gone(monkeypatch):
    import tierkit.messages as messages

    saved = pickle.dumps({"reason": Message("flat_ridge")})
    monkeypatch.delitem(messages.MESSAGES, "flat_ridge")
    assert pickle.loads(saved)["reason"].startswith("maximum likelihood sits on a ridge")


def test_the_clv_trust_verdict_and_remedy_render_in_chinese():
    from tierkit.clv.trust import REMEDY, assess

    verdict = assess("mbgnbd", {"r": 0.72, "alpha": 66.0, "a": 7e-9, "b": 3320.0}, [1.0, 0.999], [0, 3], [300, 200])
    assert verdict["reason"].startswith("no dropout learned: ")
    assert verdict["reason"].render("zh").startswith("没有学到流失")
    step = StepWarning("warn_step_left_out", name="lifecycle",
                       reason=Message("clv_untrusted_step", reason=verdict["reason"], remedy=REMEDY))
    assert not _no_english(step.render("zh"), allowed={"lifecycle", "alive", "tierkit", "validate"}), step.render("zh")


#: Names of arguments and the placeholders of a usage line, which stay as they are in a Chinese line.
METAVARS = {"OLD", "NEW", "LOW", "HIGH", "TRANSACTIONS", "help"}


@pytest.mark.parametrize("args, words", [
    (["score", "{tx}", "--transactions", "{tx}", "--model", "m", "--as-of", "2021-04-01", "--out", "{out}"],
     "交易记录只能给出一次"),
    (["migrate", "{tx}"], "缺少参数 NEW: 请给出两个评分快照"),
    (["migrate", "{tx}", "{tx}", "--amount-col", "x", "--out", "{out}"], "--amount-col: 只在使用 --model"),
    (["clusters", "{tx}", "--as-of", "2021-04-01", "--k-range", "5-3"], "应为 LOW-HIGH 形式"),
    (["report", "{tx}", "--as-of", "2021-04-01", "--previous-as-of", "2021-05-01", "--out", "{html}"],
     "--previous-as-of 2021-05-01: 必须早于 --as-of 2021-04-01"),
])
def test_the_command_lines_own_usage_errors_are_chinese(tmp_path, args, words):
    # these were click.UsageError / BadParameter texts written in English, shown as they were with --lang zh
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\n1,2021-01-01,3\n2,2021-02-01,4\n")
    filled = [a.format(tx=tx, out=tmp_path / "out.csv", html=tmp_path / "r.html") for a in args]
    run = subprocess.run([sys.executable, "-m", "tierkit", *filled, "--lang", "zh"], capture_output=True, text=True)
    line = run.stderr.strip().splitlines()[-1]
    assert run.returncode == 2 and line.startswith("tierkit: 错误: ") and words in line, run.stderr
    assert not _no_english(line, allowed=METAVARS), line


def test_a_date_pattern_is_named_in_the_readers_language(tmp_path):
    # the pattern's name ("day first") was English inside the Chinese line
    run = _zh(tmp_path, "customer_id,date,amount\n1,25/01/2021,3\n2,xx,4\n3,26/01/2021,5\n")
    line = run.stderr.strip().splitlines()[-1]
    assert run.returncode == 2 and "(日在前)" in line, run.stderr
    assert not _no_english(line), line


def _unquoted(text: str) -> str:
    """``text`` without what it quotes of another program (the system's or a parser's words, in “ ”)."""
    return re.sub(r"“[^”]*”", " ", text)


def test_an_os_error_is_said_in_the_readers_language_and_another_systems_text_is_quoted():
    import errno

    from tierkit.output import os_error_cause, write_error

    full = write_error(OSError(errno.ENOSPC, "No space left on device"), "out.csv")
    assert str(full) == "no space left on device writing out.csv"  # the English is the system's text
    assert full.render("zh") == "写入 out.csv 时出错: 设备上没有剩余空间"
    for number in (errno.EACCES, errno.EROFS, errno.EDQUOT, errno.EPERM, errno.ENOENT):
        cause = os_error_cause(OSError(number, "x"))
        assert str(cause) == os.strerror(number).lower() and not _no_english(cause.render("zh")), number
    other = write_error(OSError("Something odd happened"), "out.csv")
    assert other.render("zh") == "写入 out.csv 时出错: 系统报告错误 “something odd happened”"


def test_an_unwritable_folder_names_the_cause_in_the_readers_language(tmp_path, monkeypatch):
    import errno
    import tempfile

    from tierkit.output import check_folder_writable

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(TierkitError) as caught:
        check_folder_writable(tmp_path / "out.csv")
    assert str(caught.value).endswith("is not writable (permission denied)")
    assert caught.value.render("zh").endswith("不可写 (没有权限)")


def test_a_config_error_wraps_the_parsers_and_pydantics_words_in_a_chinese_line(tmp_path):
    from tierkit.mlops.config import load_config

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [x\n")
    with pytest.raises(TierkitError) as caught:
        load_config(bad)
    err = caught.value
    assert err.key == "config_unparsed" and str(err).startswith(f"{bad}: not valid yaml: ")
    assert not _no_english(_unquoted(err.render("zh")), allowed={"yaml"}), err.render("zh")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("name: x\nhorizn: 3\n")
    with pytest.raises(TierkitError) as caught:
        load_config(wrong)
    err = caught.value
    assert err.key == "config_invalid" and "horizn: unknown key" in str(err)
    zh = err.render("zh")
    from tierkit.mlops.config import ExperimentConfig  # the keys it lists are the file's, as written

    assert zh.startswith(f"{wrong}: 配置项有误: ") and "“" not in zh, zh
    assert not _no_english(zh, allowed={*ExperimentConfig.model_fields, "horizn", "time", "unit"}), zh
    with pytest.raises(TierkitError) as caught:
        load_config(tmp_path / "missing.yaml")
    assert caught.value.render("zh") == f"{tmp_path / 'missing.yaml'}: 配置文件不存在"


#: Bad configs: the English line (pinned, unchanged) and words of its Chinese line.
BAD_CONFIGS = [
    ("name: x\nhorizn: 3\n", "horizn: unknown key; expected one of: name, description, data",
     "horizn: 未知的配置项; 应为以下之一: name, description, data"),
    ("schemes: {rfm: {n_bins: five}}\n", "schemes.rfm.n_bins: expected an integer >= 2 and <= 9, got 'five'",
     "schemes.rfm.n_bins: 应为 >= 2 且 <= 9 的整数, 实为 'five'"),
    ("data: {dataset: cdnow, sheet_name: 1}\n",
     "data.sheet_name: unknown key; the worksheet is data.sheet (a name, or a position counted from 0)",
     "data.sheet_name: 未知的配置项; 工作表用 data.sheet 指定"),
    ("schemes: {clv: false, value_potential: {}}\n", "schemes.value_potential: needs predicted CLV; add schemes.clv",
     "schemes.value_potential: 需要预测的 CLV; 请添加 schemes.clv"),
    ("data: {path: nope.csv}\n", "data.path: file '{folder}/nope.csv' does not exist",
     "data.path: 文件 '{folder}/nope.csv' 不存在"),
    ("time_unit: X\nschemes: {clusters: {k_range: [2]}}\n",
     "time_unit: expected 'D' (days) or 'W' (weeks), got 'X'; schemes.clusters.k_range: expected a list of 2 integers, "
     "got [2]", "time_unit: 应为 'D' (天) 或 'W' (周), 实为 'X'; schemes.clusters.k_range: 应为 由 2 个整数组成的列表"),
    ("schemes: {rfm: 7, clusters: {k: 1}}\nsatisfaction: {scale: nps}\n",
     "schemes.rfm: expected a mapping of parameters, true or false, got 7; schemes.clusters.k: expected an integer "
     ">= 2, got 1; satisfaction: needs exactly one of satisfaction.path or satisfaction.synthetic: true",
     "satisfaction.path 与 satisfaction.synthetic: true 必须给出且只给出其中之一"),
    ("dates: {calibration_end: 1998-06-30, holdout_end: 1998-01-01}\n",
     "dates.holdout_end: 1998-01-01 must come after dates.calibration_end 1998-06-30",
     "dates.holdout_end: 1998-01-01 必须晚于 dates.calibration_end 1998-06-30"),
]


@pytest.mark.parametrize("content, english, chinese", BAD_CONFIGS)
def test_a_config_errors_own_words_are_keyed_and_chinese(tmp_path, content, english, chinese):
    # config.py built its phrases in English ("unknown key; expected one of ..."), quoted whole in a Chinese line
    from tierkit.mlops.config import load_config

    base = "name: x\ndata: {dataset: cdnow}\ndates: {as_of: 1998-06-30}\n"
    sections = dict(line.split(":", 1) for line in (base + content).splitlines())  # the case's sections win
    bad = tmp_path / "bad.yaml"
    bad.write_text("".join(f"{k}:{v}\n" for k, v in sections.items()))
    with pytest.raises(TierkitError) as caught:
        load_config(bad)
    err = caught.value
    assert str(err).startswith(f"{bad}: " + english.format(folder=tmp_path)), str(err)
    zh = err.render("zh")
    assert zh.startswith(f"{bad}: 配置项有误: ") and chinese.format(folder=tmp_path) in zh, zh
    assert "“" not in zh, zh  # nothing quoted as another program's words
    from tierkit.mlops.config import ExperimentConfig

    keys = re.sub(r"[\w\[\]]+(?:\.[\w\[\]]+)+|\w+_\w+", " ", zh.removeprefix(str(bad)))  # key paths stay
    assert not _no_english(keys, allowed={*ExperimentConfig.model_fields, "horizn"}), zh


def test_the_frequency_basis_and_its_remedy_render_in_chinese():
    from tierkit.features.definition import FREQUENCY_OF, FREQUENCY_REMEDY

    err = DataError("standards_frequency", where="RFMScorer", given=FREQUENCY_OF["orders"],
                    fitted=FREQUENCY_OF["purchase_days"], remedy=FREQUENCY_REMEDY["purchase_days"])
    assert "count frequency as distinct orders (an order column)" in str(err)
    zh = err.render("zh")
    assert "不同订单数 (有订单列)" in zh and "购买天数 (没有订单列)" in zh, zh
    assert not _no_english(zh, allowed={"RFMScorer", "order", "id"}), zh


def test_the_clv_caveat_column_is_written_in_the_readers_language():
    import types

    import pandas as pd

    from tierkit.grading import caveat_in_language

    reason = Message("no_dropout_learned", age="730", chance="0.01", alive="0.9", share="95%")
    segmentation = types.SimpleNamespace(steps_=[("clv", types.SimpleNamespace(trust_={"reason": reason}))])
    table = pd.DataFrame({"clv_caveat": pd.Categorical([str(reason), None])})
    out = caveat_in_language(table.copy(), segmentation, "zh")
    assert out["clv_caveat"].iloc[0] == reason.render("zh") and out["clv_caveat"].isna().iloc[1]
    assert not _no_english(out["clv_caveat"].iloc[0], allowed={"alive"})
    assert caveat_in_language(table.copy(), segmentation, "en")["clv_caveat"].iloc[0] == str(reason)


def test_a_served_models_refusal_of_a_value_renders_in_chinese():
    import pandas as pd

    from tierkit.mlops.pyfunc import _numbers

    with pytest.raises(DataError) as caught:
        _numbers(pd.Series([3, 2.5, 0]), "frequency")
    err = caught.value
    assert str(err) == ("model input: column 'frequency', row 1: value 2.5; expected a whole number >= 1 "
                        "(purchase occasions) (2 bad rows in all)")
    assert err.render("zh", where=False) == "列 'frequency', 第 1 行: 值 2.5; 应为 >= 1 的整数 (购买次数) (共 2 行有误)"


def test_another_programs_words_are_quoted_inside_a_chinese_line():
    # a reader's, the system's or MLflow's own text was put bare after a Chinese clause
    for err in (DataError("unreadable", path="a.csv", reason=OSError(5, "Input/output error")),
                DataError("unreadable_as", path="a.xlsx", kind=".xlsx", reason="File is not a zip file"),
                errors.ModelError("model_fetch", model="'models:/x@y'", tracking="file:///m", reason="No such model")):
        zh = err.render("zh")
        assert "“" in zh and not _no_english(_unquoted(zh), allowed={"xlsx", "MLflow", "models", "file"}), zh
