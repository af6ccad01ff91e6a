"""OpenAI-Batch JSONL in and out: the same chunk requests as the online runner, sent by someone else.

Why: a hosted batch endpoint (OpenAI's Batch API), ``vllm run-batch`` or SGLang answer thousands of requests
cheaply and unattended, but only as files. This module turns notices into the request file those tools
read (one line per chunk, ``custom_id`` = ``<notice_id>:<chunk_id>``, body from ``calls.request_body``) and
folds their output file back into the same records the online runner writes (``calls.parse_reply`` for the
same validation, ``pipeline.model_result_record`` for the same reconciliation). Nothing is lost silently: a
missing line, an errored line or a non-200 response becomes a ``ChunkError`` on every notice that needed it,
and those request lines can be written out again for a retry batch. Identical chunks (the same
``custom_id``: two copies of one text share a ``notice_id``) are sent once and answer every copy; as in the
online runner's chunk cache, the tokens are counted on the first copy only.

Pure: files in, records out; no client, no network, no LLM layer (an import-linter contract).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.record.calls import CallResult, custom_id, parse_reply, request_body
from agent.record.pipeline import Analysis, analyse, model_result_record
from agent.record.prompts import PromptSet
from agent.schema import ChunkError, NoticeRecord, Usage
from agent.text.chunks import Chunk
from agent.text.ingest import IngestError, read_notice

URL = "/v1/chat/completions"


@dataclass
class Prepared:
    """Notices analysed for a batch: what to ask, and how to put the answers back."""

    analyses: list[Analysis] = field(default_factory=list)  # one per readable file, in the order given
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, reason) of unreadable files
    chunks: dict[str, Chunk] = field(default_factory=dict)  # custom_id -> chunk, each custom_id once

    def custom_ids(self, a: Analysis) -> list[str]:
        return [custom_id(a.notice.notice_id, c) for c in a.chunks]

    def keep(self, wanted: Callable[[Analysis], bool]) -> Prepared:
        """Only the notices ``wanted`` says yes to (e.g. not yet done in the store), and only their chunks."""
        out = Prepared(failures=list(self.failures))
        for a in self.analyses:
            if wanted(a):
                out.add(a)
        return out

    def add(self, a: Analysis) -> None:
        self.analyses.append(a)
        for c in a.chunks:
            self.chunks.setdefault(custom_id(a.notice.notice_id, c), c)


def prepare(files: Iterable[str]) -> Prepared:
    """Read and analyse every file; a file that cannot be read (or breaks the rules) is a named failure."""
    out = Prepared()
    for path in files:
        try:
            a = analyse(read_notice(path))
        except IngestError as exc:
            out.failures.append((str(path), exc.reason))
            continue
        except OSError as exc:
            out.failures.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug on one strange file must not stop the export
            out.failures.append((str(path), f"internal error: {type(exc).__name__}: {exc}"))
            continue
        out.add(a)
    return out


def request_line(cid: str, chunk: Chunk, prompts: PromptSet, model: str, cap: int = 1024) -> dict[str, Any]:
    """One line of a Batch request file (OpenAI Batch API, ``vllm run-batch``, SGLang)."""
    return {"custom_id": cid, "method": "POST", "url": URL, "body": request_body(chunk, prompts, model, cap)}


def request_lines(chunks: dict[str, Chunk], prompts: PromptSet, model: str, cap: int = 1024,
                  only: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Request lines for ``chunks`` (or just the custom_ids in ``only``), each custom_id once, in order."""
    wanted = None if only is None else set(only)
    for cid, chunk in chunks.items():
        if wanted is None or cid in wanted:
            yield request_line(cid, chunk, prompts, model, cap)


def read_results(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """custom_id -> output line; and a message for each line that is not a JSON object with a custom_id.

    A custom_id answered twice keeps a successful line over a failed one, else the first.
    """
    lines: dict[str, dict[str, Any]] = {}
    bad: list[str] = []
    with Path(path).open(encoding="utf-8") as fh:
        for no, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError as exc:
                bad.append(f"{path}:{no}: not JSON ({exc})")
                continue
            cid = line.get("custom_id") if isinstance(line, dict) else None
            if not isinstance(cid, str):
                bad.append(f"{path}:{no}: no custom_id")
                continue
            if cid not in lines or (not _ok(lines[cid]) and _ok(line)):
                lines[cid] = line
    return lines, bad


def _ok(line: dict[str, Any]) -> bool:
    resp = line.get("response") or {}
    return not line.get("error") and isinstance(resp, dict) and resp.get("status_code") == 200


def _failed(chunk: Chunk, kind: str, message: str, requests: int) -> CallResult:
    err = ChunkError(chunk_id=chunk.id, kind=kind, message=message[:300], attempts=requests)
    return CallResult(chunk, error=err, usage=Usage(requests=requests))


def _error_text(err: Any) -> str:
    if isinstance(err, dict):
        nested = err.get("error")
        inner: dict[str, Any] = nested if isinstance(nested, dict) else err
        code, msg = inner.get("code"), inner.get("message")
        return " ".join(str(x) for x in (code, msg) if x) or json.dumps(err, ensure_ascii=False)
    return str(err)


def result_of(chunk: Chunk, line: dict[str, Any] | None) -> CallResult:
    """One output line -> the chunk's result: the line's ``error`` and status first, then ``parse_reply``."""
    if line is None:
        return _failed(chunk, "batch_missing", "no line with this custom_id in the batch output", 0)
    if line.get("error"):
        return _failed(chunk, "batch_error", _error_text(line["error"]), 1)
    resp = line.get("response")
    if not isinstance(resp, dict):
        return _failed(chunk, "batch_error", "line has neither a response nor an error", 1)
    status, body = resp.get("status_code"), resp.get("body")
    if isinstance(body, str):  # some servers write the body as a JSON string
        try:
            body = json.loads(body)
        except ValueError:
            pass
    if status != 200:
        return _failed(chunk, f"http_{status}", _error_text(body), 1)
    return parse_reply(chunk, body)


@dataclass
class Imported:
    records: list[NoticeRecord]
    failed: list[str]  # custom_ids with no usable answer (missing, errored, invalid), each once
    results: dict[str, CallResult]  # custom_id -> result, each once
    unknown: list[str]  # custom_ids in the output that no given notice asked for


def import_results(prepared: Prepared, lines: dict[str, dict[str, Any]], model: str, prompt_version: str,
                   cached: Callable[[Chunk], CallResult | None] | None = None) -> Imported:
    """Fold a batch's output lines into one record per notice file (copies of a text share the answers).

    ``cached`` (the store's chunk cache) answers a chunk whose line is missing or failed, so importing a
    retry batch's output completes the notices the first import left partial.
    """
    results: dict[str, CallResult] = {}
    for cid, chunk in prepared.chunks.items():
        r = result_of(chunk, lines.get(cid))
        if r.error is not None and cached is not None:
            r = cached(chunk) or r
        results[cid] = r
    charged: set[str] = set()
    records = []
    for a in prepared.analyses:
        per_notice = []
        for cid, chunk in zip(prepared.custom_ids(a), a.chunks, strict=True):
            r = results[cid]
            first = cid not in charged  # the tokens were spent once: count them on the first notice only
            charged.add(cid)
            per_notice.append(CallResult(chunk, answer=r.answer, error=r.error, usage=r.usage if first else Usage(),
                                         cached=r.cached or not first))
        records.append(model_result_record(a, per_notice, model, prompt_version, 0.0))
    failed = [cid for cid, r in results.items() if r.error is not None]
    unknown = [cid for cid in lines if cid not in prepared.chunks]
    return Imported(records, failed, results, unknown)
