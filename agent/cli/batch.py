"""``xuncha batch export|import``: the OpenAI-Batch JSONL round trip on the command line.

Why a module of its own: ``agent/cli.py`` is the online path; this is the offline one (export requests,
let a batch endpoint or ``vllm run-batch`` answer them, import the answers) and shares only the store and
the record format with it. The logic is in ``agent/batchio.py``; this file only reads options, reports and
picks the exit code: 0 all good, 1 some notices failed or have chunk errors, 2 usage errors.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.batch import batchio
from agent.batch.store import Store, default_db
from agent.cli.console import error, say, warning
from agent.config import ConfigError, Settings, resolve
from agent.output.sinks import replaced, write_jsonl
from agent.record.calls import cache_key
from agent.text.finder import find_notice_files

batch_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="OpenAI-Batch JSONL: export chunk requests, import a batch's results.")


def _settings(model: str | None, ask: str | None = None) -> tuple[Settings, str]:
    try:
        settings = resolve(model=model, ask=ask)
    except ConfigError as exc:
        error(str(exc))
        raise typer.Exit(2) from None
    if settings.model:
        return settings, settings.model
    from agent.llm.server import DEFAULT_MODEL_NAME

    return settings, DEFAULT_MODEL_NAME


def _files(paths: list[str]) -> list[str]:
    files = find_notice_files(paths)
    if not files:
        error(f"no files matched {' '.join(paths)}")
        raise typer.Exit(2)
    return files


def _body(line: dict[str, Any]) -> dict[str, Any]:
    resp = line.get("response")
    body = resp.get("body") if isinstance(resp, dict) else None
    return body if isinstance(body, dict) else {}


def _report_failures(failures: list[tuple[str, str]]) -> None:
    for source, reason in failures:
        error(f"{source}: {reason}")


@batch_app.command("export")
def export_cmd(
    paths: Annotated[list[str], typer.Argument(help="notice files, folders or globs")],
    out: Annotated[Path, typer.Option("-o", "--out", help="the Batch request file (JSONL, one line per chunk)")],
    model: Annotated[str | None, typer.Option(help="model name in every request [env XUNCHA_MODEL]; default: the embedded model's")] = None,
    ask: Annotated[str | None, typer.Option(help="the questions asked: category (none by default) [env XUNCHA_ASK]")] = None,
) -> None:
    """Write one Batch request line per chunk (identical chunks once); unreadable files are named, not fatal."""
    from agent.record.prompts import load

    settings, model_name = _settings(model, ask)
    if not settings.ask:
        error("nothing is asked of the model, so there is no request to export: --ask category (or XUNCHA_ASK=category) "
              "exports its one question")
        raise typer.Exit(2)
    prepared = batchio.prepare(_files(paths))
    _report_failures(prepared.failures)
    prompts = load(settings.prompt_version)
    with replaced(out) as fh:
        n = write_jsonl(batchio.request_lines(prepared.chunks, prompts, model_name, settings.max_tokens), fh)
    say(f"{len(prepared.analyses)} notices, {n} requests → {out}"
              + (f"; {len(prepared.failures)} files failed" if prepared.failures else ""))
    raise typer.Exit(1 if prepared.failures else 0)


def _load_results(results: Path, model_name: str) -> dict[str, dict[str, Any]]:
    """The batch's result lines by custom_id; unreadable lines and results of another model are warned about."""
    lines, bad = batchio.read_results(results)
    for msg in bad:
        warning(f"skipped {msg}")
    answered_by = {str(b.get("model")) for b in (_body(x) for x in lines.values()) if b.get("model")}
    if answered_by and not any(m.startswith(model_name) or model_name.startswith(m) for m in answered_by):
        warning(f"results come from {', '.join(sorted(answered_by))}, records will say "
                  f"{model_name}: pass the --model the requests were exported with")
    return lines


def _report_import(imported: batchio.Imported) -> None:
    for rec in imported.records:
        for e in rec.errors:
            error(f"{rec.source}: chunk {e.chunk_id} {e.kind}: {e.message}")
    if imported.unknown:
        warning(f"{len(imported.unknown)} result lines match no given notice "
                  f"(e.g. {imported.unknown[0]}): were these the notices exported?")


@batch_app.command("import")
def import_cmd(
    results_and_notices: Annotated[list[str], typer.Argument(metavar="RESULTS [NOTICES]...",
                                   help="the batch's output JSONL, then (or via --notices) the notices exported")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSONL output, mirrored from the store: one line per notice")],
    notices: Annotated[list[str] | None, typer.Option("--notices", help="notice files, folders or globs that were exported; `--notices A B C` works")] = None,
    db: Annotated[Path | None, typer.Option(help="SQLite store; default: OUT with the suffix .db")] = None,
    model: Annotated[str | None, typer.Option(help="the model the requests were exported for [env XUNCHA_MODEL]")] = None,
    retry_out: Annotated[Path | None, typer.Option("--retry-out", help="write the request lines of failed or missing results here")] = None,
    force: Annotated[bool, typer.Option(help="redo notices the store already has as done")] = False,
) -> None:
    """Match results to chunks by custom_id, validate them as online, write records to the store and OUT."""
    from agent.batch.runner import Outcomes, mirror_jsonl
    from agent.record.prompts import load

    results, *rest = results_and_notices
    paths = [*(notices or []), *rest]
    if not paths:
        error("give the notices that were exported: --notices NOTICES...")
        raise typer.Exit(2)
    if not Path(results).is_file():
        error(f"{results}: no such results file")
        raise typer.Exit(2)
    settings, model_name = _settings(model)
    prompts = load(settings.prompt_version)
    pv = prompts.version
    started = time.time()
    lines = _load_results(Path(results), model_name)
    with Store(db or default_db(out)) as store:
        prepared = batchio.prepare(_files(paths))
        total = len(prepared.analyses) + len(prepared.failures)
        if not force:
            prepared = prepared.keep(lambda a: not store.is_done(a.notice.source, a.notice.notice_id, model_name, pv))
        outcomes = Outcomes(store, None, model_name, pv)  # the same bookkeeping as the online engines
        imported = batchio.import_results(prepared, lines, model_name, pv,
                                          lambda chunk: outcomes.cached(chunk, cache_key(chunk, model_name, pv)))
        outcomes.begin(total, sys.argv[1:])
        outcomes.stats.skipped = total - len(prepared.analyses) - len(prepared.failures)
        for r in imported.results.values():
            if not r.cached:
                outcomes.record_call(cache_key(r.chunk, model_name, pv), r)
        for rec in imported.records:
            outcomes.record(rec, started)
        for source, reason in prepared.failures:
            outcomes.fail(source, reason)
        outcomes.end(interrupted=False)
        n = mirror_jsonl(store, out)
    stats = outcomes.stats
    done, partial, skipped = stats.done, stats.partial, stats.skipped
    _report_failures(prepared.failures)
    _report_import(imported)
    if retry_out is not None:
        with replaced(retry_out) as fh:
            k = write_jsonl(
                batchio.request_lines(prepared.chunks, prompts, model_name, settings.max_tokens, only=imported.failed), fh)
        say(f"{k} request lines to retry → {retry_out}")
    say(f"{done} done, {partial} with chunk errors, {len(prepared.failures)} failed, {skipped} skipped; "
              f"{n} records → {out}")
    raise typer.Exit(1 if partial or prepared.failures else 0)
