"""The output contract: one JSON record per notice, and the short answer the model gives per chunk.

Why a module of its own: every stage (rules, model, reconcile, sinks, evals) speaks these types, and the
JSON Schema files in ``schemas/`` are exported from them (``xuncha schema``), so there is one source of
truth. Pure pydantic: nothing here talks to a server.

Spans are ``[start, end)`` character offsets into the record's ``text`` (the cleaned notice).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Span = tuple[int, int]
Alignment = Literal["exact", "fuzzy", "none"]
DocType = Literal["feedback", "rectification_progress", "rectification_roundup", "other"]
Status = Literal["completed", "in_progress", "ongoing", "unknown"]
FigureKind = Literal["money", "count", "percent", "measure", "duration", "date", "phone"]
Severity = Literal["info", "warning", "error"]

# Problem categories, in Chinese because the model reads and answers in Chinese. Kept short: a 1.5B model
# picks well from about a dozen labels and poorly from fifty. The one list: ``CATEGORIES`` is read off it.
Category = Literal[
    "理论学习",  # study of Xi's speeches, 理论中心组, 意识形态
    "决策落实",  # carrying out higher-level decisions, 依法行政, 国家安全, 发展
    "乡村振兴",  # rural revitalisation, collective economy, agriculture, land
    "民生服务",  # 低保, 养老, 信访, 群众诉求, services to residents
    "安全生产",  # safety, 应急, 消防, 交通
    "财务资金",  # money handling, 津补贴, 往来账, 资金, 税收
    "工程项目",  # construction projects, 招投标, 合同
    "资产管理",  # assets, 固定资产, 国有企业
    "作风纪律",  # 八项规定, 两个责任, 廉政, 作风
    "党组织建设",  # 基层党组织, 党员发展, 组织生活, 三会一课
    "干部队伍",  # cadres, 后备干部, 人才, 选人用人
    "整改落实",  # previous inspection or audit rectification
    "其他",
]
CATEGORIES: tuple[str, ...] = get_args(Category)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Grounded(_Model):
    """A text field with where it stands in the notice."""

    text: str
    span: Span | None = None
    alignment: Alignment = "none"


class Figure(_Model):
    id: str = Field(description="F1, F2, ... in order of appearance")
    text: str = Field(description="exact surface text, text[span[0]:span[1]]")
    value: float
    unit: str
    kind: FigureKind
    approx: bool = False
    span: Span
    iso: str | None = Field(default=None, description="dates only: ISO 8601 date, month (YYYY-MM) or year")
    iso_end: str | None = Field(default=None, description="dates only: end of a range")
    role: str | None = Field(default=None, description="the model's <=12-character meaning; null without a model")


class Problem(_Model):
    id: str
    unit: str | None = None
    category: Category | None = None
    title: Grounded
    description: Grounded | None = None
    measures: list[Grounded] = Field(default_factory=list)
    status: Status = "unknown"
    figure_ids: list[str] = Field(default_factory=list)
    span: Span
    found_by: str | None = Field(default=None, description="the recognizer that cut it: headings, inline, disclosure, prose, paragraphs, learned (the clause model learned from the gold), discovered (a defect after a discovery lead), listed (a defect list closed by 等…问题 after any verb)")


class StatedTotal(_Model):
    """A total the notice states about itself, e.g. 指出了20个具体问题 or 已经整改完成48个."""

    subject: Literal["problems", "aspects", "completed", "in_progress", "units"]
    value: float
    figure_id: str | None = None
    text: str
    span: Span


class Inspection(_Model):
    inspector: Grounded | None = None
    kind: Grounded | None = None
    start: str | None = None
    end: str | None = None
    feedback_date: str | None = None
    targets: list[Grounded] = Field(default_factory=list)


class Contact(_Model):
    phone: Grounded | None = None
    email: Grounded | None = None
    address: Grounded | None = None


class Check(_Model):
    code: str
    severity: Severity
    message: str


class ChunkError(_Model):
    chunk_id: str
    kind: str
    message: str
    attempts: int = 0


class Usage(_Model):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class NoticeRecord(_Model):
    source: str
    notice_id: str
    url: str | None = Field(default=None, description="where it was published: the file's first line `source: URL`")
    text: str
    title: Grounded | None = None
    doc_type: DocType | None = None
    issuer: Grounded | None = None
    published: str | None = None
    inspection: Inspection = Field(default_factory=Inspection)
    units: list[Grounded] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    stated_totals: list[StatedTotal] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    checks: list[Check] = Field(default_factory=list)
    errors: list[ChunkError] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    model: str | None = None
    prompt_version: str | None = None
