"""A Chinese analyst's command line: --lang zh headers, summaries, errors, migration tables, and Excel for people."""

import re
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

from tierkit.cli.main import main
from tierkit.datasets import load_cdnow, synthetic_survey
from tierkit.words import HEADERS

CJK = re.compile(r"[\u4e00-\u9fff]")
TX = "customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n003,2021-03-28,5\n" \
     "003,2021-03-30,-2\n004,2020-06-01,300\n"
SMALL = ["--no-clv", "--no-clusters"]


@pytest.fixture
def tx_file(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text(TX)
    return path


@pytest.fixture(scope="module")
def cdnow_files(tmp_path_factory):
    """The CDNOW sample (2,357 customers) and a synthetic survey of them, as files."""
    folder = tmp_path_factory.mktemp("cdnow")
    tx = load_cdnow(sample=True)
    tx.to_csv(folder / "tx.csv", index=False)
    synthetic_survey(tx["customer_id"].unique()).to_csv(folder / "survey.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def cdnow_xlsx(cdnow_files):
    """``segment --lang zh`` of CDNOW with every scheme (CLV with intervals, clusters, CLV-CS) to .xlsx."""
    out = cdnow_files / "graded.xlsx"
    assert main(["segment", str(cdnow_files / "tx.csv"), "--as-of", "1998-06-30", "--out", str(out), "--lang", "zh",
                 "--clv-interval", "0.9", "--satisfaction", str(cdnow_files / "survey.csv"), "--k", "4"]) == 0
    return out


def test_every_column_of_a_full_cdnow_grading_has_a_chinese_header(cdnow_xlsx):
    headers = [cell.value for cell in load_workbook(cdnow_xlsx, read_only=True)["客户"][1]]
    zh = {labels[1] for labels in HEADERS.values()}
    assert len(headers) > 50 and set(headers) <= zh, sorted(set(headers) - zh)
    for key in ("recency", "r_score", "clv", "p_alive", "cluster_name", "abc_tier_label", "rfm_class_strategy",
                "clv_cs_class_label", "value_potential_strategy", "clv_low", "first_purchase"):
        assert HEADERS[key][1] in headers, key


def test_the_workbook_is_laid_out_for_people(cdnow_xlsx):
    book = load_workbook(cdnow_xlsx)
    assert book.sheetnames == ["客户", "RFM分类", "RFM细分", "ABC等级", "生命周期阶段", "CLV-CS分类",
                               "价值-潜力象限", "聚类名称"]
    customers = book["客户"]
    assert customers.max_row == 2358
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(isinstance(cell.value, str) for cell in sheet[1])
    column = {cell.value: cell.column_letter for cell in customers[1]}
    first = customers[f"{column['首次购买日期']}2"]
    assert first.number_format == "yyyy-mm-dd" and first.value.hour == 0  # a date, shown without 00:00:00
    money = customers[f"{column['消费金额 (M)']}2"]
    assert money.number_format == "#,##0.00" and money.value == 100.5  # the cell holds the value
    alive = customers[f"{column['存活概率 P(alive)']}2"]
    assert alive.number_format == "0.000" and 0 < alive.value < 1
    assert customers[f"{column['R评分']}2"].number_format == "#,##0"
    assert customers[f"{column['客户编号']}2"].value == "00004"  # ids stay text
    widths = customers.column_dimensions
    assert widths[column["重复购买平均金额 (BTYD m)"]].width > 20  # a long CJK header: CJK counts double
    assert widths[column["RFM分类策略"]].width > 20  # long Chinese strategies

    abc = book["ABC等级"]
    assert [c.value for c in abc[1]] == ["等级代码", "等级", "客户数", "客户占比", "收入", "收入占比",
                                         "平均最近购买间隔 (R)", "平均购买次数 (F)", "平均消费金额 (M)", "策略"]
    assert [abc.cell(r, 2).value for r in range(2, abc.max_row + 1)] == ["高端客户", "重要客户", "普通客户", "小客户"]
    assert abc["C2"].number_format == "#,##0" and abc["D2"].number_format == "0.0%"
    assert abc["E2"].number_format == "#,##0.00" and abc["F2"].number_format == "0.0%"
    assert sum(abc.cell(r, 3).value for r in range(2, abc.max_row + 1)) == 2357
    assert abs(sum(abc.cell(r, 6).value for r in range(2, abc.max_row + 1)) - 1) < 1e-9
    assert CJK.search(abc["J2"].value)


def test_english_workbook_names_sheets_by_key_and_keeps_key_headers(tx_file, tmp_path):
    out = tmp_path / "g.xlsx"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["customers", "rfm_class", "rfm_segment", "abc_tier", "lifecycle_stage"]
    assert [c.value for c in book["customers"][1]][:3] == ["customer_id", "recency", "frequency"]
    assert book["customers"].freeze_panes == "A2"
    assert [c.value for c in book["abc_tier"][1]][:3] == ["tier", "tier_label", "customers"]


def test_segment_zh_writes_chinese_headers_and_keys_on_request(tx_file, tmp_path, capsys):
    labelled, keyed = tmp_path / "zh.csv", tmp_path / "keys.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(labelled), "--lang", "zh",
                 *SMALL]) == 0
    err = capsys.readouterr().err
    assert f"已为 4 位客户分级 (截至 2021-04-01) -> {labelled}" in err
    assert "tx.csv: 读取 6 行, 保留 6 行" in err
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(keyed), "--lang", "zh",
                 "--headers", "keys", *SMALL]) == 0
    a = pd.read_csv(labelled, dtype=str)
    b = pd.read_csv(keyed, dtype=str)
    assert list(a.columns[:4]) == ["客户编号", "最近购买间隔 (R)", "购买次数 (F)", "消费金额 (M)"]
    assert all(CJK.search(c) for c in a.columns)
    assert list(b.columns[:4]) == ["customer_id", "recency", "frequency", "monetary"]
    assert a.to_numpy().tolist() == b.to_numpy().tolist()  # only the headers differ
    assert b["abc_tier_label"].map(lambda v: bool(CJK.search(v))).all()


