"""The review page: HTML structure, escaping, span nesting, the CLI, and a real headless chromium.

The browser test drives Debian's ``chromium`` through the ``playwright`` package (its own browser download
is not used); it skips with a message naming what is missing where either is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from agent.cli.main import app
from agent.output.review import Mark, load_records, render_review, render_spans
from agent.record.pipeline import analyse, rules_record
from agent.schema import Check, ChunkError, Figure, Grounded, NoticeRecord, Problem
from agent.text.ingest import read_notice

ROOT = Path(__file__).resolve().parent.parent
NOTICES = sorted((ROOT / "evals" / "notices").glob("*.txt"))
XIAODIAN = ROOT / "evals" / "notices" / "xiaodian-town-rectification.txt"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _rules(path: Path) -> NoticeRecord:
    return rules_record(analyse(read_notice(str(path))))


@pytest.fixture(scope="module")
def records() -> list[NoticeRecord]:
    return [_rules(p) for p in NOTICES]


def _hostile() -> NoticeRecord:
    text = '通报<script>window.__pwned=1</script>发现问题：资金"<b>"&amp;100元未入账。<img src=x onerror="window.__pwned=2">'
    start = text.index("资金")
    fig_at = text.index("100元")
    return NoticeRecord(
        source="evil<script>.txt", notice_id="n_<x>", text=text,
        problems=[Problem(id='P1"><script>', title=Grounded(text="<script>alert(1)</script>", span=(0, 8)),
                          span=(start, len(text)), figure_ids=["F1"])],
        figures=[Figure(id="F1", text="100元", value=100, unit="元", kind="money", span=(fig_at, fig_at + 4),
                        role="<i>role</i>")],
        checks=[Check(code="dropped_number", severity="warning", message="model said <script>9</script>")],
        errors=[ChunkError(chunk_id="c1", kind="timeout", message="</ul><script>x()</script>", attempts=3)],
    )


class _Checker(HTMLParser):
    """Collects start tags and checks every span is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "span":
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            assert self.stack, "a </span> without an open span"
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def _parse(html: str) -> _Checker:
    c = _Checker()
    c.feed(html)
    c.close()
    assert not c.stack, "unclosed spans"
    return c


# -- unit tests of the HTML -------------------------------------------------------------------------------


def test_render_spans_nests_and_crosses() -> None:
    text = "abcdefghij"
    marks = [Mark(0, 10, 0, Markup('<span class="p">'), first_id="t1"), Mark(2, 6, 1, Markup('<span class="m">')),
             Mark(4, 8, 2, Markup('<span class="f">')), Mark(3, 3, 2, Markup('<span class="empty">')),
             Mark(8, 99, 2, Markup('<span class="bad">'))]
    html = render_spans(text, marks)
    assert html == ('<span class="p" id="t1">ab<span class="m">cd<span class="f">ef</span></span>'
                    '<span class="f">gh</span>ij</span>')
    _parse(html)
    assert re.sub(r"<[^>]+>", "", html) == text


def test_render_spans_escapes_text() -> None:
    html = render_spans("a<b>&c", [Mark(1, 4, 0, Markup('<span class="x">'))])
    assert html == 'a<span class="x">&lt;b&gt;</span>&amp;c'


def test_page_is_self_contained_and_chinese_ready(records: list[NoticeRecord]) -> None:
    html = render_review(records)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    # nothing fetched at view time
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert "{{" not in html and "{%" not in html  # the template rendered whole
    c = _parse(html)
    assert sum(1 for t, a in c.tags if t == "section" and "notice" in (a.get("class") or "")) == len(records)
    text = "".join(c.data)
    assert "小甸镇" in text and "落实乡村振兴要求有差距问题" in text


def test_known_figure_and_problem_are_highlighted(records: list[NoticeRecord]) -> None:
    rec = next(r for r in records if r.source.endswith("xiaodian-town-rectification.txt"))
    fig = next(f for f in rec.figures if f.text == "41115元")
    assert fig.kind == "money"
    html = render_review([rec])
    m = re.search(rf'<span class="fig k-money" data-fig="{fig.id}" data-kind="money" title="([^"]*)">41115元</span>', html)
    assert m, "41115元 is not wrapped as a money figure"
    assert "41115 元" in m.group(1)
    p5 = next(p for p in rec.problems if p.title.text == "落实乡村振兴要求有差距问题")
    assert f'id="t-n0-{p5.id}"' in html
    assert f'<span class="ptitle" data-p="n0-{p5.id}">落实乡村振兴要求有差距问题</span>' in html
    # every problem starts exactly once in the text, and the panel lists it
    for p in rec.problems:
        assert html.count(f'id="t-n0-{p.id}"') == 1
        assert f'<li class="pitem" data-p="n0-{p.id}">' in html
    # the text survives the highlighting verbatim
    body = re.search(r'<div class="text">(.*?)</div><aside', html, re.S)
    assert body is not None
    parser = _parse(body.group(1))
    assert "".join(parser.data) == rec.text


def test_checks_errors_and_hostile_text_are_escaped() -> None:
    html = render_review([_hostile()])
    ours = html.count("<script>")
    assert ours == 1, "only the page's own script tag may appear"
    assert "<img" not in html  # the hostile tag is text, never an element (quotes escape as &#34;)
    assert "&lt;scrip</span>t&gt;window.__pwned=1&lt;/script&gt;" in html  # a span ends inside the tag text
    assert "&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in html
    assert "dropped_number" in html and "model said &lt;script&gt;9&lt;/script&gt;" in html
    assert "failed chunk" in html and "&lt;/ul&gt;&lt;script&gt;x()&lt;/script&gt;" in html
    assert "&lt;i&gt;role&lt;/i&gt;" in html
    body = re.search(r'<div class="text">(.*?)</div><aside', html, re.S)
    assert body is not None and "".join(_parse(body.group(1)).data) == _hostile().text
    _parse(html)


