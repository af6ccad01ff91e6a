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
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agent.config import ConfigError, Settings, resolve
from agent.ingest import find_notice_files
from agent.pipeline import IngestFailure, structure
from agent.schema import NoticeRecord
from agent.sinks import JsonlSink, export_schemas

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Structure Chinese inspection notices into grounded JSON.")
err = Console(stderr=True)

@app.command("structure")
def structure_cmd(
    paths: Annotated[list[str], typer.Argument(help="notice files, folders or globs")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSONL output (appended; finished notices are skipped on rerun)")],
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL [env XUNCHA_BASE_URL, OPENAI_BASE_URL]; default: embedded local server")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key [env XUNCHA_API_KEY, OPENAI_API_KEY]")] = None,
    model: Annotated[str | None, typer.Option(help="model name [env XUNCHA_MODEL]")] = None,
    mode: Annotated[str | None, typer.Option(help="instructor mode: JSON_SCHEMA, JSON, MD_JSON, TOOLS [env XUNCHA_MODE]")] = None,
    concurrency: Annotated[int | None, typer.Option(help="requests in flight (default: 2, the embedded server's slots)")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="rules only: outline, figures, reconcile; no model")] = False,
    force: Annotated[bool, typer.Option(help="redo notices already in the output")] = False,
) -> None:
    """Structure notices into one JSON record each."""
    try:
        settings = resolve(base_url, api_key, model, mode, concurrency)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    files = find_notice_files(paths)
    if not files:
        err.print(f"[red]error:[/red] no files matched {' '.join(paths)}")
        raise typer.Exit(2)
    code = asyncio.run(_structure(files, out, settings, no_llm, force))
    raise typer.Exit(code)


async def _structure(files: list[str], out: Path, settings: Settings, no_llm: bool, force: bool) -> int:
    sink = JsonlSink(out)
    done = set() if force else sink.done_keys()
    from agent.prompts import load

    prompts = load(settings.prompt_version)
    extractor = None
    server = None
    try:
        if not no_llm:
            from agent.extract import Extractor, resolve_model

            base_url = settings.base_url
            model_name = settings.model
            if settings.embedded:
                from agent.server import LocalServer, ServerError

                server = LocalServer(slots=settings.concurrency)
                err.print("starting the embedded model server (llama.cpp, Qwen2.5-Coder-1.5B) …")
                try:
                    server.start()
                except ServerError as exc:
                    err.print(f"[red]error:[/red] {exc}")
                    return 2
                base_url, model_name = server.base_url, model_name or server.model_name
            assert base_url is not None
            model_name = model_name or await resolve_model(base_url, settings.api_key)
            extractor = Extractor(settings, base_url, model_name, prompts)
        version = None if no_llm else prompts.version
        mname = None if extractor is None else extractor.model
        todo = [f for f in files if (f, mname, version) not in done]
        skipped = len(files) - len(todo)
        failed = 0
        show = len(todo) > 1 and not os.environ.get("XUNCHA_QUIET")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, disable=not show) as bar:
            task = bar.add_task("notices", total=len(todo))
            async for item in structure(todo, extractor):
                if isinstance(item, IngestFailure):
                    failed += 1
                    err.print(f"[red]error:[/red] {item.source}: {item.reason}")
                    sink.write_failure(item.source, item.reason)
                else:
                    failed += _report(item)
                    sink.write(item)
                bar.advance(task)
        err.print(f"{len(todo) - failed} structured, {failed} failed, {skipped} already done → {out}")
        return 1 if failed else 0
    finally:
        if extractor is not None:
            await extractor.close()
        if server is not None:
            server.stop()
        sink.close()


def _report(rec: NoticeRecord) -> int:
    for e in rec.errors:
        err.print(f"[yellow]warning:[/yellow] {rec.source}: chunk {e.chunk_id} failed ({e.kind}): {e.message}")
    return 1 if rec.errors else 0


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
        from agent.server import LocalServer

        server = LocalServer(slots=settings.concurrency)
        server.start()
        url, mdl = server.base_url, server.model_name
    try:
        report = evalrun.run_eval(mode, settings, out, gold or evalrun.GOLD, url, mdl or evalrun.EMBEDDED_MODEL)
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


if __name__ == "__main__":
    app()
