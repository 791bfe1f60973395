"""Progress on stderr: one line per finished step with -v, slow steps on a terminal, none with -q.

And the thread limit: no thread pool of the command runs more threads than its cores.
"""

import logging
import os
import re
import subprocess
import sys

import pytest

import tierkit.cli.main as cli_main
from conftest import SAMPLE_CONFIG
from tierkit.cli.main import main
from tierkit.datasets import cdnow_path

STEP_LINE = re.compile(r"^tierkit: (.+) in (\d+\.\d\d) s$")
RULE_STEPS = ["fitted RFM scores", "fitted RFM classes", "fitted RFM segments", "fitted ABC tiers",
              "fitted lifecycle stages"]
TX = "customer_id,date,amount\n001,2021-01-05,100\n001,2021-03-01,50\n002,2021-02-10,20\n003,2021-03-28,5\n" \
     "004,2020-06-01,300\n"


def steps(err: str) -> list[str]:
    """The step names of the progress lines of ``err``, in order."""
    return [m.group(1) for m in map(STEP_LINE.match, err.splitlines()) if m]


@pytest.fixture
def tx_file(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text(TX)
    return path


def test_segment_verbose_names_every_step_with_its_time_in_pipeline_order_and_keeps_the_output(tmp_path, capsys):
    args = ["segment", str(cdnow_path()), "--amount-col", "dollar_value", "--as-of", "1998-06-30", "--k", "4"]
    assert main(["-v", *args, "--out", str(tmp_path / "v.csv")]) == 0
    verbose = capsys.readouterr()
    assert steps(verbose.err) == ["read CDNOW_master.txt", "built features",
                                  "fitted CLV (purchase model + Gamma-Gamma)", *RULE_STEPS, "fitted k-means clusters",
                                  "fitted value-potential matrix", "graded 23,570 customers into v.csv"]
    assert verbose.out == ""
    assert main([*args, "--out", str(tmp_path / "plain.csv")]) == 0
    plain = capsys.readouterr()
    assert plain.out == "" and steps(plain.err) == []  # captured stderr is no terminal
    assert "23570 customers graded as of 1998-06-30" in plain.err
    assert (tmp_path / "v.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_report_verbose_names_its_steps(tx_file, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["-v", "report", str(tx_file), "--as-of", "2021-04-01", "--out", str(out), "--no-clv",
                 "--no-clusters"]) == 0
    captured = capsys.readouterr()
    assert steps(captured.err) == ["read tx.csv", "built features", *RULE_STEPS, "graded 4 customers",
                                   "wrote the report r.html"]
    assert captured.out == "" and out.exists()


def test_run_verbose_names_its_steps_from_reading_to_logging_the_model(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample.yaml").write_text(SAMPLE_CONFIG)
    assert main(["-v", "run", str(tmp_path / "sample.yaml"), "--tracking-uri", f"sqlite:///{tmp_path / 'm.db'}",
                 "--no-register"]) == 0
    captured = capsys.readouterr()
    names = steps(captured.err)
    expected = ["opened the MLflow tracking store", "read CDNOW_sample.txt", "built features", *RULE_STEPS,
                "graded 2,357 customers", "compared the schemes on the holdout", "built features", *RULE_STEPS,
                "graded 2,357 customers", "logged the config and the data set to MLflow",
                "logged the comparison to MLflow", "logged the tier profiles to MLflow", "drew the charts",
                "logged the charts to MLflow", "wrote the report", "logged the report to MLflow",
                "logged the model to MLflow"]
    assert [n for n in names if n in expected] == expected  # saving the model grades an input example too
    assert captured.out.startswith("run ")


@pytest.mark.parametrize("flags, terminal, shown", [
    ([], True, True),       # the default on a terminal: steps over SLOW_STEP_SECONDS
    ([], False, False),     # piped or captured stderr: warnings and errors only
    (["-q"], True, False),  # -q: none
])
def test_without_verbose_slow_steps_show_on_a_terminal_only(tx_file, tmp_path, capsys, monkeypatch, flags, terminal,
                                                            shown):
    monkeypatch.setattr(cli_main, "_stderr_is_terminal", lambda: terminal)
    monkeypatch.setattr(cli_main, "SLOW_STEP_SECONDS", 0.0)  # every step counts as slow
    assert main([*flags, "segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"),
                 "--no-clv", "--no-clusters"]) == 0
    err = capsys.readouterr().err
    assert ("read tx.csv" in steps(err)) is shown
    assert "thread pools" not in err