def test_the_saved_model_line_is_said_in_the_readers_language(tx_file, tmp_path, capsys):
    # it was English ("standards saved -> ...") even with --lang zh
    model = tmp_path / "model"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "zh.csv"), "--lang", "zh",
                 "--save-model", str(model), *SMALL]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"标准已保存 -> {model} (用 --model {model} 为其他时期分级)", last
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "en.csv"),
                 "--save-model", str(tmp_path / "m2"), *SMALL]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"standards saved -> {tmp_path / 'm2'} (grade another period with --model {tmp_path / 'm2'})"


def test_english_labels_on_request(tx_file, tmp_path):
    out = tmp_path / "en.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), "--headers", "labels",
                 *SMALL]) == 0
    assert list(pd.read_csv(out).columns[:2]) == ["Customer ID", "Recency (time since last purchase)"]


@pytest.mark.parametrize("content, args, words", [
    ("customer_id,date,total\n1,2021-01-01,3\n", [], "缺少列 'amount'; 现有列: customer_id, date, total"),
    ("", [], "文件为空"),
    ("customer_id,date,amount\n1,2021-13-45,1\n", [], "列 'date', 第 2 行: 值 '2021-13-45' 不是"),
    ("customer_id,date,amount\n1,2021-01-01,ten\n", [], "值 'ten' 不是数字"),
    ("customer_id,date,amount\n1,01/02/2021,1\n", [], "请用 --date-format 指定"),
    ("customer_id,date,amount\n1,2021-01-01,1\n", ["--encoding", "nope"], "--encoding 'nope': 未知编码"),
    ("customer_id,date,amount\n1,2021-01-01,1\n", ["--as-of", "2021-02-30"], "--as-of: '2021-02-30' 不是日期"),
    ("customer_id,date,amount\n1,2021-01-01,1\n", ["--sheet"], "需要"),
])
def test_a_bad_file_is_refused_in_one_chinese_line_with_exit_2(tmp_path, content, args, words):
    src = tmp_path / "bad.csv"
    src.write_text(content)
    out = tmp_path / "out.csv"
    argv = [sys.executable, "-m", "tierkit", "segment", str(src), "--out", str(out), "--lang", "zh"]
    argv += args if "--as-of" in args else ["--as-of", "2021-04-01", *args]
    run = subprocess.run(argv, capture_output=True, text=True)
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1, run.stderr
    assert lines[0].startswith("tierkit: 错误: ") and words in lines[0], lines[0]
    assert not out.exists()


