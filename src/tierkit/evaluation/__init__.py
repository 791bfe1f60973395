"""Judging tiers: scheme comparison, migration between snapshots, per-tier summaries and cluster stability."""
