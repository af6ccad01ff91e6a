"""The corpus view: what a batch of notices says, as charts on one self-contained page.

Why: people structure notices in batches to answer questions across them — which kinds of problem come up
most and how many are reported done, how much money was returned and by whom, which groups went where and
when, which notices' stated totals disagree with what was extracted. The store's flat views
(``batch.store.VIEWS``) hold the answers; this module reads them and draws Vega-Lite charts (the specs
embedded in the page, the Vega/Vega-Lite/Vega-Embed script bundled by ``vl-convert-python``, so the page
needs no network to view). Every mark links to the notice's section of the review page written beside it.

Pure apart from the store it is given: rows in, an HTML string out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from agent.output.followup import Link

Row = dict[str, Any]
STATUS_ORDER = ["completed", "in_progress", "ongoing", "unknown"]
MONEY_ROLES = 15  # roles shown in the money chart; the rest are summed into one bar


def rows(columns: Sequence[str], values: Sequence[Sequence[Any]]) -> list[Row]:
    return [dict(zip(columns, v, strict=True)) for v in values]


def review_links(facts: list[Row], review: str) -> dict[str, str]:
    """source -> its section in the review page (sections are numbered in the store's record order)."""
    return {f["source"]: f"{review}#notice-{i}" for i, f in enumerate(facts)}


def _bar(data: list[Row], title: str, x: dict[str, Any], y: dict[str, Any], **enc: Any) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": title, "width": 520,
        "data": {"values": data}, "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
        "encoding": {"x": x, "y": y, **enc},
    }


def category_status(problems: list[Row], links: dict[str, str]) -> dict[str, Any]:
    """Problems by category, stacked by status."""
    data = [{"category": p["category"] or "—", "status": p["status"], "notice": p["source"], "problem": p["problem_id"],
             "title": p["title"], "link": links.get(p["source"], "")} for p in problems]
    return _bar(data, "Problems by category and status",
                {"aggregate": "count", "title": "problems"}, {"field": "category", "sort": "-x", "title": None},
                color={"field": "status", "scale": {"domain": STATUS_ORDER}}, href={"field": "link"},
                tooltip=[{"field": "category"}, {"field": "status"}, {"aggregate": "count", "title": "problems"}])


def money_by_role(figures: list[Row], links: dict[str, str]) -> tuple[dict[str, Any], list[Row]]:
    """Money (元) by what it is (the figure's role) across notices; and the figures behind each bar."""
    money = [f for f in figures if f["kind"] == "money"]
    totals: dict[str, float] = {}
    for f in money:
        totals[f["role"] or "（无角色）"] = totals.get(f["role"] or "（无角色）", 0.0) + float(f["value"])
    top = set(sorted(totals, key=lambda r: -totals[r])[:MONEY_ROLES])
    data = [{"role": (f["role"] or "（无角色）") if (f["role"] or "（无角色）") in top else "其他角色", "yuan": float(f["value"]),
             "figure": f["text"], "notice": f["source"], "link": links.get(f["source"], "")} for f in money]
    spec = _bar(data, "Money (元) by role, summed across notices",
                {"aggregate": "sum", "field": "yuan", "title": "元"}, {"field": "role", "sort": "-x", "title": None},
                href={"field": "link"},
                tooltip=[{"field": "role"}, {"aggregate": "sum", "field": "yuan", "title": "元", "format": ",.0f"},
                         {"aggregate": "count", "title": "figures"}, {"aggregate": "distinct", "field": "notice", "title": "notices"}])
    return spec, data


def timeline(facts: list[Row], links: dict[str, str]) -> dict[str, Any]:
    """Each inspection from its start to its end; a tick at its feedback date."""
    data = [{"notice": f["source"].rsplit("/", 1)[-1], "start": f["inspection_start"], "end": f["inspection_end"] or f["inspection_start"],
             "feedback": f["feedback_date"], "inspector": f["inspector"], "targets": f["targets"], "link": links.get(f["source"], "")}
            for f in facts if f["inspection_start"] and len(f["inspection_start"]) >= 7]
    base = {"y": {"field": "notice", "title": None, "sort": {"field": "start"}}, "href": {"field": "link"},
            "tooltip": [{"field": "inspector"}, {"field": "targets"}, {"field": "start"}, {"field": "end"}, {"field": "feedback"}]}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": "Inspections: stay (bar) and feedback (tick)",
        "width": 520, "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar", "cursor": "pointer"},
             "encoding": {**base, "x": {"field": "start", "type": "temporal", "title": None}, "x2": {"field": "end"}}},
            {"mark": {"type": "tick", "color": "#c0392b", "thickness": 3},
             "encoding": {**base, "x": {"field": "feedback", "type": "temporal"}}},
        ],
    }


