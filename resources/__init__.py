"""Dagster resources: typed clients of the real services (MySQL, the lake, HiveServer2, HBase, Sqoop).

The bottom layer: these modules import nothing else of the project (docs/architecture.md).
"""