def test_load_records_skips_bad_lines(tmp_path: Path, records: list[NoticeRecord]) -> None:
    p = tmp_path / "r.jsonl"
    lines = [records[0].model_dump_json(), "{not json", json.dumps({"source": "x"}), "", records[1].model_dump_json()]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, bad = load_records(p)
    assert [r.source for r in got] == [records[0].source, records[1].source]
    assert len(bad) == 2 and ":2:" in bad[0] and ":3:" in bad[1]


def test_cli_review(tmp_path: Path, records: list[NoticeRecord]) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text("".join(r.model_dump_json() + "\n" for r in records) + "garbage\n", encoding="utf-8")
    out = tmp_path / "sub" / "review.html"
    res = CliRunner().invoke(app, ["review", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").count('<section class="notice"') == len(records)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for args in (["review", str(empty), "-o", str(out)], ["review", str(tmp_path / "missing.jsonl"), "-o", str(out)],
                 ["review", "-o", str(out)], ["review", "--db", str(tmp_path / "missing.db"), "-o", str(out)]):
        assert CliRunner().invoke(app, args).exit_code == 2, args


# -- the real browser ---------------------------------------------------------------------------------------


def _browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: run `bash tools/ensure-browser.sh` (as root: apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: pip install -e '.[test]' (or pip install playwright)")
    return sync_playwright


def launch(pw: Any) -> Any:
    """Debian's chromium under playwright; a skip naming the reason where it will not start."""
    try:
        return pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - a chromium that cannot start here is an environment gap
        pytest.skip(f"chromium at {CHROMIUM} would not start: {exc}")


def test_review_in_headless_chromium(tmp_path: Path, records: list[NoticeRecord]) -> None:
    sync_playwright = _browser()
    recs = [r for r in records if r.source.endswith("xiaodian-town-rectification.txt")] + [_hostile()]
    recs += [r for r in records if not r.source.endswith("xiaodian-town-rectification.txt")]
    page_path = tmp_path / "review.html"
    page_path.write_text(render_review(recs), encoding="utf-8")
    shot = tmp_path / "review.png"
    shot_checks = tmp_path / "review-checks.png"
    t0 = time.monotonic()
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            assert page.evaluate("window.__pwned") is None, "hostile notice text executed"
            assert page.locator(".text img").count() == 0

            fig = page.locator(".text .fig", has_text="41115元").first
            assert fig.get_attribute("data-kind") == "money"
            assert "k-money" in (fig.get_attribute("class") or "")
            money = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--money').trim()")
            bg = fig.evaluate("el => getComputedStyle(el).backgroundColor")
            assert bg == _rgb(money), (bg, money)
            title = page.locator(".text .ptitle", has_text="落实乡村振兴要求有差距问题")
            assert title.count() == 1
            prob_key = title.get_attribute("data-p")
            assert fig.evaluate("(el, k) => !!el.closest('.prob[data-p=\"' + k + '\"]')", prob_key)

            assert page.locator(".prob.current").count() == 0
            page.keyboard.press("n")
            first = page.locator(".text .prob.current").first.get_attribute("data-p")
            assert page.locator("#counter").inner_text().startswith("1 /")
            page.keyboard.press("j")
            second = page.locator(".text .prob.current").first.get_attribute("data-p")
            assert second != first and page.locator("#counter").inner_text().startswith("2 /")
            assert page.locator(".pitem.current").get_attribute("data-p") == second
            assert page.locator(f'#t-{second}').is_visible()
            assert _in_viewport(page, f"#t-{second}")
            page.keyboard.press("k")
            assert page.locator(".text .prob.current").first.get_attribute("data-p") == first
            page.locator("#next").click()
            page.locator("#next").click()
            page.locator("#prev").click()
            assert page.locator(".text .prob.current").first.get_attribute("data-p") == second

            # go to the problem holding 41115元 for the screenshot
            for _ in range(60):
                if page.locator(".text .prob.current").first.get_attribute("data-p") == prob_key:
                    break
                page.keyboard.press("n")
            assert page.locator(".text .prob.current").first.get_attribute("data-p") == prob_key
            page.screenshot(path=str(shot))

            # a notice whose stated totals do not add up: checks at the top, the panel beside the text
            hangbu = next(i for i, r in enumerate(recs) if r.source.endswith("hangbu-town-rectification-progress.txt"))
            checks = page.locator(f"#notice-{hangbu} .checks li")
            assert checks.count() >= 1 and "total_problems" in checks.first.inner_text()
            assert checks.first.evaluate("el => el.className") == "sev-warning"
            page.locator(f"#notice-{hangbu} .goto").first.click()
            page.locator(f"#notice-{hangbu}").evaluate("el => el.scrollIntoView()")
            page.screenshot(path=str(shot_checks))
            assert not [u for u in requests if not u.startswith("file:")], requests
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    shutil.copyfile(shot, out / "review-screenshot.png")
    shutil.copyfile(shot_checks, out / "review-screenshot-checks.png")
    print(f"browser test {time.monotonic() - t0:.1f}s, screenshots in {out}")


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def _in_viewport(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }", selector))
