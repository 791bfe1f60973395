"""An observation date outside the data's span is said, with the span; a badly written one is refused first."""

import warnings

import pytest

import tierkit as tk
from tierkit.cli.main import main


def test_an_as_of_years_after_the_data_warns_with_the_span():
    tx = tk.load_cdnow(sample=True)
    # 1998-06-30 to 2001-06-30: 365 + 366 (2000 is a leap year) + 365 days
    with pytest.warns(UserWarning, match=r"as_of 2001-06-30 is 1,096 days after the last transaction \(the "
                                         r"transactions run from 1997-01-01 to 1998-06-30\): every customer will "
                                         r"look lapsed"):
        tk.rfm_features(tx, as_of="2001-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inside the span: nothing to say
        tk.rfm_features(tx, as_of="1998-06-30")


def test_an_as_of_before_the_data_names_the_span(tmp_path, capsys):
    tk.load_cdnow(sample=True).to_csv(tmp_path / "tx.csv", index=False)
    assert main(["segment", str(tmp_path / "tx.csv"), "--as-of", "1990-01-01", "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    span = "--as-of 1990-01-01 is before the first transaction: the transactions run from 1997-01-01 to 1998-06-30"
    assert span in err
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("command", ["segment", "report", "score", "clusters"])
def test_a_badly_written_as_of_is_refused_before_the_file_is_read(tmp_path, capsys, command):
    # the file does not even exist: the date is refused first, in one line
    out = ["--out", str(tmp_path / "o.csv")] if command != "clusters" else []
    model = ["--model", str(tmp_path)] if command == "score" else []
    assert main([command, str(tmp_path / "missing.csv"), "--as-of", "12/10/2011", *out, *model]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "tierkit: error: --as-of: '12/10/2011' is not a date; expected YYYY-MM-DD such as 2021-04-01"
