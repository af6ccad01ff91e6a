"""Imported by the rule workers' fork server: the rules, their tables and the learned models, loaded once.

Why a module of its own: workers fork from a server process (``agent.batch.workers``) that imports the
modules it is told to preload; what those imports load is shared by every worker it forks. Importing this
module structures one short text, so the OpenCC table (built per process, ~0.3 s) and the models from
``agent/models`` are in memory before any worker starts, and no notice's time budget pays for them.
"""

from __future__ import annotations

from agent.record.pipeline import analyse, rules_record
from agent.text.ingest import Notice


def warm() -> None:
    """Structure one short text, so that every lazy table and model is loaded."""
    rules_record(analyse(Notice(source="warm", text="巡察組反饋：存在問題3個。", encoding="utf-8", notice_id="warm")))


warm()