def test_only_steps_of_a_second_or_more_count_as_slow(monkeypatch):
    monkeypatch.setattr(cli_main, "_stderr_is_terminal", lambda: True)
    handler = cli_main.ProgressLines()
    handler.show = "slow"
    assert handler.filter(logging.makeLogRecord({"msg": "x", "seconds": 1.5}))
    assert not handler.filter(logging.makeLogRecord({"msg": "x", "seconds": 0.2}))
    handler.show = "all"
    assert handler.filter(logging.makeLogRecord({"msg": "x", "seconds": 0.2}))


def test_progress_records_stay_out_of_a_failed_commands_single_line(tx_file, tmp_path, capsys):
    assert main(["-v", "segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"), "--clv",
                 "--no-clusters"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("tierkit: error: ")] == [err[-1]]
    assert "fitted CLV (purchase model + Gamma-Gamma)" not in steps("\n".join(err))  # a failed step logs no time


def test_the_step_logger_is_left_as_it_was_after_a_command(tx_file, tmp_path):
    logger = logging.getLogger("tierkit.progress")
    before = (logger.level, logger.propagate, list(logger.handlers))
    main(["-v", "segment", str(tx_file), "--as-of", "2021-04-01", "--out", str(tmp_path / "o.csv"), "--no-clv",
          "--no-clusters"])
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_limit_threads_caps_pools_already_loaded_and_the_variables_of_pools_loaded_later(monkeypatch):
    import numpy  # noqa: F401  (loads OpenBLAS)
    from threadpoolctl import threadpool_info, threadpool_limits

    from tierkit.threads import THREAD_VARIABLES, available_cores, limit_threads

    cores = available_cores()
    for name in THREAD_VARIABLES:
        monkeypatch.setenv(name, str(cores + 3))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # a lower limit is kept
    with threadpool_limits(limits=cores + 3):
        assert any(pool["num_threads"] > cores for pool in threadpool_info())
        assert limit_threads() == cores
        assert [pool for pool in threadpool_info() if pool["num_threads"] > cores] == []
    assert os.environ["OMP_NUM_THREADS"] == "1"
    assert all(os.environ[name] == str(cores) for name in THREAD_VARIABLES if name != "OMP_NUM_THREADS")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux CPU affinity")
def test_a_command_pinned_to_one_core_runs_every_thread_pool_with_one_thread(tx_file, tmp_path):
    """One core allowed, yet the environment asks for two threads: the command's pools use one."""
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    done = subprocess.run([sys.executable, "-m", "tierkit", "-v", "segment", str(tx_file), "--as-of", "2021-04-01",
                           "--out", str(tmp_path / "o.csv"), "--no-clv", "--no-clusters"],
                          capture_output=True, text=True, env=env, preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stderr.splitlines() if line.startswith("tierkit: thread pools: "))
    pools = re.findall(r"(\w+) (\d+)(?=,| \()", line.removeprefix("tierkit: thread pools: "))
    assert pools and all(int(threads) == 1 for _, threads in pools), line
    assert line.endswith("(1 core available)")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux CPU affinity")
def test_duckdb_reads_with_the_cores_the_process_may_use():
    code = ("import os; os.sched_setaffinity(0, {0}); from tierkit.data.duckdb_input import DuckDBInput; "
            "reader = DuckDBInput(); print(reader.con.execute(\"SELECT current_setting('threads')\").fetchone()[0]); "
            "reader.close()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"


def test_json_on_stdout_stays_parseable_with_verbose(capsys):
    import json

    assert main(["-v", "validate", str(cdnow_path()), "--amount-col", "dollar_value", "--calibration-end",
                 "1997-09-30", "--holdout-end", "1998-06-30", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["calibration_end"] == "1997-09-30"
    assert "read CDNOW_master.txt" in steps(captured.err) and "tierkit: thread pools: " in captured.err


def test_a_long_step_says_it_is_still_running_when_stderr_is_no_terminal(tmp_path, capsys, monkeypatch):
    # a heartbeat far shorter than the fit, so every step that takes a while says so on the way
    import tierkit.progress

    monkeypatch.setattr(tierkit.progress, "HEARTBEAT_SECONDS", 0.02)
    args = ["segment", str(cdnow_path()), "--amount-col", "dollar_value", "--as-of", "1998-06-30", "--k", "4",
            "--out", str(tmp_path / "v.csv")]
    assert main(["-v", *args]) == 0
    err = capsys.readouterr().err
    beats = re.findall(r"^tierkit: fitted CLV \(purchase model \+ Gamma-Gamma\): still running after \d+ s$", err,
                       flags=re.MULTILINE)
    assert beats, err
    # the finished step's line still comes, after its heartbeats
    lines = err.splitlines()
    finished = lines.index(next(line for line in lines if STEP_LINE.match(line) and "fitted CLV" in line))
    assert all(lines.index(b) < finished for b in beats)
    assert main(["-q", *args]) == 0 and "still running" not in capsys.readouterr().err
