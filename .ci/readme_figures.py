"""The README's figures, produced by running tierkit itself on the bundled data.

Every figure the README states about what a command prints sits between two markers::

    <!-- figure:NAME -->the value<!-- /figure -->

(on one line inside a paragraph, or around whole lines: a table, a code block). ``NAME`` is a
function below that runs the command (in this process, through ``tierkit.cli.main.main``, or the
Python API) on the bundled data -- CDNOW from ``tierkit.datasets.cdnow_path()``, Online Retail at
``tests/data/online_retail.parquet`` -- and returns the text. Only deterministic figures are
generated (parameters, counts, tiers, k, index values); timings and test counts depend on the
machine and are not stated as facts in the README.

    python .ci/readme_figures.py --check   # exit 1 and list the stale figures (CI, via the test)
    python .ci/readme_figures.py --write   # rewrite them in place

``tests/test_readme_figures.py`` runs ``--check``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import tempfile
import warnings
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md"]
ONLINE_RETAIL = ROOT / "tests" / "data" / "online_retail.parquet"
MARKER = re.compile(r"<!-- figure:(?P<name>[\w-]+) -->(?P<value>.*?)<!-- /figure -->", re.S)

FIGURES = {}


def figure(function):
    """Register ``function`` as the figure of its name."""
    FIGURES[function.__name__] = function
    return function


def run_cli(argv: list[str], stderr: bool = False) -> str:
    """Run ``tierkit ARGV`` in this process; its standard output (with ``stderr``, then its standard error)."""
    from tierkit.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if code:
        raise RuntimeError(f"tierkit {' '.join(argv)} exited {code}: {err.getvalue().strip()}")
    return out.getvalue() + (err.getvalue() if stderr else "")


# --- the published CDNOW sample, read by position --------------------------------------------

VALIDATE_ARGS = ["--no-header", "--customer-col", "1", "--date-col", "3", "--amount-col", "5",
                 "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--time-unit", "W",
                 "--clv-model", "bgnbd"]


@figure
def validate_sample():
    """The `validate` example on CDNOW_sample.txt: the command shown and the fit line it prints."""
    from tierkit.datasets import cdnow_path

    out = run_cli(["validate", str(cdnow_path(sample=True)), *VALIDATE_ARGS])
    line = re.search(r"^BG/NBD: r .*?; log-likelihood \S+", out, re.M)
    if line is None:
        raise RuntimeError("validate printed no BG/NBD fit line")
    command = " ".join(["tierkit validate CDNOW_sample.txt", *VALIDATE_ARGS])
    return f"`{command}`\nprints the published fit, `{line.group(0)}`"


HOLDOUT_ARGS = ["--amount-col", "dollar_value", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
                "--clv-model", "bgnbd"]


@cache
def cdnow_validate() -> str:
    """`tierkit validate` on the CDNOW master, BG/NBD, days: its printed text."""
    from tierkit.datasets import cdnow_path

    return run_cli(["validate", str(cdnow_path()), *HOLDOUT_ARGS])


@figure
def cdnow_holdout_command():
    """The command of the CDNOW holdout figures."""
    return f"`{' '.join(['tierkit validate CDNOW_master.txt', *HOLDOUT_ARGS])}`"


@figure
def cdnow_holdout():
    """BG/NBD's holdout figures on the CDNOW master, as `validate` prints them."""
    out = cdnow_validate()
    m = re.search(r"holdout purchases: predicted ([\d,.]+), actual ([\d,]+) \(([-+\d.]+)%\); "
                  r"per customer MAE ([\d.]+), RMSE ([\d.]+)", out)
    v = re.search(r"value ranking: Spearman ([\d.]+); top decile by predicted value makes ([\d.]+)% "
                  r"of holdout spend \(best possible ([\d.]+)%\)", out)
    predicted = float(m[1].replace(",", ""))
    return (f"predicted {predicted:,.0f} purchase days against {m[2]}\n"
            f"actual ({m[3]} %); per customer MAE {m[4]}, RMSE {m[5]}; Spearman correlation of predicted value\n"
            f"and actual holdout spend {v[1]}; the top decile by predicted value makes {v[2]} % of holdout spend\n"
            f"(the best possible decile {v[3]} %)")


