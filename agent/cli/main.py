"""The ``xuncha`` command line: a thin layer over ``pipeline``, ``server`` and ``sinks``.

Options come from flags, then environment variables, then the embedded defaults (``config.resolve``).
Exit codes: 0 every notice succeeded, 1 some failed (their errors are in the output and on stderr),
2 usage or configuration errors.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from agent import config
from agent.batch.store import Store, default_db
from agent.cli.batch import batch_app
from agent.cli.console import err, error, say, warning
from agent.cli.evals import eval_cmd, first_sight_cmd, train_cmd
from agent.cli.report import report_cmd
from agent.config import ConfigError, Settings, resolve
from agent.output.sinks import JsonlSink, export_schemas
from agent.text.finder import find_notice_files

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Structure Chinese inspection notices into grounded JSON.")


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class Table(str, Enum):
    records = "records"
    notice_facts = "notice_facts"
    problems = "problems"
    figures = "figures"
    checks = "checks"


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
app.add_typer(batch_app, name="batch")
app.command("eval")(eval_cmd)
app.command("first-sight")(first_sight_cmd)
app.command("train")(train_cmd)
app.command("report")(report_cmd)


@app.command("structure")
def structure_cmd(
    paths: Annotated[list[str], typer.Argument(help="notice files, folders or globs")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSONL output, mirrored from the store: one line per notice")],
    db: Annotated[Path | None, typer.Option(help="SQLite store [env XUNCHA_DB]; default: OUT with the suffix .db")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL [env XUNCHA_BASE_URL, OPENAI_BASE_URL]; default: embedded local server")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key [env XUNCHA_API_KEY, OPENAI_API_KEY]")] = None,
    model: Annotated[str | None, typer.Option(help="model name [env XUNCHA_MODEL]")] = None,
    mode: Annotated[str | None, typer.Option(help="instructor mode: JSON_SCHEMA, JSON, MD_JSON, TOOLS [env XUNCHA_MODE]")] = None,
    concurrency: Annotated[int | None, typer.Option(help="requests in flight (default: 2, the embedded server's slots)")] = None,
    workers: Annotated[int, typer.Option(help="notices in flight (their chunks share --concurrency)")] = 4,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="rules only: outline, figures, reconcile; no model")] = False,
    ask: Annotated[str | None, typer.Option(help="questions the model is asked: category, or none (the default: no question has been measured to win) [env XUNCHA_ASK]")] = None,
    force: Annotated[bool, typer.Option(help="redo notices the store already has")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="send every chunk again, even one the store answered before")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary; errors only [env XUNCHA_QUIET]")] = False,
    log_json: Annotated[bool, typer.Option("--log-json", help="one JSON object per event on stderr, and a JSON summary")] = False,
    engine: Annotated[Engine, typer.Option(help="local (asyncio, this process) or ray (Ray Data; --workers actors, --concurrency requests each)")] = Engine.local,
    ray_address: Annotated[str | None, typer.Option(help="with --engine ray: a cluster (auto or HOST:PORT); default: local mode")] = None,
    server_wait: Annotated[float | None, typer.Option(help="seconds to wait for a --base-url server that stopped answering before ending the batch (default 600) [env XUNCHA_SERVER_WAIT]")] = None,
    notice_timeout: Annotated[float | None, typer.Option(help="seconds the rules may spend on one notice before it is failed with the stage it was in (default 120; 0: no budget) [env XUNCHA_NOTICE_TIMEOUT]")] = None,
    processes: Annotated[int | None, typer.Option(help="rule worker processes (default: one per core; 0: the rules in this process, without a budget) [env XUNCHA_PROCESSES]")] = None,
) -> None:
    """Structure notices into one JSON record each; a rerun resumes where the last one stopped."""
    try:
        settings = resolve(base_url, api_key, model, mode, concurrency, server_wait=server_wait,
                           notice_timeout=notice_timeout, processes=processes, ask=ask)
    except ConfigError as exc:
        _error(log_json, str(exc))
        raise typer.Exit(2) from None
    unread: list[tuple[str, str]] = []
    files = find_notice_files(paths, unread)
    if not files:
        why = f": {len(unread)} files not read, e.g. {unread[0][0]}: {unread[0][1]}" if unread else ""
        _error(log_json, f"no notice files in {' '.join(paths)}{why}")
        raise typer.Exit(2)
    db_path = config.store_path(db, default_db(out))
    quiet = config.quiet(quiet)
    opts = {"no_llm": no_llm or not settings.ask, "force": force, "cache": not no_cache, "quiet": quiet, "log_json": log_json, "workers": workers,
            "engine": engine.value, "ray_address": ray_address, "unread": unread}
    if not no_llm and not settings.ask and not quiet:
        _note(opts, NOTHING_ASKED, "nothing_asked")
    code = asyncio.run(_structure(files, out, db_path, settings, opts))
    raise typer.Exit(code)


# why a default run starts no model server (agent.config.QUESTIONS)
NOTHING_ASKED = ("the model is asked nothing: measured live, the rules beat it on every question (README, Evals), so no "
                 "server is started; --ask category asks it the category of findings whose words fit several classes")


def _error(log_json: bool, message: str, **data: Any) -> None:
    """An error of the structure command: a red line, or with --log-json a JSON event like the others."""
    if log_json:
        event = {"ts": round(time.time(), 3), "event": "error", "message": message, **data}
        sys.stderr.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stderr.flush()
    else:
        error(message)


async def _model_client(settings: Settings, opts: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(extractor, embedded server or None, gate) for a model run; raises typer.Exit(2) with one line.

    The gate watches the server for the local engine: a Supervisor restarts the embedded server, a Breaker
    waits out a --base-url server (agent.outage)."""
    from agent.llm.extract import Extractor, resolve_model
    from agent.outage import Breaker, Gate
    from agent.record.prompts import load

    server = None
    gate: Gate | None = None
    base_url, model_name = settings.base_url, settings.model
    if settings.embedded:
        from agent.llm.server import ServerError, start_embedded
        from agent.llm.supervisor import Supervisor

        say = None if opts["quiet"] else (lambda m: _note(opts, m, "server_starting"))
        try:
            server = start_embedded(settings, say=say)
        except ServerError as exc:
            _error(opts["log_json"], str(exc))
            raise typer.Exit(2) from None
        base_url, model_name = server.base_url, model_name or server.model_name
        gate = Supervisor(server, settings) if opts["engine"] == "local" else None
    elif opts["engine"] == "local":
        assert base_url is not None
        gate = Breaker(base_url, settings.breaker_threshold, settings.server_wait, settings.probe_interval)
    assert base_url is not None
    if not model_name:
        try:
            model_name = await resolve_model(base_url, settings.api_key)
        except Exception as exc:  # noqa: BLE001 - any failure here is "cannot ask the server"
            if server is not None:
                server.stop()
            _error(opts["log_json"], f"cannot list the models of {base_url} ({type(exc).__name__}): is the server "
                   "running? Pass --model (XUNCHA_MODEL) to skip this check")  # fmt: skip
            raise typer.Exit(2) from None
    return Extractor(settings, base_url, model_name, load(settings.prompt_version), gate=gate), server, gate


