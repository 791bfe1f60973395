"""Choosing k and clustering 1,000,000 customers: the search over 2..10, the full fit, stability.

Run: ``.venv/bin/python benchmarks/bench_clusters.py [--customers 1000000] [--transactions 10000000]``

The customers' features come from the synthetic transactions of ``synthetic.py`` through
``tierkit.rfm_features``. Prints the time of each phase of ``KMeansSegmenter.fit`` (the k search
runs on a 10,000-customer sample, the final k-means on every customer, stability on the sample)
and of assigning every customer afterwards, against the goal of "a few minutes on 2 cores".
"""

from __future__ import annotations

import argparse
import time

from synthetic import AS_OF, transactions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    args = parser.parse_args()

    import numpy as np

    import tierkit as tk
    from tierkit.clusters import KMeansSegmenter
    from tierkit.evaluation.stability import assess_stability

    tx = transactions(args.customers, args.transactions)
    features = tk.rfm_features(tx, as_of=AS_OF)
    del tx
    print(f"{len(features):,} customers")

    start = time.perf_counter()
    model = KMeansSegmenter().fit(features)
    search_and_fit = time.perf_counter() - start
    print(f"k search over 2..10 (sample of 10,000) + full fit: {search_and_fit:.1f} s; {model.k_rule_}")

    start = time.perf_counter()
    stable = assess_stability(KMeansSegmenter(k=model.k_).fit(features), features, n_boot=20)
    stability = time.perf_counter() - start
    print(f"fit with k={model.k_} + 20 bootstrap resamples: {stability:.1f} s; adjusted Rand index "
          f"{stable.stability_['ari_mean']:.3f} (std {stable.stability_['ari_std']:.3f}), Jaccard "
          f"{', '.join(f'{j:.2f}' for j in stable.stability_['jaccard'])}")

    start = time.perf_counter()
    labels = model.transform(features)
    assign = time.perf_counter() - start
    print(f"assigning {len(labels):,} customers: {assign:.1f} s; cluster sizes "
          f"{np.bincount(labels['cluster']).tolist()}")
    total = search_and_fit + stability
    print(f"total fit time {total:.1f} s (goal: a few minutes on 2 cores)")


if __name__ == "__main__":
    main()
