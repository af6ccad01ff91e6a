"""The eval runner: structure the sample notices, score them against gold, write and compare reports.

Three ways to produce records: ``rules`` (``--no-llm``), ``replay`` (the cassettes recorded from the real
embedded server, offline and deterministic: what CI runs) and ``live`` (any server; it records its own
cassettes into the report folder so the run can be replayed). Reports are ``report.json`` + ``report.md``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.llm.modelfile import DEFAULT_MODEL_NAME
from agent.record.pipeline import analyse, model_record, rules_record
from agent.record.prompts import load
from agent.schema import NoticeRecord
from agent.scoring.evaluate import prf, score_record
from agent.text.ingest import read_notice

ROOT = Path(__file__).resolve().parents[2]
GOLD_ROOT = ROOT / "evals" / "gold"
GOLD = GOLD_ROOT / "v1"
GOLD_SETS = (GOLD_ROOT / "v1", GOLD_ROOT / "v2")  # the five samples; real published news notices
NOTICES = ROOT / "evals" / "notices"
CASSETTES = ROOT / "cassettes" / "test_pipeline_replay"
REPLAY_URL = "http://127.0.0.1:9/v1"
EMBEDDED_MODEL = DEFAULT_MODEL_NAME  # the name the embedded server answers to (the cassettes were recorded with it)
MATCH_ON = ("method", "path", "body")
DROP_HEADERS = ("authorization", "cookie", "set-cookie", "openai-organization", "openai-project", "api-key")


def cassette_for(stem: str, gold_dir: Path = GOLD) -> Path:
    """v1's cassettes are the pipeline replay test's; other gold sets have ``cassettes/eval_<set>/``."""
    if gold_dir.name == "v1":
        return CASSETTES / f"test_structure_with_model[{stem}].yaml"
    return ROOT / "cassettes" / f"eval_{gold_dir.name}" / f"{stem}.yaml"


def notice_file(stem: str, gold: dict[str, Any]) -> Path:
    """The notice a gold record describes (its ``source``), else the sample of that name."""
    src = gold.get("source")
    return ROOT / src if src else NOTICES / f"{stem}.txt"


def scrub_request(request: Any) -> Any:
    """A cassette keeps no health checks and no ``x-*`` request headers (the tests record with the same)."""
    if request.path.endswith("/health"):
        return None
    for name in list(request.headers):
        if name.lower().startswith("x-"):
            del request.headers[name]
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROP_HEADERS or name.lower().startswith("x-"):
            del headers[name]
    return response


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))}


async def _model_run(path: str, settings: Settings, base_url: str, model: str, cache: Path | None = None) -> NoticeRecord:
    """One notice through the model; with ``cache`` (a store), chunks answered before are not sent again."""
    from agent.batch.runner import Runner
    from agent.batch.store import Store
    from agent.llm.extract import Extractor

    ex = Extractor(settings, base_url, model, load(settings.prompt_version))
    stem = Path(path).stem
    try:
        if cache is None:
            return await model_record(analyse(read_notice(path)), ex)
        with Store(cache) as store:
            await Runner(store, ex, force=True).run([path], ["eval", stem])
            rec = store.record(path, ex.model, ex.prompts.version)
        if rec is None:
            raise RuntimeError(f"{path}: no record after the eval run (see {cache})")
        return rec
    finally:
        await ex.close()


def produce(stem: str, mode: str, settings: Settings, base_url: str | None, model: str | None, out: Path,
            cache: Path | None = None, gold_dir: Path = GOLD, notice: Path | None = None) -> NoticeRecord:
    notice = notice or NOTICES / f"{stem}.txt"
    if mode == "rules":
        return rules_record(analyse(read_notice(notice)))
    import vcr  # replay and live both go through a cassette

    if mode == "replay":
        path, record, url, mdl = cassette_for(stem, gold_dir), "none", REPLAY_URL, EMBEDDED_MODEL
        if not path.exists() and analyse(read_notice(notice)).chunks:
            raise FileNotFoundError(f"no cassette for {stem}: {path} (run `make record`)")
    else:
        assert base_url and model
        path, record, url, mdl = out / "cassettes" / f"{stem}.yaml", "all", base_url, model
    recorder = vcr.VCR(record_mode=record, match_on=MATCH_ON, filter_headers=[(h, None) for h in DROP_HEADERS],
                       before_record_request=scrub_request, before_record_response=scrub_response,
                       decode_compressed_response=True)
    with recorder.use_cassette(str(path)):
        return asyncio.run(_model_run(str(notice), settings, url, mdl, cache if mode == "live" else None))


def aggregate(per: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def mean(path: tuple[str, ...]) -> float | None:
        vals = []
        for s in per.values():
            v: Any = s
            for k in path:
                v = v.get(k) if isinstance(v, dict) else None
            if isinstance(v, (int, float)):
                vals.append(float(v))
        return round(sum(vals) / len(vals), 4) if vals else None

    def micro(fam: str) -> dict[str, float]:  # the same formula as each notice's score (empty sets included)
        return prf(*(sum(s[fam][k] for s in per.values()) for k in ("matched", "predicted", "gold")))

    def ratio(fam: str, key: str) -> float | None:
        hit = sum(s[fam][key][0] for s in per.values() if s[fam].get(key))
        n = sum(s[fam][key][1] for s in per.values() if s[fam].get(key))
        return round(hit / n, 4) if n else None

    def share(key: str, of: str) -> float | None:
        n = sum(s["problems"][of] for s in per.values())
        return round(sum(s["problems"][key] for s in per.values()) / n, 4) if n else None

    def confusion() -> dict[str, int]:
        out: dict[str, int] = {}
        for s in per.values():
            for k, v in s["problems"]["status_confusion"].items():
                out[k] = out.get(k, 0) + v
        return dict(sorted(out.items()))

    keyed = any(s["figures"].get("keyed", True) for s in per.values())  # held-out 8 on: figures not keyed
    gold_n = sum(s["problems"]["gold"] for s in per.values())
    pred_n = sum(s["problems"]["predicted"] for s in per.values())
    return {
        "cover_recall": round(sum(s["problems"]["covered"] for s in per.values()) / gold_n, 4) if gold_n else 1.0,
        "content_precision": round(sum(s["problems"]["content"] for s in per.values()) / pred_n, 4) if pred_n else 1.0,
        "inspection_fields": mean(("metadata", "inspection")),
        "problem_f1": micro("problems")["f1"],
        "problem_precision": micro("problems")["precision"],
        "problem_recall": micro("problems")["recall"],
        "status_accuracy": mean(("problems", "status_accuracy")),
        "category_accuracy": mean(("problems", "category_accuracy")),
        "unit_accuracy": mean(("problems", "unit_accuracy")),
        "measures_recall": mean(("problems", "measures_recall")),
        **({"figure_precision": micro("figures")["precision"], "figure_recall": micro("figures")["recall"],
            "figure_f1": micro("figures")["f1"]} if keyed else {"figure_precision": None, "figure_recall": None, "figure_f1": None}),
        "figures_attached_right": mean(("figures", "attached_right")),
        "figure_roles": mean(("figures", "roles")),
        "roles_right": ratio("figures", "roles_right_n"),
        "status_micro": share("status_right", "matched"),
        "category_micro": share("category_right", "category_gold"),
        "status_confusion": confusion(),
        "metadata_accuracy": mean(("metadata", "accuracy")),
        "grounding_text": mean(("grounding", "text_fields")),
        "grounding_figures": mean(("grounding", "figures")),
        "requests_per_notice": mean(("cost", "requests")),
        "prompt_tokens_per_notice": mean(("cost", "prompt_tokens")),
        "completion_tokens_per_notice": mean(("cost", "completion_tokens")),
        "seconds_per_notice": mean(("cost", "seconds")),
        "chunk_errors": sum(s["errors"] for s in per.values()),
    }


def run_eval(mode: str, settings: Settings, out: Path, gold_dir: Path = GOLD, base_url: str | None = None,
             model: str | None = None, cache: Path | None = None, holdout_train: bool = False) -> dict[str, Any]:
    """Score ``mode`` (rules | replay | live) on the gold notices. A live run with ``cache`` (a store) sends
    only chunks it has not asked before: an eval on unchanged inputs sends nothing twice; the cassettes in
    the report then hold only what was sent. ``holdout_train``: the learned models are retrained without this
    gold set first, so it is scored as unseen."""
    if holdout_train:
        import tempfile

        from agent.scoring import train
        from agent.text import learned

        with tempfile.TemporaryDirectory() as tmp:
            train.train_all([d for d in train.gold_dirs() if d.name != gold_dir.name], Path(tmp))
            learned.use(Path(tmp))
            try:
                report = run_eval(mode, settings, out, gold_dir, base_url, model, cache)
            finally:
                learned.use(None)
        report["meta"]["holdout_train"] = True
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return report
    gold = load_gold(gold_dir)
    per: dict[str, dict[str, Any]] = {}
    version = model_name = None
    for stem, g in gold.items():
        notice = notice_file(stem, g)
        rec = produce(stem, mode, settings, base_url, model, out, cache, gold_dir, notice)
        per[stem] = score_record(rec, g, analyse(read_notice(notice)).regex_figures())
        version, model_name = rec.prompt_version, rec.model
    report = {
        "meta": {"mode": mode, "model": model_name, "prompt_version": version, "cache": None if cache is None or mode != "live" else str(cache), "gold": str(gold_dir.relative_to(ROOT)) if gold_dir.is_relative_to(ROOT) else str(gold_dir)},
        "overall": aggregate(per),
        "notices": per,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(to_markdown(report), encoding="utf-8")
    return report


def to_markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [f"# Eval: {meta['mode']} · model {meta['model']} · prompt {meta['prompt_version']} · gold {meta['gold']}", ""]
    lines += ["| metric | overall |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in report["overall"].items() if k != "status_confusion"]
    lines += ["", *confusion_table(report["overall"].get("status_confusion") or {})]
    lines += ["", "| notice | problem F1 | status acc | figure F1 | metadata | seconds |", "|---|---|---|---|---|---|"]
    for stem, s in report["notices"].items():
        lines.append(
            f"| {stem} | {s['problems']['f1']} | {s['problems']['status_accuracy']} | {s['figures']['f1']} | {s['metadata']['accuracy']} | {s['cost']['seconds']} |"
        )
    return "\n".join(lines) + "\n"


STATUSES = ("completed", "in_progress", "ongoing", "unknown")


def confusion_table(confusion: dict[str, int]) -> list[str]:
    """Status confusion as a markdown table: gold in rows, predicted in columns."""
    if not confusion:
        return []
    lines = ["status: gold (rows) × predicted (columns)", "", "| gold \\ predicted | " + " | ".join(STATUSES) + " |",
             "|---" * (len(STATUSES) + 1) + "|"]
    for g in STATUSES:
        lines.append(f"| {g} | " + " | ".join(str(confusion.get(f"{g}>{p}", 0)) for p in STATUSES) + " |")
    return lines


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any, float | None]]:
    """(metric, A, B, B − A) for every overall metric."""
    rows = []
    for k in a["overall"]:
        va, vb = a["overall"].get(k), b["overall"].get(k)
        delta = round(vb - va, 4) if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
        rows.append((k, va, vb, delta))
    return rows


def report_pairs(a: Path, b: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Two report folders, each either one report or one sub-folder per gold set: the pairs to compare."""
    def reports(folder: Path) -> dict[str, dict[str, Any]]:
        if (folder / "report.json").exists():
            return {"": json.loads((folder / "report.json").read_text(encoding="utf-8"))}
        return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/report.json"))}

    ra, rb = reports(a), reports(b)
    if set(ra) != set(rb) and len(ra) == len(rb) == 1:
        return {"": (next(iter(ra.values())), next(iter(rb.values())))}
    return {k: (ra[k], rb[k]) for k in ra if k in rb}
