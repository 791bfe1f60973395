"""A folder or a glob of parts reads as the one file they make together, for every command and engine.

The same rows are written as one file and as parts (a folder of CSV parts, a glob of CSV parts,
a glob of Parquet parts); ``read_transactions``, ``file_features``, ``tierkit segment`` and the
Spark reader must give exactly what the single file gives. Parts that cannot be one source are
refused in one line naming the part; a bad row is named by its part and line.
"""

import gzip

import pandas as pd
import pytest

import tierkit as tk
from tierkit.cli.main import main
from tierkit.data import ColumnMap, ReadOptions
from tierkit.errors import DataError
from tierkit.features import file_features

AS_OF = "1998-06-30"
HEADER = "customer_id,date,amount\n"
SMALL = ["--no-clv", "--no-clusters"]


def _lines(frame: pd.DataFrame) -> list:
    return frame.to_csv(index=False, header=False, date_format="%Y-%m-%d", lineterminator="\n").splitlines(True)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """400 CDNOW sample rows as one CSV and one Parquet file, and as three parts of each."""
    root = tmp_path_factory.mktemp("parts")
    tx = tk.load_cdnow(sample=True).iloc[:400][["customer_id", "date", "amount"]].reset_index(drop=True)
    lines = _lines(tx)
    (root / "all.csv").write_text(HEADER + "".join(lines))
    tx.to_parquet(root / "all.parquet")
    (root / "sales").mkdir()
    (root / "pq").mkdir()
    for number, (start, stop) in enumerate(((0, 150), (150, 151), (151, 400)), start=1):
        (root / "sales" / f"part-{number}.csv").write_text(HEADER + "".join(lines[start:stop]))
        tx.iloc[start:stop].to_parquet(root / "pq" / f"part-{number}.parquet")
    (root / "sales" / "_SUCCESS").write_text("")  # what Spark leaves in a folder it wrote: not a part
    return root


def _forms(root):
    """(parts, the single file they make) for each form a source of parts takes."""
    return {"csv folder": (root / "sales", root / "all.csv"),
            "csv glob": (root / "sales" / "part-*.csv", root / "all.csv"),
            "parquet glob": (root / "pq" / "*.parquet", root / "all.parquet")}


@pytest.mark.parametrize("form", ["csv folder", "csv glob", "parquet glob"])
def test_parts_give_the_transactions_and_features_of_the_single_file(sources, form):
    parts, single = _forms(sources)[form]
    pd.testing.assert_frame_equal(tk.read_transactions(parts), tk.read_transactions(single), check_exact=True)
    features, report = file_features(parts, AS_OF)
    expected, expected_report = file_features(single, AS_OF)
    pd.testing.assert_frame_equal(features, expected, check_exact=True)
    assert (report.rows_read, report.rejected) == (expected_report.rows_read, expected_report.rejected) == (400, {})
    assert report.source == str(parts)


@pytest.mark.parametrize("form", ["csv folder", "csv glob", "parquet glob"])
def test_segment_on_parts_writes_the_bytes_of_the_single_file(sources, form, tmp_path):
    parts, single = _forms(sources)[form]
    for name, source in (("parts", parts), ("single", single)):
        assert main(["segment", str(source), "--as-of", AS_OF, "--out", str(tmp_path / f"{name}.csv"), *SMALL]) == 0
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "single.csv").read_bytes()


