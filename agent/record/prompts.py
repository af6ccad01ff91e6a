"""Prompts live in ``prompts/<version>/`` as files; this module renders them with a pure function.

The system prompt is one fixed text shared by every call, so the server's prompt cache reuses it; the
per-chunk user message is a small template. The prompt version written into each record is the folder
name plus a short hash of the files, so any edit to a prompt changes it (and invalidates caches).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agent.config import prompts_dir
from agent.text.chunks import Chunk

DEFAULT_VERSION = "v2"


def prompts_root() -> Path:
    return prompts_dir() or Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class PromptSet:
    version: str  # e.g. "v1+3fa2c91b"
    system: str
    problems: str


@lru_cache(maxsize=8)
def load(version: str = DEFAULT_VERSION) -> PromptSet:
    folder = prompts_root() / version
    if not folder.is_dir():
        raise FileNotFoundError(f"prompt version {version!r} not found: no folder {folder}")
    texts = {name: (folder / f"{name}.md").read_text(encoding="utf-8").strip() for name in ("system", "problems")}
    digest = hashlib.sha256("\0".join(texts[k] for k in sorted(texts)).encode()).hexdigest()[:8]
    return PromptSet(f"{version}+{digest}", texts["system"], texts["problems"])


def render(chunk: Chunk, prompts: PromptSet) -> list[dict[str, str]]:
    """Chat messages for one chunk."""
    user = prompts.problems.format(chunk_text=chunk.text, n_items=len(chunk.items), items="、".join(chunk.items))
    return [{"role": "system", "content": prompts.system}, {"role": "user", "content": user}]