@figure
def cdnow_holdout_table():
    """BG/NBD's conditional expectations on the CDNOW master, as `validate` prints them."""
    out = cdnow_validate()
    block = out.split("conditional expectations", 1)[1].splitlines()[3:11]
    rows = [line.split() for line in block]
    lines = ["", "| repeat purchases | " + " | ".join(r[0] for r in rows) + " |",
             "|---|" + "---|" * len(rows),
             "| customers | " + " | ".join(f"{int(r[1]):,}" for r in rows) + " |",
             "| actual | " + " | ".join(r[2] for r in rows) + " |",
             "| BG/NBD | " + " | ".join(r[3] for r in rows) + " |"]
    return "\n".join(lines) + "\n"


# --- Online Retail, graded from its raw columns ----------------------------------------------

SEGMENT_ARGS = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--order-col", "InvoiceNo",
                "--quantity-col", "Quantity", "--price-col", "UnitPrice", "--missing-customers", "drop",
                "--as-of", "2011-12-10"]


@figure
def online_retail_segment():
    """The `segment` example on Online Retail: the command and its two printed lines, in one comment."""
    with tempfile.TemporaryDirectory() as tmp:
        out = run_cli(["segment", str(ONLINE_RETAIL), *SEGMENT_ARGS, "--out", str(Path(tmp) / "tiers.csv")],
                      stderr=True)
    read = re.search(r"online_retail\.parquet: (.*)$", out, re.M).group(1)
    graded = int(re.search(r"^(\d+) customers graded", out, re.M).group(1))
    return ("\n```bash\n"
            "tierkit segment tests/data/online_retail.parquet --customer-col CustomerID --date-col InvoiceDate \\\n"
            "    --order-col InvoiceNo --quantity-col Quantity --price-col UnitPrice --missing-customers drop \\\n"
            "    --as-of 2011-12-10 --out online_retail_tiers.csv\n"
            f"# {read}  ->  {graded:,} customers graded\n"
            "```\n")


# --- k-means clusters on CDNOW ----------------------------------------------------------------

@cache
def cdnow_clusters() -> dict:
    """`tierkit clusters` on the CDNOW master as of 1998-06-30, as its --json."""
    from tierkit.datasets import cdnow_path

    return json.loads(run_cli(["clusters", str(cdnow_path()), "--amount-col", "dollar_value",
                               "--as-of", "1998-06-30", "--json", "--no-stability"]))


def _selection(k: int) -> dict:
    return next(row for row in cdnow_clusters()["selection"] if row["k"] == k)


@figure
def cdnow_cluster_indices():
    """The three indices at k = 2 on CDNOW, as `tierkit clusters` prints them."""
    row = _selection(2)
    return (f"silhouette {row['silhouette']:.3f}, Calinski-Harabasz {row['calinski_harabasz']:,.2f}, "
            f"Davies-Bouldin {row['davies_bouldin']:.3f}")


@figure
def cdnow_cluster_k():
    """The chosen k on CDNOW and the figures of the action rule behind it."""
    result = cdnow_clusters()
    k = result["k"]
    chosen, above = _selection(k), _selection(k + 1)
    above_share = above["final_smallest_share"]
    if above_share != above_share:  # NaN: the next k failed on the sample already
        above_share = above["smallest_share"]
    vote = max(result["selection"], key=lambda r: len([i for i in r["preferred_by"].split(",") if i.strip()]))["k"]
    return (f"the indices vote for {vote} and the action rule gives k = {k} (k = {k + 1} leaves\n"
            f"{100 * above_share:.2f} % of the customers in one cluster; at k = {k} the smallest cluster is "
            f"{100 * chosen['smallest_share']:.2f} %, the closest pair\n"
            f"{chosen['separation']:.2f} standard deviations apart, the least stable cluster's Jaccard "
            f"{chosen['least_jaccard']:.2f})")


@figure
def cdnow_cluster_table():
    """The CDNOW clusters: name, customers and R/F/M means."""
    lines = ["", "| cluster | name | customers | recency (days) | frequency | monetary |",
             "|---|---|---|---|---|---|"]
    for p in cdnow_clusters()["profiles"]:
        frequency = f"{p['frequency']:.2f}" if p["frequency"] < 2 else f"{p['frequency']:.1f}"
        lines.append(f"| {p['cluster']} | {p['cluster_name']} | {p['customers']:,} | {p['recency']:.0f} | "
                     f"{frequency} | {p['monetary']:,.0f} |")
    return "\n".join(lines) + "\n"