def test_errors_before_the_file_is_read_are_chinese_too(tmp_path, capsys):
    assert main(["segment", str(tmp_path / "none.csv"), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"),
                 "--lang", "zh"]) == 2
    assert capsys.readouterr().err.strip() == f"tierkit: 错误: {tmp_path / 'none.csv'}: 文件或文件夹不存在"
    assert main(["segment", "x.csv", "--out", "o.csv", "--lang", "zh"]) == 2
    assert capsys.readouterr().err.strip() == "tierkit: 错误: 缺少选项 '--as-of'。 (参见 'tierkit segment --help')"
    assert main(["segment", "x.csv", "--as-of", "2021-04-01", "--out", "o.txt", "--lang", "zh"]) == 2
    assert "不支持的输出类型 '.txt'" in capsys.readouterr().err


def test_warnings_are_chinese(tx_file, tmp_path, capsys):
    assert main(["segment", str(tx_file), "--as-of", "2021-03-01", "--out", str(tmp_path / "o.csv"), "--lang", "zh",
                 *SMALL]) == 0
    assert "tierkit: 警告: 2021-03-01 之后的 2 笔交易已排除" in capsys.readouterr().err


def test_migrate_in_chinese_reads_labelled_snapshots_back(tx_file, tmp_path, capsys):
    old, new = tmp_path / "old.csv", tmp_path / "new.xlsx"
    assert main(["segment", str(tx_file), "--as-of", "2021-02-15", "--out", str(old), "--lang", "zh", *SMALL]) == 0
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(new), "--lang", "zh", *SMALL]) == 0
    capsys.readouterr()
    moves = tmp_path / "moves.csv"
    assert main(["migrate", str(old), str(new), "--lang", "zh", "--out", str(moves)]) == 0
    captured = capsys.readouterr()
    assert "ABC等级: 原等级 (行) -> 新等级 (列), 客户数及占原等级的百分比" in captured.out
    assert "原 \\ 新" in captured.out and "高端客户" in captured.out and "(新进入)" in captured.out
    assert re.search(r"不变: \d", captured.out) and "位客户的等级变动 -> " in captured.err
    assert list(pd.read_csv(moves).columns[:4]) == ["客户编号", "原等级", "新等级", "变动方向"]
    # the keys version reads back the same
    keyed = tmp_path / "old_keys.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-02-15", "--out", str(keyed), "--headers", "keys",
                 *SMALL]) == 0
    assert main(["migrate", str(keyed), str(new), "--json"]) == 0
    out = capsys.readouterr().out
    assert main(["migrate", str(old), str(new), "--json"]) == 0
    assert capsys.readouterr().out.replace(str(old), str(keyed)) == out


def test_english_stays_english(tx_file, tmp_path, capsys):
    assert main(["segment", str(tmp_path / "none.csv"), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv")]) == 2
    assert capsys.readouterr().err.strip() == f"tierkit: error: {tmp_path / 'none.csv'}: no such file or folder"
    out = tmp_path / "o.csv"
    assert main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL]) == 0
    assert "4 customers graded as of 2021-04-01" in capsys.readouterr().err
    assert pd.read_csv(out).columns[0] == "customer_id"


def test_scoring_and_reading_summaries_in_chinese():
    from tierkit.data.report import ReadReport
    from tierkit.scoring.summary import ScoringSummary

    lines = ScoringSummary(rows_read=10, rejected={"bad date": 2}, rows_after_as_of=1, customers_scored=3,
                           seconds=0.5, out="s.csv", rejects_path="r.csv").lines("zh")
    assert lines == ["读取行数:     10", "排除行数:     2 (日期无效: 2)", "截止日后行数: 1 (已排除)",
                     "评分客户数:   3 -> s.csv", "用时:         0.5 秒 (local 引擎)", "排除的行:     已写入 r.csv"]
    report = ReadReport("tx.csv", rows_read=10, rejected={"bad date": 2}, rejects_path="r.csv")
    assert report.lines("zh") == ["tx.csv: 读取 10 行, 保留 8 行; 排除: 2 日期无效", "排除的行已写入 r.csv"]
