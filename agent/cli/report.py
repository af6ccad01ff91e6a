"""``xuncha report``: the corpus view of a store as one self-contained page, with the review page beside it.

Why a module of its own: it wires the store's flat views to ``agent.output.report`` and bundles the chart
script; the drawing itself is pure and lives there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.cli.console import error, say


def report_cmd(
    db: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="the SQLite store of a structure run")],
    out: Annotated[Path, typer.Option("-o", "--out", help="the report page to write")] = Path("report.html"),
) -> None:
    """Charts across a batch: problems by category × status, money by role, inspections on a timeline, open
    problems by issuer, stated totals that disagree; each mark links to its notice on the review page."""
    from agent.batch.store import Store
    from agent.output.followup import follow
    from agent.output.report import embed_snippet, render_report, rows
    from agent.output.review import render_review

    try:
        import vl_convert
    except ImportError:
        error("the report draws its charts with vl-convert-python: pip install -e '.[report]'")
        raise typer.Exit(2) from None
    with Store(db) as store:
        views = {name: rows(*store.table(name)) for name in ("notice_facts", "problems", "figures", "checks")}
        records = list(store.records())
    if not records:
        error(f"no records in {db}")
        raise typer.Exit(1)
    review = out.with_name(out.stem + "-review.html")
    bundle = vl_convert.javascript_bundle(snippet=embed_snippet(["c1", "c2", "c3", "c4"]))
    links = follow(records)
    page = render_report(views["notice_facts"], views["problems"], views["figures"], views["checks"], bundle, review.name, links)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    review.write_text(render_review(records), encoding="utf-8")
    say(f"{len(records)} notices → {out} (review: {review})")
