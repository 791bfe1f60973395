"""The documentation's figures, produced by running tierkit itself on the bundled data.

Every figure the documentation (``README.md`` and the pages under ``docs/``) states about what a
command prints sits between two markers::

    <!-- figure:NAME -->the value<!-- /figure -->

(on one line inside a paragraph, or around whole lines: a table, a code block). ``NAME`` is a
function below that runs the command (in this process, through ``tierkit.cli.main.main``, or the
Python API) on the bundled data -- CDNOW from ``tierkit.datasets.cdnow_path()``, Online Retail at
``tests/data/online_retail.parquet`` -- and returns the text. Only deterministic figures are
generated (parameters, counts, tiers, k, index values); timings and test counts depend on the
machine and are not stated as facts in the documentation. Every figure defined here must appear in
at least one page, so a figure cannot drop out of the check when text moves between pages.

    python .ci/readme_figures.py --check   # exit 1 and list the stale figures (CI, via the test)
    python .ci/readme_figures.py --write   # rewrite them in place

``tests/test_readme_figures.py`` runs ``--check``. (The name is historical: the figures lived in the
README until the documentation site, issue 22 item 7.)
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
DOCS = ROOT / "docs"
#: The pages whose figures are checked: the README and the documentation's Markdown sources.
FILES = [ROOT / "README.md",
         *sorted(path for path in DOCS.rglob("*.md") if "_build" not in path.relative_to(DOCS).parts)]
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


@cache
def sample_validate() -> str:
    """`tierkit validate` on CDNOW_sample.txt, BG/NBD, weeks: its printed text."""
    from tierkit.datasets import cdnow_path

    return run_cli(["validate", str(cdnow_path(sample=True)), *VALIDATE_ARGS])


def _holdout(out: str) -> re.Match:
    """The holdout line of `validate`: predicted, actual, their difference (%), MAE, RMSE."""
    found = re.search(r"holdout purchases: predicted ([\d,.]+), actual ([\d,]+) \(([-+\d.]+)%\); "
                      r"per customer MAE ([\d.]+), RMSE ([\d.]+)", out)
    if found is None:
        raise RuntimeError("validate printed no holdout line")
    return found


def _baseline(out: str) -> dict:
    """`validate`'s model against the naive baseline: figure -> (the model's, the baseline's), as printed."""
    rows = {"mae": "MAE (purchases per customer)", "aggregate": "aggregate error (total purchases)",
            "spearman": "Spearman (predicted value, actual spend)",
            "top_decile": "top-decile capture of holdout spend"}
    found = {key: re.search(rf"^{re.escape(label)}\s+(\S+)\s+(\S+)$", out, re.M) for key, label in rows.items()}
    missing = [rows[key] for key, match in found.items() if match is None]
    if missing:
        raise RuntimeError(f"validate printed no baseline row {', '.join(missing)}")
    return {key: (match[1], match[2]) for key, match in found.items()}


def _model_mae(out: str) -> dict:
    """Model -> its MAE in `validate`'s model comparison, as printed."""
    lines = out.split("model comparison on the same holdout:", 1)[1].strip().splitlines()
    header = lines[0].split()
    rows = [line.split() for line in lines[2:]]
    return {row[0]: row[1 + header.index("mae")] for row in rows if len(row) == len(header) + 1}


def _percent(text: str) -> str:
    """A percentage as printed (``+47.4%``) as the documentation writes it (``+47.4 %``)."""
    return text.removesuffix("%") + " %"


@figure
def validate_sample():
    """The `validate` example on CDNOW_sample.txt: the command shown and the fit line it prints."""
    out = sample_validate()
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
def cdnow_sample_holdout():
    """BG/NBD's holdout figures on the CDNOW sample in weeks, as `validate` prints them."""
    out = sample_validate()
    customers = re.search(r"^([\d,]+) customers;", out, re.M)[1]
    m = _holdout(out)
    return (f"the {customers}-customer sample in weeks: {float(m[1].replace(',', '')):,.0f} predicted against\n"
            f"{m[2]} actual purchase days ({m[3]} %), MAE {m[4]}")


@figure
def cdnow_holdout():
    """BG/NBD's holdout figures on the CDNOW master, as `validate` prints them."""
    out = cdnow_validate()
    m = _holdout(out)
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