def test_parts_keep_their_layout_gzip_encoding_whitespace_and_no_header(tmp_path):
    rows = ["00001 19970101 1 11.77", "00002 19970112 1 12.00", "00001 19970315 2 20.50", "00003 19970402 1 9.99"]
    (tmp_path / "raw").mkdir()
    (tmp_path / "one.txt").write_text("\n".join(rows) + "\n")
    (tmp_path / "raw" / "a.txt").write_text("\n".join(rows[:2]) + "\n")
    with gzip.open(tmp_path / "raw" / "b.txt.gz", "wt") as handle:
        handle.write("\n".join(rows[2:]) + "\n")
    kwargs = dict(header=False, customer_id="1", date="2", amount="4")
    pd.testing.assert_frame_equal(tk.read_transactions(tmp_path / "raw", **kwargs),
                                  tk.read_transactions(tmp_path / "one.txt", **kwargs))
    text = "客户,日期,金额\n甲,2021-03-01,5\n乙,2021-03-02,7\n甲,2021-03-09,4\n"
    lines = text.splitlines(True)
    (tmp_path / "gbk").mkdir()
    (tmp_path / "one.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "gbk" / "2021-03-a.csv").write_bytes("".join(lines[:2]).encode("gbk"))
    (tmp_path / "gbk" / "2021-03-b.csv").write_bytes((lines[0] + "".join(lines[2:])).encode("gbk"))
    kwargs = dict(encoding="gbk", customer_id="客户", date="日期", amount="金额")
    pd.testing.assert_frame_equal(tk.read_transactions(tmp_path / "gbk" / "2021-03-*.csv", **kwargs),
                                  tk.read_transactions(tmp_path / "one.csv", **kwargs))


def _bad_parts(folder):
    folder.mkdir()
    (folder / "part-1.csv").write_text(HEADER + "1,2021-03-01,5\n2,2021-03-02,6\n")
    (folder / "part-2.csv").write_text(HEADER + "3,2021-03-03,7\n" * 12 + "4,2021-03-04,abc\n5,2021-03-05,8\n")
    return folder


def test_a_bad_row_is_named_by_its_part_and_line(tmp_path):
    sales = _bad_parts(tmp_path / "sales")
    with pytest.raises(DataError) as info:
        tk.read_transactions(sales)
    assert str(info.value) == (f"{sales}: column 'amount', {sales / 'part-2.csv'} line 14: value 'abc' is not a "
                               "number (1 such row(s) in all); give on_bad_rows 'skip' to leave such rows out")
    with pytest.warns(UserWarning, match=f"first: .*{sales / 'part-2.csv'} line 14: value 'abc'"):
        tx = tk.read_transactions(sales, on_bad_rows="skip", rejects=tmp_path / "rejects.csv")
    assert len(tx) == 15
    assert (tmp_path / "rejects.csv").read_text() == (
        f"file,line,reason,customer_id,date,amount\n{sales / 'part-2.csv'},14,bad amount,4,2021-03-04,abc\n")
    # a single file's rejects have no file column, as before
    with pytest.warns(UserWarning):
        tk.read_transactions(sales / "part-2.csv", on_bad_rows="skip", rejects=tmp_path / "single.csv")
    assert (tmp_path / "single.csv").read_text() == (
        "line,reason,customer_id,date,amount\n14,bad amount,4,2021-03-04,abc\n")


def test_a_repeated_bad_row_is_named_once_at_its_first_part_and_line(tmp_path):
    sales = _bad_parts(tmp_path / "sales")
    (sales / "part-3.csv").write_text(HEADER + "4,2021-03-04,abc\n")
    with pytest.warns(UserWarning, match=f"{sales / 'part-2.csv'} line 14"):
        tx = tk.read_transactions(sales, on_bad_rows="skip", drop_duplicates=True, rejects=tmp_path / "rejects.csv")
    assert len(tx) == 4  # 1, 2, 3 (twelve times in part 2) and 5
    assert pd.read_csv(tmp_path / "rejects.csv")[["file", "line"]].values.tolist() == [[str(sales / "part-2.csv"), 14]]


def test_a_short_line_far_into_a_part_is_named_by_its_part_and_line(tmp_path):
    sales = _bad_parts(tmp_path / "sales")
    (sales / "part-3.csv").write_text(HEADER + "6,2021-03-06,1\n" * 5000 + "7,2021-03-07\n")  # past the sniffed 64 KiB
    with pytest.raises(DataError, match=rf"^{sales / 'part-3.csv'}: line 5002 has 2 fields where the header has 3 "):
        tk.read_transactions(sales)


def _refusal(tmp_path, capsys, source, expected):
    """``read_transactions`` and ``tierkit segment`` refuse ``source`` with the one line ``expected``."""
    with pytest.raises(DataError) as info:
        tk.read_transactions(source)
    assert str(info.value) == expected
    out = tmp_path / "out.csv"
    assert main(["segment", str(source), "--as-of", "2021-04-01", "--out", str(out), *SMALL]) == 2
    assert capsys.readouterr().err.strip() == f"tierkit: error: {expected}"
    assert not out.exists()


def test_parts_of_two_kinds_are_refused_naming_both_and_the_way_out(tmp_path, capsys):
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "a.csv").write_text(HEADER + "1,2021-03-01,5\n")
    pd.DataFrame({"customer_id": ["2"], "date": ["2021-03-02"], "amount": [6.0]}).to_parquet(
        tmp_path / "mixed" / "b.parquet")
    folder, pattern = tmp_path / "mixed", tmp_path / "mixed" / "*"
    _refusal(tmp_path, capsys, folder,
             f"{folder}: holds both Parquet parts ({folder / 'b.parquet'}) and CSV parts ({folder / 'a.csv'}); the "
             f"parts of one source are of one kind: give a glob of one kind, e.g. '{folder / '**' / '*.parquet'}'")
    _refusal(tmp_path, capsys, pattern,
             f"{pattern}: matches both Parquet parts ({folder / 'b.parquet'}) and CSV parts ({folder / 'a.csv'}); "
             f"the parts of one source are of one kind: give a glob of one kind, e.g. '{pattern}.parquet'")


