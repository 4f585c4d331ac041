"""Serving: the customer 360° table in HBase, for single-key reads (docs/serving.md)."""
