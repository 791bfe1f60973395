"""``tierkit migrate``: who moved between tiers from one scored snapshot to the next."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from tierkit.evaluation.migration import (
    migration_summary,
    next_tier_gaps,
    read_snapshot,
    tier_moves,
    transition_matrix,
)
from tierkit.output import check_table_path, write_table

GAP_SCHEMES = ("abc_tier", "rfm_class")


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--scheme", default="abc_tier", show_default=True,
              help="Tier column to compare: abc_tier, rfm_class, rfm_segment, lifecycle_stage, clv_cs_class, "
                   "value_potential, cluster_name ...")
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="Write the per-customer moves (and next-tier gaps) here: .csv, .parquet or .xlsx.")
@click.option("--json", "as_json", is_flag=True, help="Print the matrix, counts and movers as JSON.")
@click.option("--show", default=10, show_default=True, type=click.IntRange(min=0),
              help="How many customers who moved up and down to list.")
@click.option("--contribution", default=None,
              help="Column the ABC tiers rank by (default profit when present, else monetary).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
def migrate(old, new, scheme, out, as_json, show, contribution, lang):
    """Compare the tiers of two scored snapshots OLD and NEW (files written by `tierkit segment`)."""
    if out is not None:
        check_table_path(out)
    before = read_snapshot(old)
    after = read_snapshot(new)
    moves = tier_moves(before, after, scheme)
    counts = transition_matrix(before, after, scheme)
    percent = transition_matrix(before, after, scheme, normalize=True)
    summary = migration_summary(moves)
    if scheme in GAP_SCHEMES:
        # The standards of the new snapshot, read back from it (it was graded on its own base).
        present = after.loc[after[scheme].notna()]
        gaps = next_tier_gaps(present, scheme, value=contribution, lang=lang)
        moves = moves.join(gaps[["next_tier", "gap", "message"]], how="left")
    if out is not None:
        write_table(moves, out)
    up = moves.index[moves["direction"] == "up"]
    down = moves.index[moves["direction"] == "down"]
    if as_json:
        click.echo(json.dumps({
            "scheme": scheme,
            "old": str(old),
            "new": str(new),
            "summary": summary,
            "rows": [str(r) for r in counts.index],
            "columns": [str(c) for c in counts.columns],
            "matrix": {str(r): {str(c): int(v) for c, v in row.items()} for r, row in counts.iterrows()},
            "percent": {str(r): {str(c): round(float(v), 4) for c, v in row.items()} for r, row in percent.iterrows()},
            "moved_up": up.tolist(),
            "moved_down": down.tolist(),
        }, ensure_ascii=False, indent=2))
        return
    console = Console()
    grid = Table(title=f"{scheme}: old (rows) -> new (columns), customers and % of the old tier", title_justify="left")
    grid.add_column("old \\ new")
    for column in counts.columns:
        grid.add_column(str(column), justify="right")
    for row in counts.index:
        grid.add_row(str(row), *[f"{counts.loc[row, c]:,} ({percent.loc[row, c]:.0f}%)" for c in counts.columns])
    console.print(grid)
    console.print(", ".join(f"{k}: {v:,}" for k, v in summary.items()))
    for label, ids in (("moved up", up), ("moved down", down)):
        if show and len(ids):
            listed = moves.loc[ids[:show]]
            console.print(f"{label} ({len(ids):,}), first {len(listed)}:")
            for cid, row in listed.iterrows():
                extra = f"; {row['message']}" if "message" in row and isinstance(row["message"], str) else ""
                console.print(f"  {cid}: {row['old_tier']} -> {row['new_tier']}{extra}", markup=False)
    if out is not None:
        click.echo(f"{len(moves):,} customers' moves -> {out}", err=True)
