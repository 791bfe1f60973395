"""Issue 21: every money figure with its currency (`--currency`), and no change without one."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from tierkit.cli.main import main
from tierkit.output_excel import MONEY_COLUMNS

TX = "customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n003,2021-03-28,5\n" \
     "003,2021-03-30,-2\n004,2020-06-01,300\n"
#: Four customers: too few for the CLV models and clusters.
SMALL = ["--no-clv", "--no-clusters"]


@pytest.fixture
def tx_file(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text(TX)
    return path


def segment(tx_file, out, *extra):
    return main(["segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL, *extra])


def test_csv_money_headers_carry_the_currency_and_nothing_else_changes(tx_file, tmp_path):
    plain, usd = tmp_path / "plain.csv", tmp_path / "usd.csv"
    assert segment(tx_file, plain) == 0 and segment(tx_file, usd, "--currency", "USD") == 0
    before = pd.read_csv(plain, dtype={"customer_id": str})
    after = pd.read_csv(usd, dtype={"customer_id": str})
    assert "monetary" in before.columns and not any("(USD)" in c for c in before.columns)  # default unchanged
    renamed = {c: f"{c} (USD)" for c in before.columns if c in MONEY_COLUMNS}
    assert renamed and "monetary" in renamed and "monetary_btyd" in renamed
    assert list(after.columns) == [renamed.get(c, c) for c in before.columns]
    pd.testing.assert_frame_equal(after.rename(columns={v: k for k, v in renamed.items()}), before)


def test_labelled_chinese_headers_carry_a_currency_sign(tx_file, tmp_path):
    out = tmp_path / "zh.csv"
    assert segment(tx_file, out, "--currency", "¥", "--lang", "zh", "--headers", "labels") == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "消费金额 (M) (¥)" in header and "客户编号" in header


def test_xlsx_headers_and_number_formats_carry_the_currency(tx_file, tmp_path):
    out = tmp_path / "usd.xlsx"
    assert segment(tx_file, out, "--currency", "USD") == 0
    book = load_workbook(out)
    sheet = book["customers"]
    header = [c.value for c in sheet[1]]
    column = header.index("monetary (USD)") + 1
    assert sheet.cell(row=2, column=column).number_format == '#,##0.00 "USD"'
    assert "recency" in header and "frequency" in header  # not money: unchanged
    summary = book["abc_tier"]
    top = [c.value for c in summary[1]]
    assert "revenue (USD)" in top and summary.cell(row=2, column=top.index("revenue (USD)") + 1).number_format \
        == '#,##0.00 "USD"'
    sign = tmp_path / "yen.xlsx"
    assert segment(tx_file, sign, "--currency", "¥") == 0
    sheet = load_workbook(sign)["customers"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("monetary (¥)") + 1).number_format == '"¥"#,##0.00'
    plain = tmp_path / "plain.xlsx"
    assert segment(tx_file, plain) == 0
    sheet = load_workbook(plain)["customers"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("monetary") + 1).number_format == "#,##0.00"


@pytest.mark.parametrize("command, out", [("segment", "o.csv"), ("report", "r.html")])
@pytest.mark.parametrize("bad", ["US dollars", "123", "=1+2", ""])
def test_a_bad_currency_is_one_line_and_exit_2(tx_file, tmp_path, capsys, command, out, bad):
    assert main([command, str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / out), *SMALL,
                 "--currency", bad]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"tierkit: error: Invalid value for '--currency': {bad!r} is not a currency")
    assert not (tmp_path / out).exists()


def test_the_report_takes_the_currency(tx_file, tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), *SMALL,
                 "--currency", "EUR"]) == 0
    assert "EUR" in out.read_text(encoding="utf-8")


def test_a_bad_currency_is_said_in_chinese_with_lang_zh(tx_file, tmp_path, capsys):
    assert segment(tx_file, tmp_path / "o.csv", "--lang", "zh", "--currency", "美元 dollars") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["tierkit: 错误: 选项 '--currency' 的值无效: '美元 dollars' 不是货币; "
                   "应为 1 到 5 个字母或货币符号组成的代码或符号, 如 USD、RMB、¥ 或 HK$ "
                   "(参见 'tierkit segment --help')"]
