"""Clickstream: Flume's landing buckets -> parsed, deduplicated events, rejects and sessions."""
