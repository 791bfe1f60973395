"""The CLV holdout diagnostics section of the HTML report."""

import re

import pandas as pd
import pytest

import tierkit as tk
from tierkit.clv.diagnostics import clv_diagnostics
from tierkit.reporting.report import render_report


@pytest.fixture(scope="module")
def validation():
    return clv_diagnostics(tk.load_cdnow(sample=True), calibration_end="1997-09-30", holdout_end="1998-06-30",
                           time_unit="W", models=["bgnbd", "pareto_nbd"])


@pytest.fixture(scope="module")
def table():
    t = pd.DataFrame({"monetary": [50.0, 10.0], "abc_tier": ["high_end", "small"]},
                     index=pd.Index(["x", "y"], name="customer_id"))
    t.attrs["as_of"] = "1997-09-30"
    return t


def section(page):
    match = re.search(r'<section id="clv_validation">(.*?)</section>', page, re.S)
    assert match, "no CLV validation section"
    return match.group(1)


def test_section_appears_with_every_model(table, validation):
    page = render_report(table, validation=validation, dpi=40)
    body = section(page)
    assert 'href="#clv_validation"' in page  # in the contents
    assert "CLV models on the holdout (Fader, Hardie &amp; Lee 2005)" in body
    assert "Calibration to 1997-09-30, holdout to 1998-06-30; 2,357 customers; time in weeks" in body
    assert "<h3>BG/NBD</h3>" in body and "<h3>Pareto/NBD</h3>" in body
    bg = validation.models["bgnbd"]
    assert f"{100 * bg.tracking_error:.1f}%" in body  # the tracking error, as a percent
    assert "1,411" in body  # the calibration histogram's first cell
    images = re.findall(r'src="data:image/png;base64,', body)
    assert len(images) == 1 + 5 * 2  # the comparison chart, five charts per model
    assert body.index("<h3>BG/NBD</h3>") < body.index("<h3>Pareto/NBD</h3>")


def test_no_validation_no_section(table):
    page = render_report(table, dpi=40)
    assert 'id="clv_validation"' not in page and "#clv_validation" not in page


def test_chinese_section(table, validation):
    body = section(render_report(table, validation=validation, lang="zh", dpi=40))
    assert "CLV模型验证期检验" in body and "跟踪误差 (验证期末)" in body and "模型比较" in body


def test_cli_report_adds_the_diagnostics_of_every_model(tmp_path, capsys):
    """`tierkit report --validate-from` on the CDNOW sample in weeks: the FHL 2005 calibration/holdout split."""
    from tierkit.cli.main import main

    csv = tmp_path / "cdnow_sample.csv"
    tk.load_cdnow(sample=True).to_csv(csv, index=False)
    out = tmp_path / "r.html"
    code = main(["report", str(csv), "--as-of", "1998-06-30", "--validate-from", "1997-09-30", "--time-unit", "W",
                 "--out", str(out), "--no-clusters"])
    assert code == 0, capsys.readouterr().err
    body = section(out.read_text(encoding="utf-8"))
    for label in ("BG/NBD", "MBG/NBD", "Pareto/NBD"):
        assert f"<h3>{label}</h3>" in body
    assert "1,411" in body  # 1,411 of the 2,357 made no repeat purchase in the 39 calibration weeks (FHL 2005)
    assert main(["report", str(csv), "--as-of", "1998-06-30", "--validate-from", "1998-07-01", "--out",
                 str(tmp_path / "x.html")]) == 2
    assert "--validate-from 1998-07-01: must be before --as-of 1998-06-30" in capsys.readouterr().err
