"""Outputs: JSONL, CSV and JSON Schema files (``sinks``), and the self-contained HTML review page (``review``)."""
