"""Every eval notice's rules-only record is as in the committed snapshot (``evals/snapshot.py``): a change that
moves any record says which, and the snapshot is renewed on purpose (``make snapshot``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rules_only_records_are_as_in_the_snapshot() -> None:
    spec = importlib.util.spec_from_file_location("snapshot", ROOT / "evals" / "snapshot.py")
    assert spec and spec.loader
    snapshot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snapshot)
    lines = snapshot.moved(snapshot.records(), snapshot.load())
    assert not lines, "rules-only records moved (renew on purpose: make snapshot):\n" + "\n".join(lines)