# --- the served model's answer --------------------------------------------------------------

SERVING_REQUEST = {"columns": ["customer_id", "date", "amount"],
                   "data": [[4, "1997-01-01", 29.33], [4, "1997-01-18", 29.73], [5, "1997-03-01", 10]],
                   "params": {"input": "transactions", "as_of": "1998-06-30", "lang": "zh"}}


@figure
def serving_answer():
    """The answer of the demo's model (experiments/cdnow.yaml) to the README's transactions request."""
    import mlflow
    import pandas as pd

    from tierkit.mlops import experiment as ex
    from tierkit.mlops.export import save_segmentation_model
    from tierkit.progress import quiet
    from tierkit.segmentation.chain import build_segmentation

    config = ex.load_config(ROOT / "experiments" / "cdnow.yaml")
    with quiet():
        tx = ex.load_experiment_transactions(config)
        as_of = config.dates.get("as_of", config.dates.get("holdout_end"))
        answers, _ = ex._survey_answers(config, tx, as_of)
        features = ex._features(tx, as_of=as_of, time_unit=config.time_unit)
        survey = ex._satisfaction(config, answers, as_of)
        if survey is not None:
            features = ex.with_satisfaction(features, survey)
        segmentation = build_segmentation(ex._schemes(config), seed=config.seed).fit(features)
        horizon = getattr(dict(segmentation.steps_).get("clv"), "horizon", None)
        with tempfile.TemporaryDirectory() as tmp:
            path = save_segmentation_model(segmentation, features, Path(tmp) / "model", horizon=horizon)
            model = mlflow.pyfunc.load_model(str(path))
            request = pd.DataFrame(SERVING_REQUEST["data"], columns=SERVING_REQUEST["columns"])
            answer = model.predict(request, params=SERVING_REQUEST["params"])
    record = answer.iloc[0].to_dict()
    shown = ", ".join(f'"{c}": {json.dumps(record[c], ensure_ascii=False)}'
                      for c in ["customer_id", "abc_tier", "abc_tier_label"])
    fields = ", ".join(f"`{c}`" for c in answer.columns)
    return (f'`{{"predictions": [{{{shown}, ...}}]}}` (Chinese as `\\u` escapes), one record per\n'
            f"customer, with the fields {fields}")


# --- check and write ------------------------------------------------------------------------

def generate(names) -> dict:
    """The value of each figure in ``names``."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    warnings.simplefilter("ignore")
    unknown = sorted(set(names) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    return {name: FIGURES[name]() for name in names}


def substitute(text: str, values: dict) -> str:
    """``text`` with every marked figure replaced by its value."""
    return MARKER.sub(lambda m: f"<!-- figure:{m['name']} -->{values[m['name']]}<!-- /figure -->", text)


def stale(files=FILES) -> tuple[list[str], dict]:
    """The figures of ``files`` that differ from what the code prints, and the value of every figure."""
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    names = sorted({m["name"] for text in texts.values() for m in MARKER.finditer(text)})
    values = generate(names)
    found = [f"{path.relative_to(ROOT)}: {m['name']}: {m['value'].strip()!r} -> {values[m['name']].strip()!r}"
             for path, text in texts.items() for m in MARKER.finditer(text) if m["value"] != values[m["name"]]]
    return found, values


def main(argv=None) -> int:
    """``--check`` (exit 1 listing the stale figures) or ``--write``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 when a figure is stale")
    mode.add_argument("--write", action="store_true", help="rewrite the stale figures in place")
    args = parser.parse_args(argv)
    found, values = stale()
    if args.write:
        for path in FILES:  # read again just before writing: the figures took a while
            text = path.read_text(encoding="utf-8")
            new = substitute(text, values)
            if new != text:
                path.write_text(new, encoding="utf-8")
        print(f"{len(found)} figure(s) rewritten" + "".join(f"\n  {f}" for f in found))
        return 0
    if found:
        print(f"{len(found)} stale figure(s); regenerate with `python .ci/readme_figures.py --write`:")
        print("\n".join(f"  {f}" for f in found))
        return 1
    print("every figure is what the code prints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
