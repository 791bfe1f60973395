"""Judging tiers: scheme comparison, migration between snapshots and per-tier summaries."""