def open_problems(problems: list[Row], facts: list[Row], links: dict[str, str]) -> dict[str, Any]:
    """Issuers (else the inspected bodies) ranked by problems not reported done."""
    who = {f["source"]: f["issuer"] or f["targets"] or f["source"].rsplit("/", 1)[-1] for f in facts}
    data = [{"issuer": who.get(p["source"], p["source"]), "status": p["status"], "link": links.get(p["source"], "")}
            for p in problems if p["status"] != "completed"]
    return _bar(data, "Open problems (not reported done) by issuer or inspected body",
                {"aggregate": "count", "title": "open problems"}, {"field": "issuer", "sort": "-x", "title": None},
                color={"field": "status", "scale": {"domain": STATUS_ORDER}}, href={"field": "link"})


def disagreements(checks: list[Row]) -> list[Row]:
    """Notices whose stated totals disagree with what was extracted (warnings of the totals checks)."""
    return [c for c in checks if c["code"] in ("total_problems", "total_status_sum") and c["severity"] == "warning"]


def followed_rows(links: Sequence[Link], review: dict[str, str]) -> str:
    """Findings of feedback notices followed to a rectification notice of the same round, as table rows."""
    return "".join(
        f'<tr><td><a href="{escape(review.get(x.feedback, ""))}">{escape(x.feedback)}</a> {escape(x.problem_id)}</td>'
        f"<td>{escape(x.title)}</td>"
        f'<td><a href="{escape(review.get(x.rectification, ""))}">{escape(x.rectification)}</a> {escape(x.matched_id or "—")}</td>'
        f"<td>{escape(x.status or 'not reported')}</td><td>{x.score}</td><td>{'' if x.certain else 'uncertain'}</td></tr>"
        for x in links)


def render_report(facts: list[Row], problems: list[Row], figures: list[Row], checks: list[Row], bundle: str,
                  review: str = "review.html", links: Sequence[Link] = ()) -> str:
    """The page: the charts (specs embedded, rendered by ``bundle``), then the tables a chart cannot show."""
    links_by_source = review_links(facts, review)
    money, behind = money_by_role(figures, links_by_source)
    charts = {"c1": category_status(problems, links_by_source), "c2": money, "c3": timeline(facts, links_by_source),
              "c4": open_problems(problems, facts, links_by_source)}
    table = "".join(
        f'<tr><td><a href="{escape(links_by_source.get(c["source"], ""))}">{escape(c["source"])}</a></td>'
        f"<td>{escape(c['code'])}</td><td>{escape(c['message'])}</td></tr>" for c in disagreements(checks))
    money_rows = "".join(
        f'<tr><td>{escape(r["role"])}</td><td>{escape(r["figure"])}</td><td><a href="{escape(r["link"])}">{escape(r["notice"])}</a></td></tr>'
        for r in sorted(behind, key=lambda r: (r["role"], -r["yuan"])))
    divs = "".join(f'<div class="chart" id="{k}"></div>' for k in charts)
    specs = json.dumps(charts, ensure_ascii=False).replace("</", "<\\/")  # no "</script>" inside the script
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>xuncha corpus report</title>
<style>body{{font:14px system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;max-width:1100px}}.chart{{margin:18px 0}}
table{{border-collapse:collapse;margin:8px 0 24px}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}}</style>
</head><body>
<h1>Corpus report</h1>
<p>{len(facts)} notices, {len(problems)} problems, {len(figures)} figures. Click a bar to open its notice in
<a href="{escape(review)}">the review page</a>.</p>
{divs}
<h2>Stated totals that disagree with what was extracted</h2>
<table id="disagree"><tr><th>notice</th><th>check</th><th>message</th></tr>{table or '<tr><td colspan="3">none</td></tr>'}</table>
<h2>Findings followed to their rectification</h2>
<p>A feedback notice and a later rectification notice of the same inspected body and inspector; each finding
matched to the rectification problem whose title is most alike (score: character overlap, 0.5 to match,
0.75 to be sure).</p>
<table id="followed"><tr><th>finding</th><th>title</th><th>rectification</th><th>status there</th><th>score</th><th></th></tr>
{followed_rows(links, links_by_source) or '<tr><td colspan="6">no feedback notice has a rectification notice of the same round in this store</td></tr>'}</table>
<h2>Money figures behind the chart</h2>
<table id="money"><tr><th>role</th><th>figure</th><th>notice</th></tr>{money_rows or '<tr><td colspan="3">none</td></tr>'}</table>
<script>window.__specs = {specs};</script>
<script>{bundle}</script>
</body></html>
"""


def embed_snippet(chart_ids: Sequence[str]) -> str:
    """The script that draws the embedded specs (bundled by vl-convert with Vega-Embed)."""
    calls = "".join(
        f'vegaEmbed("#{c}", window.__specs["{c}"], {{actions: false}}).catch(e => {{ document.getElementById("{c}").textContent = String(e); }});'
        for c in chart_ids)
    return f'window.addEventListener("load", () => {{ {calls} }});'
