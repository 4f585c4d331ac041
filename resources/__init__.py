"""Dagster resources: typed wrappers around the real clients (MySQL, the lake, HiveServer2)."""
