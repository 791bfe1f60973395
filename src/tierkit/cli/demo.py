"""``tierkit demo``: the whole pipeline on the bundled CDNOW data, with a summary."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tierkit.cli.main import cli
from tierkit.datasets import CDNOW_END, load_cdnow
from tierkit.features import rfm_features
from tierkit.output import write_table
from tierkit.segmentation import Segmentation, tier_schemes
from tierkit.summary import tier_summary


@cli.command()
@click.option("--out", "out_dir", default="tierkit-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the results.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
def demo(out_dir, lang):
    """Grade the CDNOW customers (bundled with lifetimes) as of 1998-06-30."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("reading CDNOW transactions", total=4)
        tx = load_cdnow()
        progress.update(task, advance=1, description="computing RFM features")
        features = rfm_features(tx, as_of=CDNOW_END, time_unit="D")
        progress.update(task, advance=1, description="fitting the tier schemes")
        segmentation = Segmentation().fit(features)
        table = segmentation.transform(features, lang=lang)
        progress.update(task, advance=1, description="writing results")
        write_table(table, out / "customers.csv")
        progress.update(task, advance=1)
    out_console = Console()
    out_console.print(f"CDNOW: {len(tx):,} transactions, {len(table):,} customers, as of {CDNOW_END}")
    for column, tiers in tier_schemes(segmentation.abc_scheme).items():
        summary = tier_summary(table, column, order=[t.key for t in tiers])
        names = {t.key: t.label(lang) for t in tiers}
        grid = Table(title=column, title_justify="left")
        for header in ("tier", "customers", "share", "revenue share"):
            grid.add_column(header, justify="left" if header == "tier" else "right")
        for key, row in summary.iterrows():
            grid.add_row(f"{names.get(key, key)} ({key})", f"{int(row.customers):,}", f"{row.customer_share:.1%}",
                         f"{row.revenue_share:.1%}")
        out_console.print(grid)
    out_console.print(f"results: {out / 'customers.csv'}")