def test_a_part_whose_header_differs_is_refused_naming_it_and_the_columns(tmp_path, capsys):
    sales = _bad_parts(tmp_path / "sales")
    (sales / "part-3.csv").write_text("customer_id,date,amt\n6,2021-03-06,1\n")
    _refusal(tmp_path, capsys, sales,
             f"{sales / 'part-3.csv'}: header differs from that of {sales / 'part-1.csv'}: lacks 'amount'; has "
             "instead 'amt'; every part must have the first part's header (separator ',')")
    (sales / "part-3.csv").write_text("customer_id;date;amount\n6;2021-03-06;1\n")  # another separator
    _refusal(tmp_path, capsys, sales,
             f"{sales / 'part-3.csv'}: header differs from that of {sales / 'part-1.csv'}: lacks 'customer_id', "
             "'date', 'amount'; has instead 'customer_id;date;amount'; every part must have the first part's header "
             "(separator ',')")
    (sales / "part-3.csv").write_text("date,customer_id,amount\n2021-03-06,6,1\n")
    _refusal(tmp_path, capsys, sales,
             f"{sales / 'part-3.csv'}: header differs from that of {sales / 'part-1.csv'}: the same columns in "
             "another order (date, customer_id, amount); every part must have the first part's header "
             "(separator ',')")


def test_an_empty_part_is_refused_naming_it(tmp_path, capsys):
    sales = _bad_parts(tmp_path / "sales")
    (sales / "part-3.csv").write_text("")
    _refusal(tmp_path, capsys, sales, f"{sales / 'part-3.csv'}: file is empty, expected a header and transactions")
    (sales / "part-3.csv").write_text("\n\n")
    _refusal(tmp_path, capsys, sales, f"{sales / 'part-3.csv'}: file is empty, expected a header and transactions")


def test_a_pattern_matching_nothing_and_a_folder_without_parts_are_refused(tmp_path, capsys):
    pattern = tmp_path / "exports" / "2024-*.csv"
    _refusal(tmp_path, capsys, pattern, f"{pattern}: no file matches this pattern")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "notes.md").write_text("# notes\n")
    folder = tmp_path / "exports"
    _refusal(tmp_path, capsys, folder,
             f"{folder}: folder holds no Parquet or CSV parts (.parquet, .pq, .csv, .tsv, .txt, optionally .gz), "
             f"only {folder / 'notes.md'}; expected a CSV, Parquet or .xlsx file, or a folder or glob of Parquet or "
             "CSV parts")


@pytest.mark.parametrize("command", [["report", "--out", "r.html"], ["clusters"],
                                     ["validate", "--calibration-end", "2021-03-01", "--holdout-end", "2021-04-01"]])