@figure
def cdnow_baseline_error():
    """How far the naive baseline errs on the CDNOW master against BG/NBD and MBG/NBD, as `validate` prints it."""
    out = cdnow_validate()
    baseline, mae = _baseline(out), _model_mae(out)
    return (f"MAE {baseline['mae'][1]} against {baseline['mae'][0]} for BG/NBD\nand {mae['MBG/NBD']} for MBG/NBD; "
            f"{_percent(baseline['aggregate'][1])} in total")


@figure
def cdnow_baseline_ranking():
    """How the naive baseline ranks value on the CDNOW master against BG/NBD, as `validate` prints it."""
    baseline = _baseline(cdnow_validate())
    return (f"Spearman {baseline['spearman'][1]} against {baseline['spearman'][0]}, top decile "
            f"{_percent(baseline['top_decile'][1])} against\n{_percent(baseline['top_decile'][0])}")


# --- Online Retail, graded from its raw columns ----------------------------------------------

READ_ARGS = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--order-col", "InvoiceNo",
             "--quantity-col", "Quantity", "--price-col", "UnitPrice", "--missing-customers", "drop"]
SEGMENT_ARGS = [*READ_ARGS, "--as-of", "2011-12-10"]
RETAIL_HOLDOUT = {"calibration_end": "2011-08-31", "holdout_end": "2011-12-09"}


@cache
def online_retail_graded():
    """`tierkit segment` on Online Retail: what it prints (standard output and error) and the table it writes."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiers.csv"
        out = run_cli(["segment", str(ONLINE_RETAIL), *SEGMENT_ARGS, "--out", str(path)], stderr=True)
        table = pd.read_csv(path, dtype={"customer_id": str})
    return out, table


@cache
def online_retail_validate() -> str:
    """`tierkit validate` on Online Retail, the default model, days: its printed text."""
    return run_cli(["validate", str(ONLINE_RETAIL), *READ_ARGS, "--calibration-end", RETAIL_HOLDOUT["calibration_end"],
                    "--holdout-end", RETAIL_HOLDOUT["holdout_end"]])


@cache
def online_retail_clusters() -> dict:
    """`tierkit clusters` on Online Retail as of 2011-12-10, as its --json."""
    return json.loads(run_cli(["clusters", str(ONLINE_RETAIL), *SEGMENT_ARGS, "--json", "--no-stability"]))


@figure
def online_retail_segment():
    """The `segment` example on Online Retail: the command and its two printed lines, in one comment."""
    out, _ = online_retail_graded()
    read = re.search(r"online_retail\.parquet: (.*)$", out, re.M).group(1)
    graded = int(re.search(r"^(\d+) customers graded", out, re.M).group(1))
    return ("\n```bash\n"
            "tierkit segment tests/data/online_retail.parquet --customer-col CustomerID --date-col InvoiceDate \\\n"
            "    --order-col InvoiceNo --quantity-col Quantity --price-col UnitPrice --missing-customers drop \\\n"
            "    --as-of 2011-12-10 --out online_retail_tiers.csv\n"
            f"# {read}  ->  {graded:,} customers graded\n"
            "```\n")


@figure
def online_retail_baseline():
    """The naive baseline on Online Retail's holdout against every model, as `validate` prints it."""
    out = online_retail_validate()
    naive, maes = _baseline(out)["mae"][1], sorted(set(_model_mae(out).values()), key=float)
    against = maes[0] if len(maes) == 1 else f"{maes[0]}-{maes[-1]}"
    if float(naive) < float(maes[0]):
        verdict = "better than every model"
    elif float(naive) > float(maes[-1]):
        verdict = "worse than every model"
    else:
        verdict = "between the models"
    return (f"(fitted to {RETAIL_HOLDOUT['calibration_end']}, holdout to {RETAIL_HOLDOUT['holdout_end']}, days) "
            f"it is\n{verdict} (MAE {naive} against {against})")


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


