"""Where records go: JSONL (one record per line, appended and flushed per notice) and JSON Schema files.

Why: a batch may be killed at any moment; appending one complete line per notice and flushing means a
rerun can tell what is done and loses at most the notices in flight. Files that could not be read go to a
sidecar ``<out>.errors.jsonl`` so the main file holds only schema-valid records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from agent.answers import header_model, problems_model
from agent.schema import NoticeRecord

DoneKey = tuple[str, str | None, str | None]  # (source, model, prompt_version)


class JsonlSink:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = None
        self._err: IO[str] | None = None

    def done_keys(self) -> set[DoneKey]:
        """Notices already in the file with no chunk errors (a failed notice is redone on rerun)."""
        keys: set[DoneKey] = set()
        if not self.path.exists():
            return keys
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill: redo that notice
                if not rec.get("errors"):
                    keys.add((rec.get("source"), rec.get("model"), rec.get("prompt_version")))
        return keys

    def write(self, rec: NoticeRecord) -> None:
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(rec.model_dump_json() + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def write_failure(self, source: str, reason: str) -> None:
        if self._err is None:
            self._err = self.path.with_suffix(self.path.suffix + ".errors.jsonl").open("a", encoding="utf-8")
        self._err.write(json.dumps({"source": source, "error": reason}, ensure_ascii=False) + "\n")
        self._err.flush()

    def close(self) -> None:
        for fh in (self._fh, self._err):
            if fh is not None:
                fh.close()


def export_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # the answer models are built per chunk; these examples show their shape for a two-problem chunk
    examples = (
        ("record", NoticeRecord),
        ("problem_answers.example", problems_model(("P1", "P2"), ("F1", "F2"))),
        ("header_answer.example", header_model(("F1",))),
    )
    for name, model in examples:
        path = out_dir / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
