"""Deterministic generators: the shop database, its change batches and the clickstream logs."""
