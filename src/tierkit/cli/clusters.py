"""``tierkit clusters``: choose k, fit k-means on scaled RFM, print the evidence and the profiles."""

from __future__ import annotations

import json
import re

import click

from tierkit.cli.choices import click_type
from tierkit.cli.options import AS_OF_OPTION, features_from_options, pop_transaction_options, transaction_options
from tierkit.clusters.segmenter import KMeansSegmenter
from tierkit.clusters.selection import MIN_K
from tierkit.messages import Message


def parse_k_range(text: str) -> tuple[int, int]:
    """``"2-10"`` -> ``(2, 10)``.

    Examples
    --------
    >>> parse_k_range("3-8")
    (3, 8)
    """
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text or "")
    if not match or int(match[1]) < MIN_K or int(match[2]) <= int(match[1]):
        raise click.BadParameter(Message("k_range_text", value=repr(text), low=MIN_K), param_hint="--k-range")
    return int(match[1]), int(match[2])


@click.command()
@click.argument("transactions")
@AS_OF_OPTION
@click.option("--k-range", default="2-10", show_default=True, help="Candidate numbers of clusters, LOW-HIGH.")
@click.option("--k", type=click_type(KMeansSegmenter, "k"), default=None, help="Use this k instead of choosing one.")
@click.option("--transform", type=click_type(KMeansSegmenter, "skew_transform"), default="log1p", show_default=True,
              help="Skew-reducing transform before scaling.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (sample, k-means++, bootstrap).")
@click.option("--rule", "selection_rule", type=click_type(KMeansSegmenter, "selection_rule"), default="action",
              show_default=True,
              help="How k is chosen: action = the largest k whose clusters can be acted on (each at least 5% of "
                   "the customers, every two at least half a standard deviation apart on value or activity, "
                   "stable over bootstrap resamples; else the vote); vote = the k at least two of silhouette, "
                   "Calinski-Harabasz and Davies-Bouldin prefer (else the best mean rank); or one index alone; or "
                   "the knee of the inertia curve.")
@click.option("--stability/--no-stability", default=True, show_default=True,
              help="Measure bootstrap stability (adjusted Rand index, Jaccard per cluster).")
@click.option("--n-boot", type=click.IntRange(min=1), default=20, show_default=True,
              help="Bootstrap resamples for stability.")
@click.option("--time-unit", type=click.Choice(["D", "W"]), default="D", show_default=True, help="Days or weeks.")
@click.option("--plots", "plots_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for the PNG plots (k selection, snake plot, relative importance).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@transaction_options
def clusters(transactions, as_of, k_range, k, transform, seed, selection_rule, stability, n_boot, time_unit,
             plots_dir, lang, as_json, **kwargs):
    """Cluster the customers of TRANSACTIONS with k-means on scaled RFM features.

    Prints the comparison of k (inertia, silhouette, Calinski-Harabasz, Davies-Bouldin and
    which k each index prefers), the chosen k and the rule that chose it, the bootstrap
    stability, and the clusters: 0 is the most valuable, each named by where its centre sits
    on each feature, with its strategy.
    """
    from tierkit.clusters import cluster_label
    from tierkit.clusters.naming import cluster_strategy
    from tierkit.evaluation.stability import assess_stability
    from tierkit.output import refuse_overwriting_inputs
    from tierkit.reporting.charts import write_charts
    from tierkit.reporting.charts.clusters import cluster_charts

    refuse_overwriting_inputs({"--plots": plots_dir, "--rejects": kwargs.get("rejects")},
                              {"TRANSACTIONS": transactions})
    low_high = parse_k_range(k_range)
    features, _ = features_from_options(transactions, pop_transaction_options(kwargs), as_of=as_of,
                                        time_unit=time_unit)
    model = KMeansSegmenter(k=k, k_range=low_high, selection_rule=selection_rule, skew_transform=transform,
                            random_state=seed).fit(features)
    if stability:
        assess_stability(model, features, n_boot=n_boot)
    written = []
    if plots_dir:
        written = [str(p) for p in write_charts(cluster_charts(model, lang=lang), plots_dir, lang=lang)]
    if as_json:
        out = model.standards()
        out["customers"] = len(features)
        out["plots"] = written
        click.echo(json.dumps(out, indent=2, default=float))
        return
    from tierkit.clusters.selection import describe_choice
    from tierkit.words import header_labels, term

    def shown(table):  # column headers a person reads in --lang
        return table.rename(columns=header_labels(table.columns, lang)).to_string(float_format=lambda v: f"{v:.3f}")

    lines = [term("clusters_head", lang, n=f"{len(features):,}", as_of=features.attrs["as_of"],
                  features=", ".join(model.features_), transform=transform)]
    rule = model.k_rule_
    if model.selection_ is not None:
        selection = model.selection_.assign(preferred_by=[", ".join(term(i, lang) for i in p.split(", ") if i)
                                                          for p in model.selection_["preferred_by"]])
        if "action" in selection.columns:  # the action rule's verdict per k, in the reader's language
            selection["action"] = [term(v, lang) if isinstance(v, str) else v for v in selection["action"]]
        lines += [term("choosing_k", lang), shown(selection)]
        rule = describe_choice(model.selection_, model.selection_rule, lang)
    lines.append(term("k_line", lang, k=model.k_, rule=rule))
    if model.stability_ is not None:
        s = model.stability_
        lines.append(term("stability_line", lang, n=s["n_boot"], ari=f"{s['ari_mean']:.3f}", std=f"{s['ari_std']:.3f}",
                          thumb=term("rule_of_thumb", lang)))
    profiles = model.profiles_.copy()
    profiles.insert(1, "label", [cluster_label(n, lang) for n in profiles["cluster_name"]])
    profiles.insert(2, "strategy", [cluster_strategy(n, lang) for n in profiles["cluster_name"]])
    if "stability" in profiles.columns:
        profiles["stability"] = [term(v, lang) for v in profiles["stability"]]
    lines += [term("clusters_table", lang), shown(profiles)]
    lines += [term("plot_written", lang, path=p) for p in written]
    click.echo("\n".join(lines))
