"""The soak at CI size: 240 noisy notices in one rules-only batch, killed once and resumed (``bench/soak.py``,
which runs 2,000 by default): every file done or failed with its reason, none twice, memory flat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_soak_killed_once_and_resumed() -> None:
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--files", "240"],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "FAIL" not in res.stdout
