"""``tierkit demo``: the experiment ``experiments/cdnow.yaml`` on the bundled CDNOW data.

It is ``tierkit run experiments/cdnow.yaml`` plus a summary on screen and the outputs in a
folder: every customer graded (``customers.csv``), the HTML report and its charts, the run in
MLflow (local store ``mlflow.db`` unless ``MLFLOW_TRACKING_URI`` says otherwise) and the
model registered with the alias ``champion``.

Nothing is read from a checkout or the current directory: the config is the copy of
``experiments/cdnow.yaml`` shipped as package data (``tierkit/_data/cdnow.yaml``, kept
identical by a test) and the CDNOW transactions come from the installed ``lifetimes``
package (:func:`tierkit.datasets.cdnow_path`); both are found with :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tierkit.datasets import SYNTHETIC_SURVEY_NOTE
from tierkit.evaluation.summary import p_alive_text, tier_summary
from tierkit.output import write_table
from tierkit.reporting.report import write_report
from tierkit.tiers.schemes import tier_schemes


def demo_config() -> Traversable:
    """The packaged demo config, a copy of the repository's ``experiments/cdnow.yaml``.

    Returns
    -------
    importlib.resources.abc.Traversable
        ``cdnow.yaml`` in the package ``tierkit._data``; use it through
        :func:`importlib.resources.as_file` to get a path on disk.

    Examples
    --------
    >>> demo_config().name
    'cdnow.yaml'
    >>> "dataset: cdnow" in demo_config().read_text(encoding="utf-8")
    True
    """
    return resources.files("tierkit._data").joinpath("cdnow.yaml")


@click.command()
@click.option("--out", "out_dir", default="tierkit-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the results.")
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="Experiment config [default: the packaged copy of experiments/cdnow.yaml].")
@click.option("--tracking-uri", default=None, help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of labels [default: the config's].")
def demo(out_dir, config_path, tracking_uri, lang):
    """Grade the CDNOW customers (bundled with lifetimes), compare the schemes, register the model."""
    from tierkit.mlops.config import load_config
    from tierkit.mlops.experiment import config_inputs, run_experiment
    from tierkit.output import refuse_overwriting_inputs

    out = Path(out_dir)
    # as_file gives a path on disk even if tierkit were installed zipped (a user's --config
    # path passes through unchanged); it stays valid while the run logs the config to MLflow.
    with resources.as_file(Path(config_path) if config_path else demo_config()) as path:
        config = load_config(path)
        # the folder and every file written into it, before the run reads anything
        other = "zh" if (lang or config.lang) == "en" else "en"
        written = [out, out / "customers.csv", out / "report.html", out / f"report.{other}.html", out / "charts"]
        refuse_overwriting_inputs([("--out", target) for target in written], config_inputs(config))
        if lang is not None:
            config.lang = lang
        console = Console(stderr=True)
        with console.status("starting") as status:
            result = run_experiment(config, tracking_uri_override=tracking_uri, register=True,
                                    progress=lambda text: status.update(text), out_dir=out)
            status.update("writing customers.csv and the report in the other language")
            write_table(result.table, out / "customers.csv")
            other = "zh" if config.lang == "en" else "en"
            notes = [SYNTHETIC_SURVEY_NOTE[other]] if result.notes else []
            write_report(result.table, out / f"report.{other}.html", result.diagnostics, lang=other,
                         title=f"{config.name}: {'客户分级管理报告' if other == 'zh' else 'customer tiers'}",
                         notes=notes, alerts=(result.alerts or {}).get(other, ()), validation=result.validation,
                         currency=config.currency)
    show_demo(result, config, out)


def show_demo(result, config, out: Path) -> None:
    """Print the demo's summary: tier sizes, CLV, the scheme comparison and where the results went."""
    screen = Console()
    table = result.table
    lang = config.lang
    screen.print(f"[bold]{config.name}[/bold]: {len(table):,} customers graded as of {table.attrs.get('as_of')}")
    for alert in (result.alerts or {}).get(lang, ()):
        screen.print(f"[red]alert:[/red] {alert}", soft_wrap=True)
    for note in result.notes:
        screen.print(f"[yellow]note:[/yellow] {note}", soft_wrap=True)
    abc_scheme = "course"
    for column, tiers in tier_schemes(abc_scheme).items():
        if column not in table.columns:
            continue
        if column == "abc_tier":
            from tierkit.tiers.schemes import abc_scheme_of

            tiers = tier_schemes(abc_scheme_of(table[column].unique()))[column]
        _print_tiers(screen, table, column, [t.key for t in tiers], {t.key: t.label(lang) for t in tiers})
    if "cluster" in table.columns:
        names = table.drop_duplicates("cluster").set_index("cluster")["cluster_name"].to_dict()
        _print_tiers(screen, table, "cluster", sorted(names), {k: f"{k}: {v}" for k, v in names.items()})
    if "clv" in table.columns:
        screen.print(f"predicted CLV: total {table['clv'].sum():,.0f}, mean {table['clv'].mean():,.2f} per customer; "
                     f"{p_alive_text(table)}", soft_wrap=True)
        clv = (result.diagnostics or {}).get("clv") or {}
        if "model" in clv:
            screen.print(f"purchase model {clv['model']} ({clv['model_choice']})", soft_wrap=True)
    if result.comparison is not None:
        shown = result.comparison[["variance_share", "top_tier_lift", "order_agreement", "size_balance", "tiers"]]
        screen.print("schemes ranked by held-out value separation (fit to "
                     f"{config.dates['calibration_end']}, spend to {config.dates['holdout_end']}):")
        screen.print(shown.to_string(float_format=lambda v: f"{v:.3f}"), soft_wrap=True)
    screen.print(f"MLflow run {result.run_id}; model {result.model_uri}")
    if result.registered_version:
        screen.print(f"registered: models:/{config.mlflow['registered_model']}"
                     f"@{config.mlflow.get('alias', 'champion')} (version {result.registered_version})")
    other = "zh" if config.lang == "en" else "en"
    screen.print(f"results: {out / 'customers.csv'}, reports {out / 'report.html'} and {out / f'report.{other}.html'}, "
                 f"charts in {out / 'charts'}")


def _print_tiers(screen, table, column, order, names) -> None:
    summary = tier_summary(table, column, order=order)
    grid = Table(title=column, title_justify="left")
    for header in ("tier", "customers", "share", "revenue share"):
        grid.add_column(header, justify="left" if header == "tier" else "right")
    for key, row in summary.iterrows():
        grid.add_row(f"{names.get(key, key)} ({key})", f"{int(row.customers):,}", f"{row.customer_share:.1%}",
                     f"{row.revenue_share:.1%}")
    screen.print(grid)
