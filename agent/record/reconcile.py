"""Merge chunk answers with the rules' structure into one record, and check it against the source.

Why: the model is small and only points; this is where its pointers are checked. Every text field gets a
span and an alignment status; every number must be a regex figure (a model number with no match is
dropped and reported, a 万/亿 slip is corrected from the regex value and reported); stated totals are
checked against the extracted problems and against each other, and every finding is a ``Check`` in the
record rather than a silent fix. Pure: it receives answers as plain pydantic objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from agent.schema import (
    Category,
    Check,
    ChunkError,
    Contact,
    DocType,
    Figure,
    Grounded,
    Inspection,
    NoticeRecord,
    Problem,
    Span,
    Status,
    Usage,
)
from agent.text.category import category_of, village_setting
from agent.text.clauses import clauses
from agent.text.facts import inspection_facts
from agent.text.figures import in_order, within
from agent.text.grammar import ProblemBlock, sentence_spans
from agent.text.learned import clause_scores, load
from agent.text.outline import Outline
from agent.text.roles import rule_role
from agent.text.rules import (
    doc_type_read,
    issuer_from_title,
    stated_totals,
    status_evidence,
    status_from_phrases,
)


@dataclass
class Answers:
    """What the model said, by chunk; empty without a model."""

    problems: dict[str, dict[str, str]] = field(default_factory=dict)  # problem id -> {"status", "category"}
    figure_roles: dict[str, str] = field(default_factory=dict)  # figure id -> role
    errors: list[ChunkError] = field(default_factory=list)


def grounded(text: str, span: Span | None) -> Grounded | None:
    if span is None or span[1] <= span[0]:
        return None
    return Grounded(text=text[span[0] : span[1]], span=span, alignment="exact")


def role_words(role: str, figure_text: str) -> str:
    """The role without the figure's own surface text and the punctuation left at its edges."""
    return role.replace(figure_text, "").strip(" ，,、。.：:（）()的")


