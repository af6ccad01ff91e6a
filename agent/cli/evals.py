"""``xuncha eval``: score structuring against gold sets (rules, replay or live), or compare two reports.

Why a module of its own: the command only wires options to ``agent.scoring.evalrun`` and prints tables;
keeping it apart keeps ``main`` to the batch commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agent.cli.console import error, say
from agent.config import ConfigError, resolve


def eval_cmd(
    out: Annotated[Path, typer.Option("--out", help="report folder")] = Path("evals/reports/latest"),
    replay: Annotated[bool, typer.Option("--replay", help="offline: replay the recorded cassettes")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="score the rules alone")] = False,
    gold: Annotated[list[Path] | None, typer.Option(help="gold folder, repeatable (default: evals/gold/v1 and v2)")] = None,
    base_url: Annotated[str | None, typer.Option(help="live run against this server [env XUNCHA_BASE_URL]")] = None,
    model: Annotated[str | None, typer.Option(help="model name [env XUNCHA_MODEL]")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option(help="show two report folders side by side")] = None,
    cache: Annotated[Path | None, typer.Option(help="live: the store of chunk calls to reuse (default: XUNCHA_CACHE_DIR/eval-calls.db)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="live: send every chunk, and record every call in the report's cassettes")] = False,
    ask: Annotated[str | None, typer.Option(help="live or replay: the questions the model is asked (category; default none) [env XUNCHA_ASK]")] = None,
    holdout_train: Annotated[bool, typer.Option("--holdout-train", help="retrain the learned models without each scored set first (needs the train extra)")] = False,
) -> None:
    """Score structuring against the gold records; or compare two reports."""
    from agent.scoring import evalrun

    if compare is not None:
        _print_comparison(*compare)
        return
    try:
        settings = resolve(base_url, None, model, ask=ask)
    except ConfigError as exc:
        error(str(exc))
        raise typer.Exit(2) from None
    mode = "rules" if no_llm else "replay" if replay else "live"
    if mode != "rules" and not settings.ask:
        say("nothing is asked of the model (--ask category measures its one question against the rules): scoring the rules")
        mode = "rules"
    server = None
    url, mdl = settings.base_url, settings.model
    if mode == "live" and url is None:
        from agent.llm.server import ServerError, start_embedded

        try:
            server = start_embedded(settings, say=say)
        except ServerError as exc:
            error(str(exc))
            raise typer.Exit(2) from None
        url, mdl = server.base_url, server.model_name
    try:
        from agent.llm.modelfile import cache_dir

        calls = None if no_cache else cache or cache_dir() / "eval-calls.db"
        sets = list(gold or evalrun.GOLD_SETS)
        reports = {g.name: evalrun.run_eval(mode, settings, out / g.name if len(sets) > 1 else out, g, url,
                                            mdl or evalrun.EMBEDDED_MODEL, calls, holdout_train) for g in sets}
    finally:
        if server is not None:
            server.stop()
    _print_reports(f"eval ({mode}) → {out}", reports)


def _print_comparison(a: Path, b: Path) -> None:
    """Two report folders side by side with deltas, one table per gold set."""
    from rich.table import Table

    from agent.scoring import evalrun

    for name, (ra, rb) in evalrun.report_pairs(a, b).items():
        table = Table(title=f"{a} → {b}" + (f" · gold {name}" if name else ""))
        for col in ("metric", str(a.name), str(b.name), "Δ"):
            table.add_column(col)
        for k, va, vb, d in evalrun.compare(ra, rb):
            table.add_row(k, str(va), str(vb), "" if d is None else f"{d:+g}")
        Console().print(table)


def _print_reports(title: str, reports: dict[str, dict[str, Any]]) -> None:
    """The overall metrics of each gold set in columns, then each set's status confusion matrix."""
    from rich.table import Table

    from agent.scoring import evalrun

    table = Table(title=title)
    table.add_column("metric")
    for name in reports:
        table.add_column(f"gold {name}")
    for k in next(iter(reports.values()))["overall"]:
        if k != "status_confusion":
            table.add_row(k, *(str(r["overall"].get(k)) for r in reports.values()))
    Console().print(table)
    for name, r in reports.items():
        if r["overall"].get("status_confusion"):
            Console().print(f"gold {name} · " + "\n".join(evalrun.confusion_table(r["overall"]["status_confusion"])), markup=False)


def first_sight_cmd(
    gold: Annotated[Path, typer.Argument(help="the new gold folder, e.g. evals/gold/holdout9")],
    out: Annotated[Path, typer.Option("--out", help="report folder")] = Path("evals/reports/first-sight"),
    notes: Annotated[str, typer.Option(help="what the set is (kept in the log)")] = "",
) -> None:
    """Score a new gold set once, rules alone, and append its first-sight numbers to evals/first-sight.jsonl.
    Only then may it be learned from and tuned on; a set already logged is refused."""
    from agent.scoring import evalrun, firstsight

    if gold.name in firstsight.seen_sets():
        error(f"{gold}: first sight is logged already; it is a dev set now")
        raise typer.Exit(2)
    report = evalrun.run_eval("rules", resolve(None, None, None), out / gold.name, gold)
    entry = firstsight.log_first_sight(gold.name, report, notes)
    Console().print_json(data=entry)


def train_cmd(
    out: Annotated[Path | None, typer.Option("--out", help="folder for the models (default: agent/models)")] = None,
) -> None:
    """Train the learned models (clauses, category, document type) from every gold set whose first sight is logged."""
    from agent.scoring import train

    paths = train.train_all(out=out or train.MODELS)
    for name, path in paths.items():
        Console().print(f"{name}: {path}", markup=False, soft_wrap=True)
