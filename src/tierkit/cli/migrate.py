"""``tierkit migrate``: who moved between tiers from one scored snapshot to the next.

Two forms:

* ``tierkit migrate OLD NEW``: OLD and NEW are tables written by ``tierkit segment``; each was
  graded by the standards it was graded with (compare like with like: grade both with the
  same ``segment --model``).
* ``tierkit migrate OLD [NEW] --model URI --old-as-of D1 --new-as-of D2``: OLD and NEW are
  transaction files (NEW left out: OLD holds both periods), read with the transaction
  options, and both periods are graded here by the one set of standards of the saved model,
  so every move is the customer's, not the cut-offs'.
"""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from tierkit.cli.language import headers_option, resolve_headers
from tierkit.cli.options import TRANSACTION_OPTION_NAMES, pop_transaction_options, transaction_options
from tierkit.cli.saved import given_flags, grade_with_saved, open_saved_model, saved_model_options, saved_reading
from tierkit.evaluation.migration import (
    fitted_thresholds,
    migration_summary,
    next_tier_gaps,
    read_snapshot,
    tier_moves,
    transition_matrix,
)
from tierkit.messages import Message
from tierkit.output import check_table_path, refuse_overwriting_inputs, write_table
from tierkit.words import term

GAP_SCHEMES = ("abc_tier", "rfm_class")


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False), required=False)
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
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the tables, tier names and messages.")
@headers_option
@click.option("--old-as-of", default=None, help="With --model: observation date (YYYY-MM-DD) of the old period.")
@click.option("--new-as-of", default=None, help="With --model: observation date (YYYY-MM-DD) of the new period.")
@saved_model_options
@transaction_options
@click.pass_context
def migrate(ctx, old, new, scheme, out, as_json, show, contribution, lang, headers, old_as_of, new_as_of, model,
            tracking_uri, **kwargs):
    """Compare the tiers of two periods: who moved up, who moved down.

    OLD and NEW are scored snapshots (files written by `tierkit segment`, with key or label
    headers). With --model they are transaction files (NEW left out: OLD holds both periods),
    graded as of --old-as-of and --new-as-of by the saved model's one set of standards; the
    transaction options (--amount-col ...) say how to read them. With --lang zh the tables name
    the tiers in Chinese; --json always gives the keys.
    """
    refuse_overwriting_inputs({"--out": out, "--rejects": kwargs.get("rejects")},
                              {"OLD": old, "NEW": new, "--model": model})
    if out is not None:
        check_table_path(out)
    if model is None:
        _check_snapshot_form(ctx, new)
        before = read_snapshot(old, scheme)
        after = read_snapshot(new, scheme)
        thresholds = None
    else:
        if contribution is not None:
            raise click.UsageError(Message("contribution_with_model", option="--contribution", model="--model"))
        for flag, value in (("--old-as-of", old_as_of), ("--new-as-of", new_as_of)):
            if value is None:
                raise click.UsageError(Message("missing_option_with_model", option=flag, model="--model"))
        tx_args = pop_transaction_options(kwargs)
        spec, segmentation = open_saved_model(model, tracking_uri)
        reading = saved_reading(ctx, spec, tx_args)
        before, _ = grade_with_saved(spec, segmentation, old, old_as_of, reading)
        after, _ = grade_with_saved(spec, segmentation, new if new is not None else old, new_as_of, reading)
        thresholds, contribution = fitted_thresholds(segmentation, scheme)
    moves = tier_moves(before, after, scheme)
    counts = transition_matrix(before, after, scheme)
    percent = transition_matrix(before, after, scheme, normalize=True)
    summary = migration_summary(moves)
    if scheme in GAP_SCHEMES:
        # With --model the model's standards; else those of the new snapshot, read back from it.
        present = after.loc[after[scheme].notna()]
        gaps = next_tier_gaps(present, scheme, thresholds=thresholds, value=contribution, lang=lang)
        moves = moves.join(gaps[["next_tier", "gap", "message"]], how="left")
    if out is not None:
        write_table(moves, out, lang=lang, headers=resolve_headers(headers, lang))
    up = moves.index[moves["direction"] == "up"]
    down = moves.index[moves["direction"] == "down"]
    periods = {} if model is None else {"model": model, "old_as_of": str(before.attrs["as_of"]),
                                        "new_as_of": str(after.attrs["as_of"])}
    if as_json:
        click.echo(json.dumps({
            "scheme": scheme,
            "old": str(old),
            "new": str(new if new is not None else old),
            **periods,
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
    name = tier_names(after if len(after) else before, scheme, lang)
    title = term("migration_title", lang, scheme=scheme_title(scheme, lang))
    if periods:
        title += f"; {periods['old_as_of']} -> {periods['new_as_of']}, {model}"
    grid = Table(title=title, title_justify="left")
    grid.add_column(term("old_new", lang))
    for column in counts.columns:
        grid.add_column(name(column), justify="right")
    for row in counts.index:
        grid.add_row(name(row), *[f"{counts.loc[row, c]:,} ({percent.loc[row, c]:.0f}%)" for c in counts.columns])
    console.print(grid)
    console.print(", ".join(f"{term(k, lang)}: {v:,}" for k, v in summary.items()))
    for label, ids in (("moved_up", up), ("moved_down", down)):
        if show and len(ids):
            listed = moves.loc[ids[:show]]
            console.print(term("movers", lang, label=term(label, lang), n=f"{len(ids):,}", shown=len(listed)))
            for cid, row in listed.iterrows():
                extra = f"; {row['message']}" if "message" in row and isinstance(row["message"], str) else ""
                console.print(f"  {cid}: {name(row['old_tier'])} -> {name(row['new_tier'])}{extra}", markup=False)
    if out is not None:
        click.echo(term("moves_written", lang, n=f"{len(moves):,}", out=out), err=True)


def _check_snapshot_form(ctx: click.Context, new) -> None:
    """Without --model: two snapshots, and none of the options that read transactions."""
    if new is None:
        raise click.UsageError(Message("missing_new", argument="NEW", model="--model"))
    given = given_flags(ctx, ("old_as_of", "new_as_of", "tracking_uri", *TRANSACTION_OPTION_NAMES))
    if given:
        raise click.UsageError(Message("model_only_options", given=tuple(given), model="--model", old="OLD",
                                       new="NEW"))


def scheme_title(scheme: str, lang: str) -> str:
    """The scheme's column as a person reads it: its label header in Chinese, its key in English.

    Examples
    --------
    >>> scheme_title("abc_tier", "zh"), scheme_title("abc_tier", "en"), scheme_title("cluster", "zh")
    ('ABC等级', 'abc_tier', '聚类编号')
    """
    from tierkit.words import HEADERS

    if lang != "zh":
        return scheme
    return HEADERS.get(f"{scheme}_label", HEADERS.get(scheme, (scheme, scheme)))[1]


def tier_names(snapshot, scheme: str, lang: str):
    """A function giving the name shown for a tier key of ``scheme`` (the key itself in English).

    Examples
    --------
    >>> import pandas as pd
    >>> name = tier_names(pd.DataFrame({"abc_tier": ["high_end"]}), "abc_tier", "zh")
    >>> name("high_end"), name("(entered)"), name("unknown")
    ('高端客户', '(新进入)', 'unknown')
    """
    from tierkit.tiers.schemes import table_schemes
    from tierkit.words import TERMS

    if lang != "zh":
        return str
    labels = {}
    if scheme == "cluster_name":
        from tierkit.clusters.naming import cluster_label

        labels = {k: cluster_label(k, lang) for k in snapshot[scheme].dropna().unique()}
    else:
        tiers = table_schemes(snapshot).get(scheme, ())
        labels = {t.key: t.label(lang) for t in tiers}

    def name(key) -> str:
        if key in labels:
            return labels[key]
        return term(key, lang) if key in ("(entered)", "(left)") and key in TERMS else str(key)

    return name
