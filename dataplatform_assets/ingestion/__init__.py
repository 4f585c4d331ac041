"""Ingestion: shop tables from MySQL into the lake and the `raw` Hive database."""
