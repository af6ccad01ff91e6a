"""A finding's category from its wording (no model), on findings written fresh for the test."""

from __future__ import annotations

import pytest

from agent.schema import CATEGORIES
from agent.text.category import HINTING, NAMING, category_choices, category_from_words, unwrap


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("执行“三重一大”制度不严格", "党组织建设"),  # a naming word beats the hinting 落实/执行
        ("选人用人工作不够规范", "干部队伍"),
        ("报销票据审核把关不严", "财务资金"),
        ("学习贯彻上级决策部署打折扣", "决策落实"),  # 决策部署 names it; 学习 only hints
        ("上轮巡察反馈问题整改不彻底", "整改落实"),
        ("村医疗点服务群众不到位", "民生服务"),
        ("对理论学习重视不够", "理论学习"),
        ("落实工作不够有力", "决策落实"),  # only hinting words
        ("管理比较粗放", "其他"),  # no word of any class
    ],
)
def test_class_from_naming_then_hinting_words(title: str, category: str) -> None:
    assert category_from_words(title) == category


def test_the_description_names_the_class_when_the_title_does_not() -> None:
    assert category_from_words("管理比较粗放", "村集体资产出租未经集体讨论") == "资产管理"


def test_a_headings_wrapper_is_not_the_finding() -> None:
    assert unwrap("关于“资产台账管理不规范”问题的整改情况") == "资产台账管理不规范"
    assert unwrap("关于推进乡村振兴的情况") == "关于推进乡村振兴的情况"
    # the wrapper's 整改 would make every heading 整改落实
    assert category_from_words("关于“法治意识淡薄”问题的整改") == "决策落实"


def test_choices_are_every_class_the_wording_names() -> None:
    assert category_choices("安全生产主体责任落实不到位") == ("作风纪律", "安全生产")
    assert category_choices("管理比较粗放") == ()


def test_tables_name_only_known_classes() -> None:
    assert {name for name, _ in NAMING + HINTING} <= set(CATEGORIES)


def test_the_inspected_body_as_subject_is_not_the_topic() -> None:
    assert unwrap("党组织推进高质量发展有差距") == "推进高质量发展有差距"
    assert category_from_words("党组织推进高质量发展有差距") == "决策落实"
    assert category_from_words("党组织书记作用发挥不够") == "党组织建设"  # not a subject with a verb


def _prompt_examples() -> list[tuple[str, str]]:
    """The examples the model's prompt gives per class (``如：A；B。`` after each class's definition)."""
    import re
    from pathlib import Path

    system = (Path(__file__).resolve().parent.parent / "prompts" / "v2" / "system.md").read_text(encoding="utf-8")
    return [(cls, ex) for cls, said in re.findall(r"^(\S+)：[^\n]*?如：([^\n]+)$", system, re.M)
            for ex in said.rstrip("。").split("；")]


@pytest.mark.parametrize(("category", "example"), _prompt_examples())
def test_the_words_agree_with_the_prompts_examples(category: str, example: str) -> None:
    # one vocabulary of classes: what the prompt shows the model as a class's example, the words call that class
    assert category in CATEGORIES
    assert category_from_words(example) == category


@pytest.mark.parametrize(
    ("said", "rural", "daily"),
    [
        ("村里的机井损坏，无法满足灌溉需求", True, False),  # what a village farms with: 乡村振兴
        ("原先的垃圾池无人清理，一到热天臭气熏天", True, True),  # its rubbish (人居环境), asked before DAILY_LIFE
        ("小区路灯晚上不亮，居民出行不便", False, True),  # what residents live with: 民生服务
        ("路面出现了多个坑洼", False, True),  # a road's potholes are no pond (塘)
    ],
)
def test_rural_words_come_before_daily_life(said: str, rural: bool, daily: bool) -> None:
    from agent.text.category import DAILY_LIFE, RURAL

    assert bool(RURAL.search(said)) is rural and bool(DAILY_LIFE.search(said)) is daily


@pytest.mark.parametrize(
    ("notice", "village"),
    [
        ("巡察组到朗溪村走访，村民反映村里的道路破损，村干部多次催修。", True),  # a village's story: 人居环境 is 乡村振兴
        ("巡察组走访某社区，小区居民反映路灯不亮，街道办和物业互相推诿，村里来的租户也有意见。", False),  # a town's
        ("县委巡察组对县民政局开展巡察，发现低保审核不严。", False),  # no village at all
    ],
)
def test_a_notice_set_in_a_village(notice: str, village: bool) -> None:
    from agent.text.category import village_setting

    assert village_setting(notice) is village
