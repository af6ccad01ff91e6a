"""The ``xuncha`` command line: a thin layer over ``pipeline``, ``server`` and ``sinks``.

Options come from flags, then environment variables, then the embedded defaults (``config.resolve``).
Exit codes: 0 every notice succeeded, 1 some failed (their errors are in the output and on stderr),
2 usage or configuration errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from agent.cli_batch import batch_app
from agent.config import ConfigError, Settings, resolve
from agent.finder import find_notice_files
from agent.sinks import JsonlSink, export_schemas
from agent.store import Store, default_db

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Structure Chinese inspection notices into grounded JSON.")
# soft_wrap: an error line naming a file stays one line on stderr (rich would cut it at the terminal
# width, or at 80 columns off a terminal) so a log can be grepped for the file name
err = Console(stderr=True, soft_wrap=True)
app.add_typer(batch_app, name="batch")


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
    force: Annotated[bool, typer.Option(help="redo notices the store already has")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="send every chunk again, even one the store answered before")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary; errors only [env XUNCHA_QUIET]")] = False,
    log_json: Annotated[bool, typer.Option("--log-json", help="one JSON object per event on stderr, and a JSON summary")] = False,
    engine: Annotated[str, typer.Option(help="local (asyncio, this process) or ray (Ray Data; --workers actors, --concurrency requests each)")] = "local",
    ray_address: Annotated[str | None, typer.Option(help="with --engine ray: a cluster (auto or HOST:PORT); default: local mode")] = None,
) -> None:
    """Structure notices into one JSON record each; a rerun resumes where the last one stopped."""
    try:
        settings = resolve(base_url, api_key, model, mode, concurrency)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    files = find_notice_files(paths)
    if not files:
        err.print(f"[red]error:[/red] no files matched {' '.join(paths)}")
        raise typer.Exit(2)
    db_path = db or (Path(os.environ["XUNCHA_DB"]) if os.environ.get("XUNCHA_DB") else default_db(out))
    quiet = quiet or bool(os.environ.get("XUNCHA_QUIET"))
    if engine not in ("local", "ray"):
        err.print(f"[red]error:[/red] --engine must be local or ray, got {engine!r}")
        raise typer.Exit(2)
    opts = {"no_llm": no_llm, "force": force, "cache": not no_cache, "quiet": quiet, "log_json": log_json, "workers": workers,
            "engine": engine, "ray_address": ray_address}
    code = asyncio.run(_structure(files, out, db_path, settings, opts))
    raise typer.Exit(code)


async def _structure(files: list[str], out: Path, db_path: Path, settings: Settings, opts: dict[str, Any]) -> int:
    from agent.progress import Reporter, summary_json, summary_table
    from agent.prompts import load
    from agent.runner import Runner, mirror_jsonl

    extractor = None
    server = None
    store = Store(db_path)
    sink = JsonlSink(out)
    expect = None
    if not opts["no_llm"] and settings.embedded and not opts["force"] and opts["engine"] == "local":
        from agent.modelfile import embedded_model_name
        from agent.runner import nothing_to_do

        candidate = (settings.model or embedded_model_name(), load(settings.prompt_version).version)
        expect = candidate if nothing_to_do(store, files, *candidate) else None  # a finished batch needs no server
    try:
        if not opts["no_llm"] and expect is None:
            from agent.extract import Extractor, resolve_model

            base_url, model_name = settings.base_url, settings.model
            if settings.embedded:
                from agent.server import ServerError, start_embedded

                try:
                    server = start_embedded(settings, say=None if opts["quiet"] else err.print)
                except ServerError as exc:
                    err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
                    return 2
                base_url, model_name = server.base_url, model_name or server.model_name
            assert base_url is not None
            if not model_name:
                try:
                    model_name = await resolve_model(base_url, settings.api_key)
                except Exception as exc:  # noqa: BLE001 - any failure here is "cannot ask the server"
                    err.print(f"[red]error:[/red] cannot list the models of {escape(base_url)} ({type(exc).__name__}):"
                              " is the server running? Pass --model (XUNCHA_MODEL) to skip this check", soft_wrap=True)
                    return 2
            extractor = Extractor(settings, base_url, model_name, load(settings.prompt_version))
        show = not opts["quiet"] and not opts["log_json"] and len(files) > 1
        with Reporter(err, show=show, log_json=opts["log_json"]) as reporter:
            if opts["engine"] == "ray":
                from agent.engine_ray import RayUnavailable, run_ray

                if extractor is not None:
                    await extractor.close()  # the actors bring their own clients
                try:
                    stats = run_ray(files, store, settings, base_url if extractor else None, extractor.model if extractor else None,
                                    extractor.prompts if extractor else None, address=opts["ray_address"], sink=sink,
                                    use_cache=opts["cache"], force=opts["force"], workers=opts["workers"], argv=sys.argv[1:],
                                    on_event=reporter.event, on_start=reporter.attach)
                except RayUnavailable as exc:
                    err.print(f"[red]error:[/red] {exc}")
                    return 2
            else:
                runner = Runner(store, extractor, sink=sink, use_cache=opts["cache"], force=opts["force"],
                                workers=opts["workers"], on_event=reporter.event, expect=expect)
                reporter.attach(runner.stats)
                stats = await runner.run(files, sys.argv[1:])
        sink.close()
        mirror_jsonl(store, out)
        if opts["log_json"]:
            sys.stderr.write(json.dumps(summary_json(stats), ensure_ascii=False) + "\n")
        elif not opts["quiet"]:
            err.print(summary_table(stats, str(out), str(db_path)))
        return 1 if stats.failed or stats.partial else 0
    finally:
        sink.close()
        if extractor is not None:
            await extractor.close()
        if server is not None:
            server.stop()
        store.close()


@app.command("export")
def export_cmd(
    db: Annotated[Path, typer.Option(help="the SQLite store of a structure run")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl (one record per notice) or csv (one row per problem)")] = "jsonl",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="output file (default: standard output)")] = None,
) -> None:
    """Write the store's records as JSONL, or as CSV for a spreadsheet."""
    from agent.sinks import write_csv, write_jsonl

    if not db.is_file():
        err.print(f"[red]error:[/red] {db}: no such store")
        raise typer.Exit(2)
    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]error:[/red] --format must be jsonl or csv, got {fmt!r}")
        raise typer.Exit(2)
    with Store(db) as store:
        records = store.records()
        if out is None:
            n = (write_csv if fmt == "csv" else write_jsonl)(records, sys.stdout)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
                n = (write_csv if fmt == "csv" else write_jsonl)(records, fh)
    err.print(f"{n} {'rows' if fmt == 'csv' else 'records'} → {out or 'stdout'}")


