"""A real HTTP server on 127.0.0.1 that answers chat requests from the cassettes recorded from the embedded server.

Why: vcrpy replays inside one process; a batch killed with a signal, a Ray worker or an OpenAI-Batch
round-trip runs in other processes, so they need recorded answers over a real socket. Requests match on
the JSON body (as vcrpy's body matcher does), the response is the recorded one byte for byte, an unknown
request gets a 404 and is counted as a miss, so a test can assert that nothing unrecorded was asked.
Nothing here is a fake completion: every reply was recorded from the real llama.cpp server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EMBEDDED_MODEL, ROOT

PIPELINE_CASSETTES = ROOT / "cassettes" / "test_pipeline_replay"


def canonical(body: bytes | str) -> str:
    return json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False)


def load_interactions(paths: Iterable[Path]) -> dict[str, tuple[int, str]]:
    table: dict[str, tuple[int, str]] = {}
    for path in paths:
        for it in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            req, resp = it["request"], it["response"]
            if req["method"] != "POST" or not req.get("body"):
                continue
            table.setdefault(canonical(req["body"]), (int(resp["status"]["code"]), resp["body"]["string"]))
    return table


class ReplayServer:
    def __init__(self, cassettes: Iterable[Path] | None = None, delay: float = 0.0, model: str = EMBEDDED_MODEL,
                 fault: Callable[[str], int | None] | None = None) -> None:
        self.table = load_interactions(cassettes or sorted(PIPELINE_CASSETTES.glob("*.yaml")))
        self.delay, self.model = delay, model
        self.fault = fault  # canonical body -> an HTTP status to fail it with, or None to answer it
        self.faulted = 0
        self.hits: Counter[str] = Counter()
        self.misses = 0
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def answer(self, raw: bytes) -> tuple[int, str]:
        try:
            key = canonical(raw)
        except ValueError:
            return 400, json.dumps({"error": {"message": "body is not JSON"}})
        status = self.fault(key) if self.fault else None
        if status is not None:
            self.faulted += 1
            return status, json.dumps({"error": {"message": f"scripted fault {status}"}})
        hit = self.table.get(key)
        if hit is None:
            self.misses += 1
            return 404, json.dumps({"error": {"message": "no recorded interaction for this request"}})
        self.hits[key] += 1
        return hit

    def start(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: str) -> None:
                raw = body.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": server.model, "object": "model"}]}))
                else:
                    self._send(200 if self.path.endswith("/health") else 404, json.dumps({"status": "ok"}))

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if server.delay:
                    time.sleep(server.delay)
                self._send(*server.answer(raw))

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
