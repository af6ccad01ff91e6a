"""A real HTTP server on 127.0.0.1 that answers chat requests from the cassettes recorded from the embedded server.

Why: vcrpy replays inside one process; a batch killed with a signal, a Ray worker or an OpenAI-Batch
round-trip runs in other processes, so they need recorded answers over a real socket. Requests match on
the JSON body (as vcrpy's body matcher does), the response is the recorded one byte for byte, an unknown
request gets a 404 and is counted as a miss, so a test can assert that nothing unrecorded was asked.
Nothing here is a fake completion: every reply was recorded from the real llama.cpp server (but see
``--fill`` below).

Run as a child process (``python -m tests.replay_server --port N``), it is a server a test can SIGKILL and
start again on the same port: an external model server that goes away and comes back. It prints
``ready <base_url>`` on stdout once it listens. Tests of the transport alone (a server going away) may add
``--fill``: a request with no recording then gets the first valid answer of its own response schema
instead of a 404, so those tests do not depend on the cassettes matching today's prompts and chunks. Such
an answer is a placeholder, never an extraction result to check.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
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


def schema_example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The first valid value of a (pydantic-made) JSON Schema: enums take their first member."""
    if "$ref" in schema:
        return schema_example(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return schema_example(schema["anyOf"][-1], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: schema_example(v, defs) for k, v in schema.get("properties", {}).items()}
    return {"string": "用途", "integer": 0, "null": None}.get(kind, None)


def placeholder(body: dict[str, Any], model: str) -> str:
    """A chat completion whose content is the first valid answer of the request's JSON schema."""
    schema = body["response_format"]["json_schema"]["schema"]
    content = json.dumps(schema_example(schema, schema.get("$defs", {})), ensure_ascii=False)
    return json.dumps({
        "id": "placeholder", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }, ensure_ascii=False)  # fmt: skip


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
                 fault: Callable[[str], int | None] | None = None, port: int = 0, fill: bool = False) -> None:
        self.port, self.fill = port, fill
        self.filled = 0
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
        if hit is None and self.fill:
            try:
                answer = placeholder(json.loads(raw), self.model)
            except (KeyError, TypeError, ValueError):
                pass
            else:
                self.filled += 1
                return 200, answer
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

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
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


class ReplayChild:
    """The replay server in a child process: a model server a test can SIGKILL and start again on its port.

    It has what ``agent.llm.supervisor`` needs of an embedded server (``restart``, ``running``, ``pid``, …), so
    a test can hand it to the CLI in place of the llama.cpp server.
    """

    def __init__(self, port: int = 0, delay: float = 0.0, fill: bool = True, model: str = EMBEDDED_MODEL) -> None:
        self.port = port or _free_port()
        self.delay, self.fill, self.model_name = delay, fill, model
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0
        self.startup_seconds: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> ReplayChild:
        t0 = time.monotonic()
        cmd = [sys.executable, "-m", "tests.replay_server", "--port", str(self.port), "--delay", str(self.delay)]
        self.proc = subprocess.Popen([*cmd, *(["--fill"] if self.fill else [])], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"the replay server did not start on port {self.port}: {line!r}")
        self.starts += 1
        self.startup_seconds = time.monotonic() - t0
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_status(self) -> str:
        if self.proc is None:
            return "not started"
        code = self.proc.poll()
        return "running" if code is None else f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"

    def kill(self) -> None:
        """SIGKILL, as the OOM killer would: no chance to close anything."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self) -> ReplayChild:
        self.stop()
        return self.start()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> ReplayChild:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.replay_server", description="serve the recorded answers")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    ap.add_argument("--fill", action="store_true", help="answer an unrecorded request with a placeholder")
    args = ap.parse_args(argv)
    server = ReplayServer(delay=args.delay, port=args.port, fill=args.fill).start()
    print(f"ready {server.base_url}", flush=True)
    threading.Event().wait()  # until killed
    return 0


if __name__ == "__main__":
    sys.exit(main())