@app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: pick a free one)")] = 8080,
    slots: Annotated[int, typer.Option(help="parallel slots")] = 2,
    ctx: Annotated[int, typer.Option(help="context tokens across all slots")] = 8192,
) -> None:
    """Run the embedded llama.cpp server in the foreground."""
    from agent.server import ServerError, serve_foreground

    try:
        serve_foreground(port=port, slots=slots, ctx=ctx)
    except ServerError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command("schema")
def schema_cmd(out_dir: Annotated[Path, typer.Argument()] = Path("schemas")) -> None:
    """Export the JSON Schema files of the record and of the model's answers."""
    for path in export_schemas(out_dir):
        typer.echo(str(path))


@app.command("eval")
def eval_cmd(
    out: Annotated[Path, typer.Option("--out", help="report folder")] = Path("evals/reports/latest"),
    replay: Annotated[bool, typer.Option("--replay", help="offline: replay the recorded cassettes")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="score the rules alone")] = False,
    gold: Annotated[Path | None, typer.Option(help="gold folder (default evals/gold/v1)")] = None,
    base_url: Annotated[str | None, typer.Option(help="live run against this server [env XUNCHA_BASE_URL]")] = None,
    model: Annotated[str | None, typer.Option(help="model name [env XUNCHA_MODEL]")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option(help="show two report folders side by side")] = None,
    cache: Annotated[Path | None, typer.Option(help="live: the store of chunk calls to reuse (default: XUNCHA_CACHE_DIR/eval-calls.db)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="live: send every chunk, and record every call in the report's cassettes")] = False,
) -> None:
    """Score structuring against the gold records; or compare two reports."""
    from rich.table import Table

    from agent import evalrun

    if compare is not None:
        a, b = (json.loads((p / "report.json").read_text(encoding="utf-8")) for p in compare)
        table = Table(title=f"{compare[0]} → {compare[1]}")
        for col in ("metric", str(compare[0].name), str(compare[1].name), "Δ"):
            table.add_column(col)
        for k, va, vb, d in evalrun.compare(a, b):
            table.add_row(k, str(va), str(vb), "" if d is None else f"{d:+g}")
        Console().print(table)
        return
    try:
        settings = resolve(base_url, None, model)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    mode = "rules" if no_llm else "replay" if replay else "live"
    server = None
    url, mdl = settings.base_url, settings.model
    if mode == "live" and url is None:
        from rich.markup import escape

        from agent.server import ServerError, start_embedded

        try:
            server = start_embedded(settings, say=err.print)
        except ServerError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(2) from None
        url, mdl = server.base_url, server.model_name
    try:
        from agent.modelfile import cache_dir

        calls = None if no_cache else cache or cache_dir() / "eval-calls.db"
        report = evalrun.run_eval(mode, settings, out, gold or evalrun.GOLD, url, mdl or evalrun.EMBEDDED_MODEL, calls)
    finally:
        if server is not None:
            server.stop()
    table = Table(title=f"eval ({mode}) → {out}")
    table.add_column("metric")
    table.add_column("overall")
    for k, v in report["overall"].items():
        table.add_row(k, str(v))
    Console().print(table)


@app.command("show")
def show_cmd(path: Path, index: int = 0) -> None:
    """Print one record of a JSONL file without its text, for a quick look."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[index])
    rec.pop("text", None)
    sys.stdout.write(json.dumps(rec, ensure_ascii=False, indent=1) + "\n")


@app.command("review")
def review_cmd(
    source: Annotated[Path | None, typer.Argument(help="JSONL file of records (from `xuncha structure`)")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="read the records from this store instead")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="the HTML page to write")] = Path("review.html"),
) -> None:
    """Write one self-contained HTML page to review records against their text."""
    from agent.review import load_records, render_review

    if (source is None) == (db is None):
        err.print("[red]error:[/red] give either a JSONL file or --db PATH")
        raise typer.Exit(2)
    if db is not None:
        if not db.is_file():
            err.print(f"[red]error:[/red] no database at {db}")
            raise typer.Exit(2)
        from agent.store import Store

        with Store(db) as store:
            records = list(store.records())
    else:
        assert source is not None
        if not source.is_file():
            err.print(f"[red]error:[/red] no file at {source}")
            raise typer.Exit(2)
        records, bad = load_records(source)
        for msg in bad:
            err.print(f"[yellow]warning:[/yellow] skipped {msg}")
    if not records:
        err.print(f"[red]error:[/red] no records in {db or source}")
        raise typer.Exit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_review(records), encoding="utf-8")
    err.print(f"{len(records)} notices, {sum(len(r.problems) for r in records)} problems → {out}")


if __name__ == "__main__":
    app()