def _note(opts: dict[str, Any], message: str, event: str) -> None:
    if opts["log_json"]:
        sys.stderr.write(json.dumps({"ts": round(time.time(), 3), "event": event, "message": message}, ensure_ascii=False) + "\n")
    else:
        say(message)


def _stopped(stats: Any, gone: Any, log_json: bool) -> None:
    """The one line that ends a batch whose model server did not come back."""
    left = stats.total - stats.finished
    message = (f"the model server at {gone.url} has been down for {gone.down_seconds:.0f} s ({gone.reason}): stopped "
               f"with {left} of {stats.total} notices left; rerun the same command to resume")  # fmt: skip
    _error(log_json, message, url=gone.url, down_seconds=round(gone.down_seconds, 1), left=left)


def _log_filters(extractor: Any) -> list[Any]:
    """The API key never reaches a log line (without a model, the LLM layer is not even imported)."""
    if extractor is None:
        return []
    from agent.llm.extract import redaction

    return [redaction()]


def _watch_server(reporter: Any, server: Any, gate: Any) -> None:
    """From here on the server's ups and downs are events on the bar or in the JSON log."""
    if server is not None:
        reporter.event("server_started", {"url": server.base_url, "pid": server.pid,
                                          "seconds": round(server.startup_seconds or 0, 1)})  # fmt: skip
    if gate is not None:
        gate.on_event = reporter.event
        gate.start()


async def _run_ray(files: list[str], store: Store, sink: JsonlSink, settings: Settings, opts: dict[str, Any],
                   extractor: Any, server: Any, reporter: Any) -> Any:  # fmt: skip
    from agent.batch.engine_ray import RayUnavailable, run_ray

    if extractor is not None:
        await extractor.close()  # the actors bring their own clients
    try:
        return run_ray(files, store, settings, (server.base_url if server else settings.base_url) if extractor else None,
                       extractor.model if extractor else None,
                       extractor.prompts if extractor else None, address=opts["ray_address"], sink=sink,
                       use_cache=opts["cache"], force=opts["force"], workers=opts["workers"], argv=sys.argv[1:],
                       on_event=reporter.event, on_start=reporter.attach, unread=opts["unread"])
    except RayUnavailable as exc:
        _error(opts["log_json"], str(exc))
        raise typer.Exit(2) from None


