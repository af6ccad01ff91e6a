"""Settings resolved in one place: explicit flag > environment variable > embedded default.

Why: the CLI, the eval runner and the tests all need the same answer to "which server, which model, which
key", and a bad value must fail with a message that names the variable it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DUMMY_KEY = "sk-local-no-key"  # local servers accept any key; the OpenAI client insists on one
MODES = ("JSON_SCHEMA", "JSON", "MD_JSON", "TOOLS")
# The questions the model can be asked. None is asked by default: a question is asked only after a live
# measurement shows the model winning it, and the packaged model lost every one (README, Evals): category,
# pooled over the 12 notices of 7 gold sets where it is asked, 0.818 against the rules' 0.841.
QUESTIONS = ("category",)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names where it came from."""


@dataclass(frozen=True)
class Settings:
    base_url: str | None  # None: start the embedded local server
    api_key: str
    model: str | None  # None: whatever the embedded server serves
    mode: str = "JSON_SCHEMA"
    concurrency: int = 2
    max_tokens: int = 1024  # upper bound; each chunk gets a budget sized to its closed answer
    timeout: float = 180.0
    reasks: int = 2  # re-asks on validation errors (instructor)
    net_retries: int = 4  # retries on transient network faults (tenacity)
    retry_budget: float = 300.0  # seconds: no network retry starts after this much time on one chunk
    backoff_base: float = 1.0  # seconds before the first network retry; doubles on each further one
    backoff_cap: float = 30.0  # seconds: the longest wait between two network retries
    max_retry_after: float = 60.0  # seconds: a server's Retry-After is honoured up to this
    prompt_version: str = "v2"
    # a server that stops answering (agent.outage): consecutive connection failures, across chunks, before
    # xuncha stops sending and probes its health instead; the first probe after probe_interval seconds,
    # backing off to 5 × that; give up on a --base-url server after server_wait seconds down
    breaker_threshold: int = 3
    probe_interval: float = 3.0
    server_wait: float = 600.0
    outage_retries: int = 5  # times one chunk is sent again because the server went down under it
    max_restarts: int = 5  # restarts of the embedded server in a row without it answering a request
    # the rules' half of one notice runs in a worker process and is stopped past this many seconds (a real
    # notice takes well under one; 0: no budget); processes: rule workers (None: one per core)
    notice_timeout: float = 120.0
    processes: int | None = None
    ask: tuple[str, ...] = ()  # the questions the model is asked (QUESTIONS); none: the rules answer everything

    @property
    def embedded(self) -> bool:
        return self.base_url is None


def _pick(flag: str | None, flag_name: str, *names: str) -> tuple[str | None, str]:
    """The value and where it came from: the flag (named as typed, e.g. ``--base-url``), else the first
    environment variable set; the flag's name when neither is, for messages about the default."""
    if flag is not None:
        return flag, flag_name
    for name in names:
        val = os.environ.get(name)
        if val:
            return val, name
    return None, flag_name


def _int(value: str | int | None, source: str, default: int, lo: int = 1) -> int:
    if value is None:
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source} must be a whole number, got {value!r}") from None
    if n < lo:
        raise ConfigError(f"{source} must be at least {lo}, got {n}")
    return n


def _seconds(value: str | None, source: str, default: float, lo: float = 0.0) -> float:
    if value is None:
        return default
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source} must be a number of seconds, got {value!r}") from None
    if not x >= lo or x == float("inf"):  # also refuses nan
        raise ConfigError(f"{source} must be a number of seconds ≥ {lo:g}, got {value!r}")
    return x