def _cluster_table(profiles) -> str:
    """Clusters as a Markdown table: name, customers and R/F/M means."""
    lines = ["", "| cluster | name | customers | recency (days) | frequency | monetary |",
             "|---|---|---|---|---|---|"]
    for p in profiles:
        frequency = f"{p['frequency']:.2f}" if p["frequency"] < 2 else f"{p['frequency']:.1f}"
        lines.append(f"| {p['cluster']} | {p['cluster_name']} | {p['customers']:,} | {p['recency']:.0f} | "
                     f"{frequency} | {p['monetary']:,.0f} |")
    return "\n".join(lines) + "\n"


@figure
def cdnow_cluster_table():
    """The CDNOW clusters: name, customers and R/F/M means."""
    return _cluster_table(cdnow_clusters()["profiles"])


# --- k-means clusters on Online Retail -------------------------------------------------------

def _ks(ks: list[int]) -> str:
    """``k = 6``, ``k = 6 and 7``, ``k = 8-10``."""
    if len(ks) == 1:
        return f"k = {ks[0]}"
    return f"k = {ks[0]} and {ks[1]}" if len(ks) == 2 else f"k = {ks[0]}-{ks[-1]}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _final(row: dict, key: str) -> float:
    """A figure of the action rule on every customer when measured there, else on the sample."""
    value = row.get(f"final_{key}")
    return row[key] if value is None or value != value else value


def _larger_k_failures(result: dict) -> list[str]:
    """Why each k above the chosen one fails the action rule, consecutive ks of one verdict together."""
    import itertools
    import math

    criteria = result["k_reason"].get("criteria", {})
    above = [row for row in result["selection"] if row["k"] > result["k"]]
    parts = []
    for verdict, rows in itertools.groupby(above, key=lambda row: row["action"]):
        rows = list(rows)
        ks, one = _ks([row["k"] for row in rows]), len(rows) == 1
        if verdict == "unstable":
            jaccards = _and([f"{row['least_jaccard']:.2f}" for row in rows])
            parts.append(f"{ks} {'is' if one else 'are'} unstable, Jaccard {jaccards}")
        elif verdict == "small cluster":
            under = math.ceil(100 * max(_final(row, "smallest_share") for row in rows))
            parts.append(f"{ks} leave{'s' if one else ''} a cluster under {under} %")
        elif verdict == "too close":
            parts.append(f"{ks} put{'s' if one else ''} two clusters less than {criteria['min_separation']:g} "
                         "standard deviations apart")
        else:
            raise RuntimeError(f"clusters: unexpected verdict {verdict!r} for {ks} above the chosen k")
    return parts


@figure
def online_retail_cluster_k():
    """The chosen k on Online Retail and why each larger k fails."""
    result = online_retail_clusters()
    also = "also " if result["k"] == cdnow_clusters()["k"] else ""
    failures = _larger_k_failures(result)
    why = ";\n".join(failures)
    return f"{also}k = {result['k']}" + (f" ({why})" if why else "")


@figure
def online_retail_new_customers():
    """Which cluster Online Retail's "New customers" and "Promising" (RFM segments) are in."""
    _, table = online_retail_graded()
    chosen = table[table["rfm_segment"].isin(["new", "promising"])]
    counts = chosen["cluster_name"].value_counts()
    if counts.iloc[0] == len(chosen):
        return f"now they are in `{counts.index[0]}`"
    return f"now {counts.iloc[0]:,} of their {len(chosen):,} are in `{counts.index[0]}`"


@figure
def online_retail_cluster_table():
    """The Online Retail clusters: name, customers and R/F/M means."""
    return _cluster_table(online_retail_clusters()["profiles"])


# --- the served model's answer --------------------------------------------------------------

SERVING_REQUEST = {"columns": ["customer_id", "date", "amount"],
                   "data": [[4, "1997-01-01", 29.33], [4, "1997-01-18", 29.73], [5, "1997-03-01", 10]],
                   "params": {"input": "transactions", "as_of": "1998-06-30", "lang": "zh"}}


@figure
def serving_answer():
    """The answer of the demo's model (experiments/cdnow.yaml) to the serving page's transactions request."""
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
    found = [f"{name}: defined in .ci/readme_figures.py but on no page" for name in sorted(set(FIGURES) - set(names))]
    found += [f"{path.relative_to(ROOT)}: {m['name']}: {m['value'].strip()!r} -> {values[m['name']].strip()!r}"
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