def role_grounded(text: str, span: Span, role: str, window: int = 80, share: float = 0.6) -> bool:
    """A role is the model's reading of the words around a figure: most of its characters must stand there."""
    chars = [c for c in role if not c.isspace() and not c.isdigit() and c not in "，,、。.（）()"]
    if not chars:
        return False
    near = text[max(0, span[0] - window) : span[1] + window // 2]
    return sum(1 for c in chars if c in near) >= share * len(chars)


def collect(results: Sequence[object]) -> Answers:
    """Fold extract's ChunkResults (duck-typed: chunk, answer, error) into Answers."""
    out = Answers()
    for r in results:
        chunk = getattr(r, "chunk")  # noqa: B009 - duck typing keeps extract out of this module
        answer = getattr(r, "answer")  # noqa: B009
        error = getattr(r, "error")  # noqa: B009
        if error is not None:
            out.errors.append(error)
        if not isinstance(answer, BaseModel):
            continue
        data = answer.model_dump()
        for pid in chunk.items:  # a split block answers the same id twice: the first part wins
            got = data.get(pid)
            if isinstance(got, str):  # prompt v2: the category alone
                got = {"category": got}
            if isinstance(got, dict):
                out.problems.setdefault(pid, got)
        for fid, role in (data.get("roles") or {}).items():
            out.figure_roles.setdefault(fid, role)
    return out


def rules_category(text: str, blk: ProblemBlock) -> Category:
    """The rules' category: the class the finding's wording names (``agent.text.category``)."""
    title = text[blk.title[0] : blk.title[1]]
    desc = text[blk.description[0] : blk.description[1]] if blk.description else ""
    return category_of(title, desc, village_setting(text))  # type: ignore[return-value]


def status_of(text: str, blk: ProblemBlock) -> Status:
    """The rules' status of one problem from its rectification sentences (its measures); a paragraph taken as
    a candidate problem is its own rectification text; a finding with neither is ``unknown`` (so is a finding the
    learned model proposed: its own sentence states the defect, and read as rectification text it reads
    ``ongoing`` on feedback notices, measured on held-out 8 and 9)."""
    spans = blk.measures or ([blk.span] if blk.found_by == "paragraphs" else [])
    sentences = [text[a:b] for s, e in spans for a, b in sentence_spans(text, s, e)]
    if blk.found_by == "paragraphs":
        return status_from_phrases(text[blk.span[0] : blk.span[1]])
    return status_evidence(sentences)[0]


def _iso_at(figures: Sequence[Figure], span: Span | None) -> str | None:
    if span is None:
        return None
    for f in figures:
        if f.kind == "date" and f.span[0] < span[1] and span[0] < f.span[1]:
            return f.iso
    return None


def build_record(
    source: str,
    notice_id: str,
    outline: Outline,
    figures: list[Figure],
    answers: Answers | None,
    usage: Usage | None = None,
    model: str | None = None,
    prompt_version: str | None = None,
    url: str | None = None,
    page_published: str | None = None,
) -> NoticeRecord:
    """The record of one notice: the rules' structure, the model's answers checked against the text."""
    text = outline.text
    ans = answers or Answers()
    figures = [f.model_copy() for f in figures]  # roles go on copies: the caller's regex figures stay as found
    checks = _figure_roles(text, figures, ans.figure_roles)
    problems = _problems(text, outline, figures, ans)
    dt = _doc_type(text, outline, checks)
    inspection, published = _inspection(text, outline, figures, bare_ok=dt != "other")
    totals = stated_totals(text, figures)
    checks.extend(check_totals(totals, problems))
    checks.extend(_outline_checks(outline, ans.errors))
    return NoticeRecord(
        source=source,
        notice_id=notice_id,
        url=url,
        text=text,
        title=grounded(text, outline.title),
        doc_type=dt,
        issuer=grounded(text, outline.issuer) or grounded(text, issuer_from_title(text, outline.title)),
        published=published or page_published,  # the text's own date first, else the page's meta tags
        inspection=inspection,
        units=[g for g in (grounded(text, u) for u in outline.units) if g],
        problems=problems,
        figures=figures,
        stated_totals=totals,
        contact=Contact(phone=grounded(text, outline.phone), email=grounded(text, outline.email), address=grounded(text, outline.address)),
        checks=checks,
        errors=list(ans.errors),
        usage=usage or Usage(),
        model=model,
        prompt_version=prompt_version,
    )


def _figure_roles(text: str, figures: list[Figure], said: dict[str, str]) -> list[Check]:
    """Roles on the figures (in place): a model's role by id when it holds, else the rules' from the clause.

    An id the model made up never reaches the record; a role is its words without the figure's own text (the
    1.5B model often answered "1524户" for 1524户, which says nothing); a role that is only the number, or
    carries another number (numbers come only from the regex layer), is dropped, and so is a role whose words
    are not in the text around its figure (e.g. copied from the prompt)."""
    by_id = {f.id: f for f in figures}
    checks: list[Check] = []
    ungrounded: list[str] = []
    numeric: list[str] = []
    for fid, role in said.items():
        f = by_id.get(fid)
        words = role_words(role, f.text) if f is not None else ""
        if f is None:
            checks.append(Check(code="model_figure_unknown", severity="warning", message=f"model named {fid}, which is not a regex figure; dropped"))
        elif not words or any(c.isdigit() for c in words):
            numeric.append(f"{fid} {role!r}")
        elif role_grounded(text, f.span, words):
            f.role = words
        else:
            ungrounded.append(f"{fid} {role!r}")
    for f in figures:  # the rules name what a number measures from its own clause where the model did not
        if f.role is None:
            f.role = rule_role(text, f)
    if numeric:
        checks.append(Check(code="role_has_number", severity="info", message=f"{len(numeric)} figure role(s) were only a number or carried another one, dropped: {'; '.join(numeric[:5])}"))
    if ungrounded:
        checks.append(Check(code="role_not_in_text", severity="warning", message=f"{len(ungrounded)} figure role(s) not found near their figure, dropped: {'; '.join(ungrounded[:5])}"))
    return checks


def _problems(text: str, outline: Outline, figures: list[Figure], ans: Answers) -> list[Problem]:
    """Each problem block as a record problem: status from its evidence, the model's category where it was
    asked (else the rules'), every text part a span, the figures inside it."""
    by_start = in_order(figures)  # find_figures' order already; bisected per problem
    problems: list[Problem] = []
    for blk in outline.problems:
        got = ans.problems.get(blk.id)
        problems.append(
            Problem(
                id=blk.id,
                unit=blk.unit,
                category=(got.get("category") if got else None) or rules_category(text, blk),  # type: ignore[arg-type]  # a Category value
                title=grounded(text, blk.title) or Grounded(text="", span=None, alignment="none"),
                description=grounded(text, blk.description),
                measures=[g for g in (grounded(text, m) for m in blk.measures) if g],
                status=status_of(text, blk),
                figure_ids=[f.id for f in within(by_start, blk.span) if f.kind != "phone"],
                span=blk.span,
                found_by=blk.found_by,
            )
        )
    return problems


def _doc_type(text: str, outline: Outline, checks: list[Check]) -> DocType:
    """The document type (``agent.text.rules.doc_type_read``: the learned model where it is sure, else the
    rules); a disagreement is a check."""
    title_text = text[outline.title[0] : outline.title[1]] if outline.title else ""
    dt, rules_said = doc_type_read(text, title_text, len(outline.units))
    if dt != rules_said:
        checks.append(Check(code="doc_type_disagrees", severity="info", message=f"learned model says {dt}, rules say {rules_said}; kept {dt}"))
    if dt == "other":
        checks.append(Check(code="not_a_notice", severity="warning", message="text does not read as an inspection notice; fields may be empty"))
    return dt


def _inspection(text: str, outline: Outline, figures: list[Figure], bare_ok: bool = True) -> tuple[Inspection, str | None]:
    """Who inspected whom and when (the rules, from the opening), and the published date. ``bare_ok``: a bare
    ``巡察组`` names the group (not in a round's announcement, where it means any of them)."""
    # the opening: from the title through the intro paragraph(s), at least the first 600 characters
    opening = (0, max(outline.intro[1] if outline.intro else 0, min(len(text), 600)))
    facts = inspection_facts(text, opening, figures, outline.published, bare_ok)
    inspection = Inspection(
        inspector=grounded(text, facts.inspector),
        kind=grounded(text, facts.kind),
        start=facts.start,
        end=facts.end,
        feedback_date=facts.feedback_date,
        targets=[g for g in (grounded(text, t) for t in facts.targets or []) if g],
    )
    published = _iso_at(figures, outline.published) or _iso_at(figures, outline.signoff_date)
    return inspection, published


DOUBT = 0.1  # on 661 rule findings of the gold: 43 fall below, 10 of them wrong (of 14 wrong in all)


def _model_doubts(text: str, blk: ProblemBlock) -> bool:
    """Whether the clause model disagrees with the rules: no clause of the finding's own words scores DOUBT."""
    if load("clauses") is None:
        return False
    s, e = blk.description or blk.title
    scores = clause_scores(text, clauses(text, s, min(e, s + 2000)))
    return bool(scores) and max(scores) < DOUBT


def _outline_checks(outline: Outline, errors: list[ChunkError]) -> list[Check]:
    checks = [Check(code="chunk_failed", severity="error", message=f"chunk {err.chunk_id} failed ({err.kind}); its problems keep rule-based answers")
              for err in errors]
    if outline.grammar == "paragraphs":
        checks.append(Check(code="paragraph_fallback", severity="warning", message=f"no heading grammar recognised; {len(outline.problems)} paragraph(s) with problem wording taken as candidate problems, one per paragraph"))
    learned = [b.id for b in outline.problems if b.found_by == "learned"]
    doubted = [b.id for b in outline.problems if b.found_by != "learned" and _model_doubts(outline.text, b)]
    if doubted:
        checks.append(Check(code="learned_doubts", severity="info", message=f"{', '.join(doubted)}: the clause model learned from the gold scores none of its clauses as a finding (below {DOUBT}); check them"))
    if learned:
        checks.append(Check(code="learned_only", severity="info", message=f"{', '.join(learned)}: proposed by the clause model learned from the gold where no rule cut a finding"))
    if not outline.problems:
        checks.append(Check(code="no_problems_found", severity="warning", message=f"no problem grammar recognised (outline: {outline.grammar})"))
    return checks


def check_totals(totals: Sequence[object], problems: list[Problem]) -> list[Check]:
    """Stated totals against the extracted problems and against each other."""
    out: list[Check] = []
    by: dict[str, float] = {}
    for t in totals:
        subject, value = getattr(t, "subject"), getattr(t, "value")  # noqa: B009
        by.setdefault(subject, value)
    n = len(problems)
    if "problems" in by:
        stated = int(by["problems"])
        ok = stated == n
        out.append(Check(code="total_problems", severity="info" if ok else "warning", message=f"notice states {stated} problems; extracted {n}"))
    if "completed" in by and "problems" in by:
        done, total = int(by["completed"]), int(by["problems"])
        rest = int(by.get("in_progress", 0))
        ok = done + rest == total
        out.append(Check(code="total_status_sum", severity="info" if ok else "warning", message=f"completed {done} + in progress {rest} = {done + rest}; stated total {total}"))
    if "completed" in by:
        got = sum(1 for p in problems if p.status == "completed")
        out.append(Check(code="total_completed", severity="info", message=f"notice states {int(by['completed'])} completed; {got} extracted problems read as completed"))
    return out