def test_every_training_command_takes_a_folder_and_a_glob(tmp_path, capsys, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sales = _bad_parts(tmp_path / "sales")
    as_of = ["--as-of", "2021-04-01"] if command[0] != "validate" else []
    for source in (sales, sales / "part-*.csv"):
        assert main([command[0], str(source), *as_of, *command[1:]]) == 2
        assert capsys.readouterr().err.strip() == (
            f"tierkit: error: {source}: column 'amount', {sales / 'part-2.csv'} line 14: value 'abc' is not a number "
            "(1 such row(s) in all); give --on-bad-rows 'skip' to leave such rows out")


def test_an_output_that_is_a_part_of_the_glob_is_refused(sources, tmp_path):
    from tierkit.errors import TierkitError
    from tierkit.output import refuse_overwriting_inputs

    pattern = sources / "sales" / "part-*.csv"
    with pytest.raises(TierkitError, match=f"--out {sources / 'sales' / 'part-2.csv'}: is also an input file "
                                           f"\\(TRANSACTIONS {sources / 'sales' / 'part-2.csv'}\\)"):
        refuse_overwriting_inputs({"--out": sources / "sales" / "part-2.csv"}, {"TRANSACTIONS": pattern})
    refuse_overwriting_inputs({"--out": tmp_path / "out.csv"}, {"TRANSACTIONS": pattern})


def test_an_experiment_config_takes_a_folder_and_a_glob(sources, tmp_path):
    from tierkit.errors import TierkitError
    from tierkit.mlops.config import load_config

    config = tmp_path / "x.yaml"
    for path in (sources / "sales", sources / "pq" / "*.parquet"):
        config.write_text(f"name: x\ndata: {{path: '{path}'}}\ndates: {{as_of: {AS_OF}}}\n")
        assert load_config(config).data_path() == path
    config.write_text(f"name: x\ndata: {{path: '{sources / 'nothing-*.csv'}'}}\ndates: {{as_of: {AS_OF}}}\n")
    with pytest.raises(TierkitError, match=r"data\.path: no file matches the pattern '.*nothing-\*\.csv'$"):
        load_config(config)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_reads_parts_as_the_local_reader_does(spark, sources, tmp_path):
    from tierkit.data.duckdb_input import DuckDBInput
    from tierkit.data.spark_input import SparkInput

    def spark_rows(path, columns=None, options=None):
        reader = SparkInput(spark, tmp_path)
        report = reader.load_file(path, columns or ColumnMap(), options or ReadOptions())
        rows = spark.sql("SELECT * FROM tk_tx").toPandas()
        return rows.sort_values(list(rows.columns), ignore_index=True), report

    def local_rows(path, columns=None, options=None):
        with DuckDBInput() as reader:
            report = reader.load_file(path, columns or ColumnMap(), options or ReadOptions())
            rows = reader.con.sql("SELECT * FROM tk_tx").df()
        return rows.sort_values(list(rows.columns), ignore_index=True), report

    for parts, single in _forms(sources).values():
        got, report = spark_rows(parts)
        pd.testing.assert_frame_equal(got, spark_rows(single)[0], check_exact=True)
        assert report.rows_read == 400
    (tmp_path / "raw").mkdir()  # whitespace-separated parts without a header, as the CDNOW files
    (tmp_path / "raw" / "a.txt").write_text("00001 19970101 1 11.77\n00002 19970112 1 12.00\n")
    (tmp_path / "raw" / "b.txt").write_text("00001 19970315 2 20.50\n")
    columns = ColumnMap(customer_id="1", date="2", amount="4")
    pd.testing.assert_frame_equal(spark_rows(tmp_path / "raw", columns, ReadOptions(header=False))[0],
                                  local_rows(tmp_path / "raw", columns, ReadOptions(header=False))[0],
                                  check_dtype=False)
    sales = _bad_parts(tmp_path / "sales")
    with pytest.raises(DataError) as remote:
        spark_rows(sales)
    with pytest.raises(DataError) as local:
        tk.read_transactions(sales)
    assert str(remote.value) == str(local.value)
    (sales / "part-3.csv").write_text(HEADER + "4,2021-03-04,abc\n")  # part 2's bad row again
    for drop_duplicates in (False, True):
        options = {name: ReadOptions(on_bad_rows="skip", drop_duplicates=drop_duplicates,
                                     rejects=tmp_path / f"{name}.csv") for name in ("spark", "local")}
        with pytest.warns(UserWarning, match=f"{sales / 'part-2.csv'} line 14"):
            remote, _ = spark_rows(sales, options=options["spark"])
            local, _ = local_rows(sales, options=options["local"])
        pd.testing.assert_frame_equal(remote, local, check_dtype=False)
        assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
        assert len(pd.read_csv(tmp_path / "local.csv")) == (1 if drop_duplicates else 2)
    (sales / "part-3.csv").write_text("customer_id,date,amt\n6,2021-03-06,1\n")
    with pytest.raises(DataError, match="part-3.csv: header differs from that of"):
        spark_rows(sales)
