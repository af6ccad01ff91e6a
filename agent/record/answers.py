"""What the model answers per chunk: closed, short fields keyed by the chunk's own ids.

Why its own module: these are the instructor response models, built per chunk. Every problem id and every
tagged figure id of the chunk is a *required key* of the schema, and nothing else is allowed, so with a
server that constrains output by JSON Schema (llama.cpp, vLLM) the model cannot invent an id, skip an item
or copy text back: it fills in enums and ≤12-character roles. Measured on this machine, the earlier shape
(a free list of ``{"id": ..., "role": ...}``) let the 1.5B model invent ids for chunks with no figures and
cost a notice 392 s in re-asks. With servers that do not constrain output, the same models validate the
reply and their messages (written for the model) go back on a re-ask. Pure pydantic.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from agent.schema import Category

Role = Annotated[str, Field(min_length=1, max_length=12, description="what the number is, at most 12 characters; no digits")]

class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")



@lru_cache(maxsize=1024)
def problems_model(items: tuple[str, ...], figure_ids: tuple[str, ...],
                   choices: tuple[tuple[str, ...], ...] = ()) -> type[BaseModel]:
    """``{"P3": "<category>", …}`` with exactly these keys, each an enum of the classes the rules left open
    for that problem (``chunks.choices_for``; all of them when no class's wording fits). Status comes from the rules' evidence (``rules.status_evidence``: measured, the
    model lowered the rules' status score) and roles from each figure's own clause (``roles.rule_role``:
    0.58 against the model's 0.23 on gold v1), so neither costs output tokens. Figure ids, when a chunk still
    tags some, get a role key as before."""
    fields: dict[str, Any] = {}
    for i, pid in enumerate(items):
        options = choices[i] if i < len(choices) and choices[i] else None
        kind: Any = Literal[options] if options else Category  # type: ignore[valid-type]
        fields[pid] = (kind, Field(description=f"category of problem {pid}"))
    if figure_ids:
        roles = create_model(  # type: ignore[call-overload]
            "Roles", __base__=_Closed, **{fid: (Role, Field(description=f"role of figure {fid}")) for fid in figure_ids}
        )
        fields["roles"] = (roles, Field(description="one role per tagged figure id"))
    return create_model("ProblemAnswers", __base__=_Closed, **fields)  # type: ignore[no-any-return, call-overload]


def answer_budget(n_items: int, n_figures: int) -> int:
    """max_tokens for a chunk's reply: enough for the closed answer, too little for a runaway."""
    return min(1024, 32 + 14 * n_items + 22 * n_figures)
