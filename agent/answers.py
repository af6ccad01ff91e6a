"""What the model answers per chunk: closed, short fields and references by id, validated for the model.

Why its own module: these are the instructor response models. Their validator messages are written for
the model, because instructor sends them back on a re-ask; the allowed problem and figure ids come in the
validation context, so an id the model invents is refused before it can reach the record. Pure pydantic.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from agent.schema import DocType, Status

StatusCN = Literal["已完成", "正在整改", "长期坚持", "不明"]
CategoryCN = Literal[
    "理论学习", "决策落实", "乡村振兴", "民生服务", "安全生产", "财务资金", "工程项目", "资产管理",
    "作风纪律", "党组织建设", "干部队伍", "整改落实", "其他",
]
DocTypeCN = Literal["巡察反馈", "整改进展", "整改汇总", "其他"]
DateRoleCN = Literal["巡察期间", "反馈日期", "发布日期", "其他"]

STATUS_MAP: dict[str, Status] = {"已完成": "completed", "正在整改": "in_progress", "长期坚持": "ongoing", "不明": "unknown"}
DOC_TYPE_MAP: dict[str, DocType] = {
    "巡察反馈": "feedback",
    "整改进展": "rectification_progress",
    "整改汇总": "rectification_roundup",
    "其他": "other",
}


def _allowed(info: ValidationInfo, key: str) -> set[str] | None:
    ctx: dict[str, Any] = info.context or {}
    vals = ctx.get(key)
    return set(vals) if vals is not None else None


class FigureRole(BaseModel):
    id: str = Field(pattern=r"^F\d+$", description="figure id as tagged in the text, e.g. F12")
    role: str = Field(max_length=12, description="what the number is, at most 12 characters")

    @field_validator("id")
    @classmethod
    def _known_figure(cls, v: str, info: ValidationInfo) -> str:
        allowed = _allowed(info, "figure_ids")
        if allowed is not None and v not in allowed:
            raise ValueError(f"{v} is not tagged in this text; use only these ids: {', '.join(sorted(allowed)) or 'none'}")
        return v


class ProblemAnswer(BaseModel):
    item: str = Field(pattern=r"^P\d+$")
    status: StatusCN
    category: CategoryCN
    figures: list[FigureRole] = Field(default_factory=list)

    @field_validator("item")
    @classmethod
    def _known_item(cls, v: str, info: ValidationInfo) -> str:
        allowed = _allowed(info, "items")
        if allowed is not None and v not in allowed:
            raise ValueError(f"{v} is not a problem in this text; answer exactly these items: {', '.join(sorted(allowed))}")
        return v


class ProblemAnswers(BaseModel):
    problems: list[ProblemAnswer]

    @model_validator(mode="after")
    def _every_item_once(self, info: ValidationInfo) -> ProblemAnswers:
        allowed = _allowed(info, "items")
        got = [p.item for p in self.problems]
        if allowed is not None:
            missing = sorted(allowed - set(got))
            if missing:
                raise ValueError(f"answer every problem once: missing {', '.join(missing)}")
        dup = sorted({i for i in got if got.count(i) > 1})
        if dup:
            raise ValueError(f"answer every problem once: {', '.join(dup)} answered more than once")
        return self


class DateRole(BaseModel):
    id: str = Field(pattern=r"^F\d+$")
    role: DateRoleCN

    @field_validator("id")
    @classmethod
    def _known_date(cls, v: str, info: ValidationInfo) -> str:
        allowed = _allowed(info, "figure_ids")
        if allowed is not None and v not in allowed:
            raise ValueError(f"{v} is not a date tagged in this text; use only: {', '.join(sorted(allowed)) or 'none'}")
        return v


class HeaderAnswer(BaseModel):
    doc_type: DocTypeCN
    dates: list[DateRole] = Field(default_factory=list)
    problem_total: int | None = Field(default=None, ge=0, le=500)
