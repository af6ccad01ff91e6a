"""Start-up faults of the embedded server, and its loopback-only binding, without loading a real model.

Why: the first thing a new user runs starts the embedded server, so each way that can fail (port taken,
model corrupt or with the wrong sha256, too little memory, no server binary, a binary that cannot run or
dies while loading) must end as one single-line ``ServerError`` naming the cause and the fix, and
``xuncha eval`` must turn it into ``error: …`` and exit code 2. The server serves a model with no
authentication, so it binds 127.0.0.1 and refuses any other host. Models are fake files in ``tmp_path``;
server binaries are tiny scripts.
"""

from __future__ import annotations

import signal
import socket
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.config import resolve
from agent.llm import modelfile, server
from agent.llm.server import LocalServer, ServerError


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("XUNCHA_MODEL_PATH", "XUNCHA_BASE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(server, "mem_available", lambda: 8 * 2**30)


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.gguf"
    p.write_bytes(b"GGUF not really")
    return p


def script_server(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Replace the server binary by ``python -c code``."""
    monkeypatch.setattr(server, "server_command", lambda *a, **k: [sys.executable, "-c", code])


def one_line(exc: pytest.ExceptionInfo[ServerError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg.strip() == msg
    return msg


# ------------------------------------------------------------------------------------------ port


def test_port_taken(fake_model: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServerError) as e:
            LocalServer(port=port, model_path=fake_model).start()
    assert one_line(e) == f"port {port} on 127.0.0.1 is taken: pass --port 0 or free it"


def test_port_taken_by_the_time_the_server_binds(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A race after the free-port pick: llama.cpp's own bind error is recognised and explained."""
    script_server(monkeypatch, "import sys; print('main: couldn\\'t bind HTTP server socket, hostname: 127.0.0.1'); sys.exit(1)")
    srv = LocalServer(model_path=fake_model, startup_timeout=30)
    with pytest.raises(ServerError) as e:
        srv.start()
    msg = one_line(e)
    assert msg.startswith("server exited during start-up with code 1: main: couldn't bind")
    assert "its port was taken: rerun (a free port is picked) or pass --port" in msg
    assert f"(full log: {srv.log_path})" in msg and not srv.running()


# ------------------------------------------------------------------------------------------ model file


def test_model_file_that_is_not_gguf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "model.gguf"
    page.write_bytes(b"<html>404 Not Found</html>")  # a download that saved an error page
    monkeypatch.setenv("XUNCHA_MODEL_PATH", str(page))
    monkeypatch.setattr(server, "server_command", lambda *a, **k: pytest.fail("started with a corrupt model"))
    with pytest.raises(ServerError) as e:
        LocalServer().start()
    assert one_line(e) == (
        f"model file {page} is not a GGUF model (it starts with b'<htm'): it is corrupt or not a model; "
        "point XUNCHA_MODEL_PATH at a .gguf file, or delete it and rerun"
    )


def test_empty_model_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.touch()
    with pytest.raises(ServerError, match=r"is not a GGUF model \(it starts with b''\)"):
        LocalServer(model_path=empty).start()


def test_default_model_with_wrong_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "cache" / "models" / f"{server.DEFAULT_MODEL_NAME}.gguf"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"GGUF but cut short")
    monkeypatch.setattr(server, "server_command", lambda *a, **k: pytest.fail("started with a bad model"))
    with pytest.raises(ServerError) as e:
        LocalServer().start()
    msg = one_line(e)
    assert msg.startswith(f"model {bad} has sha256 ") and msg.endswith(f"expected {modelfile.MODEL_SHA256}: delete it and rerun")


def test_model_the_server_cannot_load(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script_server(monkeypatch, "import sys; print('gguf_init_from_file_impl: invalid magic characters', file=sys.stderr); "
                               "print('llama_model_load: error loading model', file=sys.stderr); sys.exit(1)")  # fmt: skip
    with pytest.raises(ServerError) as e:
        LocalServer(model_path=fake_model, startup_timeout=30).start()
    msg = one_line(e)
    assert "exited during start-up with code 1: llama_model_load: error loading model" in msg
    assert "the model file could not be loaded: delete it and rerun, or fix XUNCHA_MODEL_PATH" in msg
    assert "invalid magic characters" in e.value.detail  # the whole tail is kept, off the line


# ------------------------------------------------------------------------------------------ memory


def test_not_enough_memory_is_injectable(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "server_command", lambda *a, **k: pytest.fail("started without memory"))
    with pytest.raises(ServerError) as e:
        LocalServer(model_path=fake_model, memory=lambda: 2**29).start()
    assert one_line(e) == (
        "not enough memory: need ~1.5 GiB free, have 0.5 GiB: "
        "close other programs or point XUNCHA_BASE_URL at a server elsewhere"
    )


def test_memory_need_grows_with_the_model(tmp_path: Path) -> None:
    big = tmp_path / "big.gguf"
    with big.open("wb") as f:
        f.write(b"GGUF")
        f.truncate(3 * 2**30)  # sparse: no disk used
    assert server.memory_needed(big) == 3 * 2**30 + 2**29
    server.check_memory(server.memory_needed(big), 4 * 2**30)
    with pytest.raises(ServerError, match=r"need ~3.5 GiB free, have 3.0 GiB"):
        server.check_memory(server.memory_needed(big), 3 * 2**30)
    server.check_memory(server.MIN_FREE_MEMORY, None)  # unknown (no /proc/meminfo): no refusal


def test_out_of_memory_while_loading(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script_server(monkeypatch, "import sys; print('ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer'); sys.exit(1)")
    with pytest.raises(ServerError, match=r"it ran out of memory: close other programs or use a smaller --ctx"):
        LocalServer(model_path=fake_model, startup_timeout=30).start()


def test_killed_while_loading(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the kernel's OOM killer does: SIGKILL, no output."""
    script_server(monkeypatch, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    with pytest.raises(ServerError) as e:
        LocalServer(model_path=fake_model, startup_timeout=30).start()
    assert one_line(e).startswith(f"server was killed by {signal.SIGKILL.name} during start-up: (no output)")


# ------------------------------------------------------------------------------------------ binary


def test_server_binary_that_cannot_run(tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "bin" / "llama-server"
    exe.parent.mkdir()
    exe.write_bytes(b"\x7fELF\x02\x01\x01 not a real binary")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(exe.parent))
    with pytest.raises(ServerError) as e:
        LocalServer(model_path=fake_model).start()
    msg = one_line(e)
    assert msg.startswith(f"could not run the model server {exe} (Exec format error): reinstall it or remove it from PATH")
    assert "pip install -e '.[local]'" in msg


def test_no_server_binary_at_all(tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no llama-server
    monkeypatch.setattr(server.importlib.util, "find_spec", lambda name: None)  # and no xllamacpp
    with pytest.raises(ServerError) as e:
        LocalServer(model_path=fake_model).start()
    assert one_line(e) == (
        "no model server: llama-server is not on PATH and xllamacpp is not installed: run pip install -e '.[local]'"
    )


def test_xllamacpp_refusing_to_start(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], xllamacpp_installed: None) -> None:
    seen: dict[str, object] = {}

    class Params:
        def __init__(self) -> None:
            self.model = types.SimpleNamespace(path="")
            self.cpuparams = types.SimpleNamespace(n_threads=0)
            self.cpuparams_batch = types.SimpleNamespace(n_threads=0)

    def refuse(p: Params) -> None:
        seen.update(hostnames=p.hostnames, port=p.port)  # type: ignore[attr-defined]
        raise RuntimeError("failed to load model")

    monkeypatch.setattr(server.shutil, "which", lambda _: None)
    cmd = server.server_command(Path("/m/x.gguf"), 4321, 2, 8192, 2)
    monkeypatch.setitem(sys.modules, "xllamacpp", types.SimpleNamespace(CommonParams=Params, Server=refuse))
    monkeypatch.setattr(server.signal, "signal", lambda *a: None)
    assert server.main(cmd[3:]) == 1
    assert seen == {"hostnames": ["127.0.0.1"], "port": 4321}  # the child binds the loopback only
    assert "xllamacpp failed to start: failed to load model" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ loopback only


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "localhost.example.com"])
def test_only_the_loopback_is_served(host: str, fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ServerError, match=rf"listens on 127.0.0.1 only, not '{host}'"):
        LocalServer(host=host, model_path=fake_model)
    with pytest.raises(ServerError, match="127.0.0.1 only"):
        server.server_command(fake_model, 4321, 2, 8192, 2, host=host)
    monkeypatch.setattr(server, "_run_xllamacpp", lambda a: pytest.fail("child started on another host"))
    with pytest.raises(SystemExit) as e:
        server.main(["--model", str(fake_model), "--port", "4321", "--host", host])
    assert e.value.code == 2


def test_server_binds_the_loopback(tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch, xllamacpp_installed: None) -> None:
    exe = tmp_path / "bin" / "llama-server"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    for path in (str(exe.parent), str(tmp_path / "empty")):  # llama-server, then the xllamacpp runner
        monkeypatch.setenv("PATH", path)
        cmd = server.server_command(fake_model, 4321, 2, 8192, 2)
        assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    srv = LocalServer(model_path=fake_model)
    assert srv.host == "127.0.0.1" and srv.base_url.startswith("http://127.0.0.1:")


# ------------------------------------------------------------------------------------------ commands


def test_start_embedded_starts_and_names_what_it_does(fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    code = ("import sys\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\n"
            "class H(BaseHTTPRequestHandler):\n"
            "    def do_GET(self): self.send_response(200); self.end_headers()\n"
            "    def log_message(self, *a): pass\n"
            "HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n")  # fmt: skip
    monkeypatch.setattr(server, "server_command", lambda m, port, *a, **k: [sys.executable, "-c", code, str(port)])
    monkeypatch.setenv("XUNCHA_MODEL_PATH", str(fake_model))
    srv = server.start_embedded(resolve(concurrency=3), say=said.append)
    try:
        assert srv.running() and srv.slots == 3 and srv.base_url.startswith("http://127.0.0.1:")
        assert said == ["starting the embedded model server (llama.cpp, Qwen2.5-Coder-1.5B) …"]
    finally:
        srv.stop()


def test_eval_live_turns_a_start_up_error_into_exit_code_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "broken.gguf"
    model.write_bytes(b"\x00\x00\x00\x00 [not] a model")  # brackets: rich markup must not eat them
    monkeypatch.setenv("XUNCHA_MODEL_PATH", str(model))
    res = CliRunner().invoke(app, ["eval", "--out", str(tmp_path / "report")])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "is not a GGUF model" in lines[0] and "delete it and rerun" in lines[0]
    assert not (tmp_path / "report").exists()


def test_eval_live_not_enough_memory(tmp_path: Path, fake_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNCHA_MODEL_PATH", str(fake_model))
    monkeypatch.setattr(server, "mem_available", lambda: 2**28)
    res = CliRunner().invoke(app, ["eval", "--out", str(tmp_path / "report")])
    assert res.exit_code == 2
    assert "error: not enough memory: need ~1.5 GiB free, have 0.2 GiB" in res.output
    assert "Traceback" not in res.output