async def _structure(files: list[str], out: Path, db_path: Path, settings: Settings, opts: dict[str, Any]) -> int:
    from agent.batch.progress import Reporter, summary_json, summary_table
    from agent.batch.runner import Runner, mirror_jsonl
    from agent.batch.workers import default_processes
    from agent.record.prompts import load

    extractor = server = gate = stopped = None
    store = Store(db_path)
    sink = JsonlSink(out)
    expect = None
    if not opts["no_llm"] and settings.embedded and not opts["force"] and opts["engine"] == "local":
        from agent.batch.runner import nothing_to_do
        from agent.llm.modelfile import embedded_model_name

        candidate = (settings.model or embedded_model_name(), load(settings.prompt_version).version)
        expect = candidate if nothing_to_do(store, files, *candidate) else None  # a finished batch needs no server
    try:
        if not opts["no_llm"] and expect is None:
            extractor, server, gate = await _model_client(settings, opts)
        show = not opts["quiet"] and not opts["log_json"] and len(files) > 1
        with Reporter(err, show=show, log_json=opts["log_json"], notes=not opts["quiet"]) as reporter:
            with reporter.capture_logs(*_log_filters(extractor)):
                _watch_server(reporter, server, gate)
                if opts["engine"] == "ray":
                    stats = await _run_ray(files, store, sink, settings, opts, extractor, server, reporter)
                else:
                    runner = Runner(store, extractor, sink=sink, use_cache=opts["cache"], force=opts["force"],
                                    workers=opts["workers"], on_event=reporter.event, expect=expect,
                                    processes=default_processes() if settings.processes is None else settings.processes,
                                    notice_timeout=settings.notice_timeout or None)
                    reporter.attach(runner.stats)
                    stats = await runner.run(files, sys.argv[1:], opts["unread"])
                    stopped = runner.stopped
                if gate is not None:
                    stats.server = gate.report()
        sink.close()
        mirror_jsonl(store, out)
        if stopped is not None and opts["log_json"]:  # the summary stays the last JSON line
            _stopped(stats, stopped, log_json=True)
        if opts["log_json"]:
            sys.stderr.write(json.dumps(summary_json(stats), ensure_ascii=False) + "\n")
        elif not opts["quiet"]:
            err.print(summary_table(stats, str(out), str(db_path)))
        if stopped is not None and not opts["log_json"]:  # the last line a person sees
            _stopped(stats, stopped, log_json=False)
        return 1 if stopped is not None or stats.failed or stats.partial else 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    finally:
        sink.close()
        if gate is not None:
            await gate.aclose()
        if extractor is not None:
            await extractor.close()
        if server is not None:
            server.stop()
        store.close()


@app.command("export")
def export_cmd(
    db: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="the SQLite store of a structure run")],
    fmt: Annotated[Format, typer.Option("--format", help="jsonl (one record per notice) or csv (one row per problem)")] = Format.jsonl,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="output file (default: standard output)")] = None,
    table: Annotated[Table, typer.Option(help="records (whole records; CSV: one row per problem), or one flat table of the store")] = Table.records,
) -> None:
    """Write the store's records as JSONL, or as CSV for a spreadsheet; or one of its flat tables."""
    from agent.output.sinks import write_csv, write_jsonl, write_table

    def write(fh: IO[str]) -> int:
        if table != Table.records:
            return write_table(*store.table(table.value), fh, fmt.value)
        return (write_csv if fmt == "csv" else write_jsonl)(store.records(), fh)

    with Store(db) as store:
        if out is None:
            n = write(sys.stdout)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
                n = write(fh)
    say(f"{n} {'rows' if fmt == 'csv' or table != Table.records else 'records'} → {out or 'stdout'}")


@app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: pick a free one)")] = 8080,
    slots: Annotated[int, typer.Option(help="parallel slots")] = 2,
    ctx: Annotated[int, typer.Option(help="context tokens across all slots")] = 8192,
) -> None:
    """Run the embedded llama.cpp server in the foreground."""
    from agent.llm.server import ServerError, serve_foreground

    try:
        serve_foreground(port=port, slots=slots, ctx=ctx)
    except ServerError as exc:
        error(str(exc))
        raise typer.Exit(2) from None


@app.command("schema")
def schema_cmd(out_dir: Annotated[Path, typer.Argument()] = Path("schemas")) -> None:
    """Export the JSON Schema files of the record and of the model's answers."""
    for path in export_schemas(out_dir):
        typer.echo(str(path))


@app.command("show")
def show_cmd(path: Path, index: int = 0) -> None:
    """Print one record of a JSONL file without its text, for a quick look."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[index])
    rec.pop("text", None)
    sys.stdout.write(json.dumps(rec, ensure_ascii=False, indent=1) + "\n")


@app.command("review")
def review_cmd(
    source: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, help="JSONL file of records (from `xuncha structure`)")] = None,
    db: Annotated[Path | None, typer.Option("--db", exists=True, dir_okay=False, help="read the records from this store instead")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="the HTML page to write")] = Path("review.html"),
) -> None:
    """Write one self-contained HTML page to review records against their text."""
    from agent.output.review import load_records, render_review

    if (source is None) == (db is None):
        error("give either a JSONL file or --db PATH")
        raise typer.Exit(2)
    if db is not None:
        from agent.batch.store import Store

        with Store(db) as store:
            records = list(store.records())
    else:
        assert source is not None
        records, bad = load_records(source)
        for msg in bad:
            warning(f"skipped {msg}")
    if not records:
        error(f"no records in {db or source}")
        raise typer.Exit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_review(records), encoding="utf-8")
    say(f"{len(records)} notices, {sum(len(r.problems) for r in records)} problems → {out}")


if __name__ == "__main__":
    app()