def resolve(
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    mode: str | None = None,
    concurrency: int | None = None,
    max_tokens: int | None = None,
    prompt_version: str | None = None,
    server_wait: float | None = None,
    notice_timeout: float | None = None,
    processes: int | None = None,
    ask: str | None = None,
) -> Settings:
    url, url_src = _pick(base_url, "--base-url", "XUNCHA_BASE_URL", "OPENAI_BASE_URL")
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url_src} must start with http:// or https://, got {url!r}")
    key, _ = _pick(api_key, "--api-key", "XUNCHA_API_KEY", "OPENAI_API_KEY")
    model_name, _ = _pick(model, "--model", "XUNCHA_MODEL")
    mode_name, mode_src = _pick(mode, "--mode", "XUNCHA_MODE")
    mode_name = (mode_name or "JSON_SCHEMA").upper()
    if mode_name not in MODES:
        raise ConfigError(f"{mode_src} must be one of {', '.join(MODES)}, got {mode_name!r}")
    conc_val, conc_src = _pick(None if concurrency is None else str(concurrency), "--concurrency", "XUNCHA_CONCURRENCY")
    mt_val, mt_src = _pick(None if max_tokens is None else str(max_tokens), "--max-tokens", "XUNCHA_MAX_TOKENS")
    version, _ = _pick(prompt_version, "--prompt-version", "XUNCHA_PROMPT_VERSION")
    sw_val, sw_src = _pick(None if server_wait is None else str(server_wait), "--server-wait", "XUNCHA_SERVER_WAIT")
    pi_val, pi_src = _pick(None, "XUNCHA_PROBE_INTERVAL", "XUNCHA_PROBE_INTERVAL")
    nt_val, nt_src = _pick(None if notice_timeout is None else str(notice_timeout), "--notice-timeout", "XUNCHA_NOTICE_TIMEOUT")
    pr_val, pr_src = _pick(None if processes is None else str(processes), "--processes", "XUNCHA_PROCESSES")
    ask_val, ask_src = _pick(ask, "--ask", "XUNCHA_ASK")
    return Settings(
        base_url=url.rstrip("/") if url else None,
        api_key=key or DUMMY_KEY,
        model=model_name,
        mode=mode_name,
        concurrency=_int(conc_val, conc_src, 2),
        max_tokens=_int(mt_val, mt_src, 1024, lo=16),
        prompt_version=version or "v2",
        server_wait=_seconds(sw_val, sw_src, 600.0),
        probe_interval=_seconds(pi_val, pi_src, 3.0, lo=0.05),
        notice_timeout=_seconds(nt_val, nt_src, 120.0),
        processes=None if pr_val is None else _int(pr_val, pr_src, 1, lo=0),
        ask=_questions(ask_val, ask_src),
    )


def _questions(value: str | None, source: str) -> tuple[str, ...]:
    """``category`` (or several, comma-separated); ``none`` or empty: nothing is asked."""
    names = tuple(n.strip() for n in (value or "").split(",") if n.strip() and n.strip() != "none")
    unknown = [n for n in names if n not in QUESTIONS]
    if unknown:
        raise ConfigError(f"{source} must name questions among {', '.join(QUESTIONS)} (or none), got {unknown[0]!r}")
    return tuple(dict.fromkeys(names))


# --- paths and switches read from the environment: each in one place, named in its own error ----------------


def cache_dir() -> Path:
    """``XUNCHA_CACHE_DIR``, else ``~/.cache/xuncha``: the joined model file, the native server, eval calls."""
    return Path(os.environ.get("XUNCHA_CACHE_DIR") or Path.home() / ".cache" / "xuncha")


def model_path() -> Path | None:
    """``XUNCHA_MODEL_PATH``: a GGUF to serve instead of the packaged one."""
    given = os.environ.get("XUNCHA_MODEL_PATH")
    return Path(given) if given else None


def prompts_dir() -> Path | None:
    """``XUNCHA_PROMPTS_DIR``: a folder of prompt versions instead of the repository's ``prompts/``."""
    given = os.environ.get("XUNCHA_PROMPTS_DIR")
    return Path(given) if given else None


def llama_server_choice() -> str | None:
    """``XUNCHA_LLAMA_SERVER``: a ``llama-server`` binary to run, or ``wheel`` for the xllamacpp runner."""
    return os.environ.get("XUNCHA_LLAMA_SERVER") or None


def store_path(flag: Path | None, default: Path) -> Path:
    """``--db``, else ``XUNCHA_DB``, else the store beside the output."""
    return flag or (Path(os.environ["XUNCHA_DB"]) if os.environ.get("XUNCHA_DB") else default)


def quiet(flag: bool) -> bool:
    """``--quiet``, else ``XUNCHA_QUIET``."""
    return flag or bool(os.environ.get("XUNCHA_QUIET"))
