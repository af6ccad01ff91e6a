"""The words that decide, one vocabulary per concept, each entry with an example and a non-example.

Why a module of its own: a wording that decides whether a clause is a finding, a request, a pledge or
procedure must live once, as data, so that a new word is one line and one example, and one parametrized
test (``tests/test_vocab.py``) proves every entry on its example (must match) and non-example (must not).
Entries are regex fragments; ``pattern(concept)`` joins them. The learned clause model
(``agent.text.findings.learned``) proposes findings, and these vocabularies veto requests, pledges and
procedure and name shortfalls. Pure.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple


class Entry(NamedTuple):
    fragment: str  # a regex fragment
    example: str  # a clause the fragment must match
    non_example: str  # a clause it must not match


# A shortfall: what makes a clause a defect statement (a subject and this).
SHORTFALL = (
    Entry(r"不到位", "政策宣传不到位", "宣传到位"),
    Entry(r"有差距|存在差距", "学习贯彻有差距", "缩小差距的措施"),
    Entry(r"弱化|淡化|虚化|边缘化", "党的领导弱化", "强化党的领导"),
    Entry(r"浅表化|表面化|简单化|碎片化|空心化|形式化", "学习领会文件精神浅表化", "防止学习表面"),
    Entry(r"缺失|缺位|缺乏|欠缺", "监督缺位", "补位"),
    Entry(r"不力|乏力", "整改不力", "有力推进"),
    Entry(r"短板", "基层治理存在短板", "补齐"),
    Entry(r"薄弱|涣散", "基层党建薄弱", "加强基层党建"),
    Entry(r"不严|不实|不细|不深|不足|不够[\u4e00-\u9fa5]{0,2}|不强|不高|不精准|不规范|不健全|不完善|不及时|不彻底|不扎实|不充分|不明显|不落实|不畅|不合理",
          "财务管理不规范", "规范财务管理"),
    Entry(r"流于形式|走过场|形式主义|官僚主义", "组织生活流于形式", "形式多样"),
    Entry(r"(?<![要应需须将])未(?!来)[^，,。；;]{0,12}", "未按规定公开", "未来三年"),
    Entry(r"违规|违反|违纪|超标准|超范围", "违规发放补贴", "规范发放"),
    Entry(r"滞后|迟缓|缓慢|拖延|落后", "项目推进缓慢", "加快推进"),
    Entry(r"问题(?:仍然|依然|较为|比较)?突出|频发|屡禁不止|时有发生", "问题仍然突出", "突出重点"),
)

# A comparison with a standard (对照…要求): it frames the findings that follow; its 要求 asks for nothing.
COMPARED = r"(?:对照|对标|比照|与)[^，,。；;]{0,16}?要求"  # (按照…要求 conforms: procedure, not this)
COMPARISON = (
    Entry(COMPARED, "但对照中央部署和省市区要求", "巡察组要求"),
)

# A demand met poorly (落实“增三性、去四化”要求不力): the 要求 is what fell short, and asks for nothing.
MET_POORLY = r"(?:不力|不到位|有差距|落实不|执行不|没有(?:真正)?落实)"
POORLY_MET = (
    Entry(rf"要求{MET_POORLY}", "群团组织落实“增三性、去四化”要求不力", "巡察组要求限期整改"),
)

# A request or suggestion: what the inspection asks to be done, not what it found.
REQUEST = (
    Entry(rf"^(?!{COMPARED})[^，,。；;]{{0,16}}?(?:要求(?!{MET_POORLY})|强调|希望|建议|提出了?[^，,。]{{0,12}}(?:意见|建议|要求))",
          "巡察组要求", "对照上级要求，仍存在学习不深入等问题"),
    Entry(r"^(?:要(?![素件点])|必须|务必|应当|需要)(?=[\u4e00-\u9fff])", "要切实加强学习", "要素保障不足"),
    Entry(r"^(?:针对(?![“\"][^”\"]{2,60}[”\"])|对此|下一步|今后)", "针对巡察反馈问题", "针对“规划把关不严”的整改情况"),
)

# A pledge: what the inspected body promises.
PLEDGE = (
    Entry(r"^[^，,。；;]{0,16}?(?:表示|表态|坚决|一定|确保|(?<!违规)(?<!擅自)(?<!私自)(?<!随意)(?<!违法)将(?=[\u4e00-\u9fff]))", "该局负责人表示", "表彰奖励违规"),
    Entry(r"^(?:切实|认真|全面|坚持|持续|进一步|扎实|着力|狠抓|抓好|推动|推进|加强|健全|完善|强化|结合|做到|决不|绝不|以)(?!不|有)",
          "进一步加强监督", "推进不力"),
)

# A frame: a clause that only says problems exist or where, or what the inspection looks at; the findings follow it.
FRAME = (
    Entry(r"^(?:但|也|还|仍然?|依然|同时)*(?:不同程度地?)?存在着?(?:一些|不少|一定的?)?(?:问题|不足|短板)$", "但仍然存在一些问题", "存在违规问题"),
    Entry(r"^(?:主要|具体)?(?:表现|体现)(?:在|为)$|^主要(?:是|有)$", "主要表现在", "表现不佳"),
    Entry(r"^在?[^，,。；;]{2,40}方面$", "选人用人方面", "在干部选拔任用方面不规范"),
    Entry(r"^[一二三四五六七八九十]+、(?:关于|聚焦|在)", "一、关于贯彻落实方面", "一是学习不深入"),
    Entry(r"既有[^，,]{0,10}也有", "既有共性问题也有个性问题", "存在问题整改不到位"),
    Entry(r"^(?:问题)?不容忽视$", "不容忽视", "忽视安全生产"),
    Entry(r"^(?:(?:共性|个性|突出|重要|主要|重点|普遍性|倾向性|深层次|具体)(?:的)?(?:问题)?(?:和|、|及|与|以及)?){1,3}$",
          "共性问题和突出问题", "突出问题整改不到位"),
)

# Meeting procedure and narration of the inspection itself.
PROCEDURE = (
    Entry(r"(?:主持|出席|参加|传达|讲话|通报了|反馈了|作了|召开|进驻|动员)", "会议由县委书记主持", "参会率低"),
    Entry(r"^(?:会上|会议|此次|本次|本轮|根据|按照|近日|日前|截至|截止)", "会上，巡察组指出", "会计账目不清"),
    Entry(r"巡[察视]组(?:组长|副组长)?[^，,。]{0,8}$", "县委第一巡察组组长", "巡察发现的问题"),
)

# A cue that opens a passage of findings.
FINDING_CUE = (
    Entry(r"指出|发现|反映出?|查找出", "巡察指出", "提出"),
    Entry(r"存在(?:的)?(?:主要|突出|一些|不少)?问题|存在着?", "存在的主要问题是", "依法存续"),
    Entry(r"主要(?:是|有|表现在|体现在|集中在)", "主要表现在", "主要领导"),
    Entry(r"共性问题|个性问题|突出问题", "共性问题", "解决问题的能力"),
    Entry(r"^问题[:：]", "问题：学习不深入", "问题整改"),
)

# A party body: the committee, group or branch that leads a unit (its name ends on one).
PARTY_BODY = (
    Entry(r"党委|党工委|党组(?!织)|党支部|党总支", "县林业局党组", "党组织"),
)
# A division of the country at county level or above (a city, county, district, banner, prefecture, league).
COUNTY = (
    Entry(r"[市县区旗州盟]", "临湘市", "党组织"),
)
# A division below the county (a township, town or sub-district).
TOWNSHIP = (
    Entry(r"镇|乡(?!村)|街道", "城关镇", "乡村振兴"),
)

# A body a finding or a heading can name: the suffix that ends a unit's name (one list for the whole product:
# the heading grammar and the prose recognizer used to disagree on 区委政法委, 县人民政府 and 县委宣传部).
UNIT_SUFFIX = (
    Entry(rf"(?:{PARTY_BODY[0].fragment}|委员会)$", "县林业局党组", "县林业局党组书记"),
    Entry(r"(?<!常)委$", "区委政法委", "区委常委"),
    Entry(r"(?:办|部|局|厅|署)$", "县委宣传部", "宣传部署工作"),
    Entry(r"(?:院|所|校|学院|大学|中心|站|馆)$", "县人民医院", "医院管理"),
    Entry(r"(?:公司|集团)$", "县城投公司", "公司治理"),
    Entry(r"(?:街道|镇|乡|村|社区)$", "城关镇", "乡镇干部"),
    Entry(r"(?:政府|机关|队|会)$", "县人民政府", "政府采购"),
)

# A word that names a problem (a finding's first clause uses one): broader than a shortfall, ``问题`` included.
PROBLEM_WORD = (
    Entry(r"(?<!聚焦)问题(?!导向)|差距|短板|偏差|漏洞|隐患|瑕疵", "存在廉政风险隐患", "坚持问题导向"),
    Entry(r"不到位|不够|不力|不严|不规范|不足|不实|不强|不高|不深入|不及时|不健全|不完善|不全面|不细|不明显|不彻底",
          "制度执行不严", "严格执行"),
    Entry(r"薄弱|滞后|缺失|缺乏|缺位|欠缺|弱化|淡化|虚化|浅表化|表面化|碎片化|混乱|松懈|粗放", "基层党建薄弱", "加强基层党建"),
    Entry(r"违规|违反|违纪|未按|未能|未及时|未严格|未有效|没有|仍未|尚未", "未按规定公示", "按规定公示"),
    Entry(r"打折扣|走过场|流于形式|有待|形式主义|官僚主义|屡禁不止|盲目|浪费|不作为|慢作为|乱作为|亟待|禁而不绝",
          "落实打折扣", "坚决落实"),
    # misconduct named by its own word, with no shortfall beside it (诸如近亲繁殖、搞利益输送、蚕食国资等共性问题)
    Entry(r"利益输送|权钱交易|以权谋私|近亲繁殖|带病提拔|跑官要官|买官卖官|小官巨腐|顶风违纪|吃拿卡要|优亲厚友|雁过拔毛"
          r"|虚报冒领|蚕食|侵占|挪用|截留|套取|贪污|受贿|索贿|行贿|吃空饷|小金库",
          "搞利益输送", "防范利益冲突"),
    Entry(r"(?<![反防惩治给])腐败|一家两制|超职数|官商勾结", "“能人腐败”“一家两制”等问题凸显", "容易给腐败留下空间"),
)

# Status cues of a rectification sentence: in progress (something is left) and standing (long-term) measures.
# 逐步 is in progress (it says the work is not done yet), never standing: the two status readers used to disagree.
STATUS_IN_PROGRESS = (
    Entry(r"正在|推进中|整改中|尚未|未完成|仍在|逐步|逐渐|即将|初步|预计|协商|将于|将在|力争|力求|分批|剩余",
          "正在逐步清退", "已全部清退"),
    Entry(r"争取(?![^。，,]{0,6}资金)|争创|待[^。，,]{1,12}后", "争取年底前完成", "争取上级资金100万元"),
)
STATUS_ONGOING = (
    Entry(r"长期坚持|持续(?:推进|深化|抓好|加强|整改)|常态化|长效机制|今后|久久为功", "建立长效机制", "已建立制度"),
)

# An inspection's focus: what it will look at. A sentence it opens lists no finding, whatever follows (重点了解A问题；B问题).
FOCUS = (
    Entry(r"^(?:看有没有|看是否|聚焦|重点关注|围绕|重点(?:了解|检查|巡察|监督|发现|查找))", "看有没有责任不清", "没有责任意识"),
    Entry(r"^(?:着力|著力|重点|主要)(?:发现|查找|了解|检查|查摆)", "著力发现选人用人、工程项目建设等方面存在的问题", "发现问题整改不到位"),
    Entry(r"(?:着眼|著眼)(?:发现|查找)", "巡察组着眼发现党的领导、党的建设、全面从严治党等方面突出问题", "发现着眼长远的规划不多"),
    Entry(r"^(?:重点|主要)?(?:对|围绕)?[^，,。；;]{0,12}(?:等方面|情况)进行(?:重点)?(?:巡察|巡视|监督)", "对选人用人等方面进行重点巡察", "选人用人不规范"),
    # an aim: solving problems is what the work is for (主要是解决…的问题), unless the clause says it fails to
    Entry(r"^(?![^，,。；;]*(?:未|没|不能|不了|难以))[^，,。；;]*(?:解决|聚焦|破解|回应)[^，,。；;]{0,20}问题$",
          "开展村居巡察主要是解决群众最关心、最想解决的问题", "未能有效解决群众反映的问题"),
    Entry(r"(?:围绕|聚焦|看|检查|了解)是否|^是否|是否真正|有没有出现", "问题楼盘专项巡察围绕是否坚持依规依法推动问题解决", "是非不分"),
    Entry(r"^(?:以|把|将)[^，,。；;]{0,30}问题(?:为|作为|贯穿|摆在)", "把群众反映强烈的问题作为主攻方向", "把问题整改不到位的单位列入重点"),
)

# A round's problems counted by kind (…方面问题768个): a statistic, no finding (CONVENTION.md); a named fragment,
# read here and by the list grammar (``agent.text.findings.items.list_at``).
TALLY_BY_KIND = r"方面的?(?:突出|具体)?问题[\d一二三四五六七八九十百千]{1,6}(?:个|条|项|件)"

# A bare count of problems (存在4个方面的问题 cut to 4个方面): it says how many, not which, so it is no finding.
COUNT = (
    Entry(r"^(?:[\d一二三四五六七八九十百]+(?:个|项|条|类|大类)?(?:方面|领域|个|项|条|类)){1,3}的?(?:具体|突出|主要)?(?:问题)?$", "6方面17项",
          "4个村财务管理不规范"),
    Entry(r"(?:^|存在|指出|发现|反馈)[^，,。；;]{0,20}?[\d一二三四五六七八九十百]+(?:个|项|条|类|大类)(?:方面|领域|具体)?的?(?:突出|具体|主要)?问题$",
          "指出市公安局开发区分局党委存在4个方面的问题", "存在4个村财务管理不规范问题"),
    Entry(rf"{TALLY_BY_KIND}$", "违反“六项纪律”方面问题667个",
          "违规发放补贴问题"),
)

# A measure: what the inspection or the inspected body did about a finding (a fix told as a story).
MEASURE = (
    Entry(r"巡[察视]组(?:随即|立即|及时|第一时间|迅速|当即|现场)|立行立改|督促|责成|约谈|下发[^，,。]{0,8}(?:通知|建议)书",
          "巡察组立即赶赴现场查看", "路面损坏影响日常出行"),
    Entry(r"(?:已经?|现已|目前已)(?:全部|基本|彻底)?(?:完成|修复|解决|整改|清退|追回|收回|接通|安装|硬化|疏通|维修|拆除|清理|消除)",
          "目前已全部修复", "至今未修复"),
    Entry(r"^(?:针对(?:这一|该|此|上述)(?:问题|情况)|接到[^，,。]{0,8}反映后|截至目前)", "针对这一问题，巡察组开展核查", "针对性不强"),
    Entry(r"^巡[察视]组高度重视", "巡察组高度重视，第一时间将问题反馈至村委会", "巡察组组长"),  # (立即… : the first entry)
    Entry(r"^(?:整改(?:落实|完成)?(?:情况|结果|成效|措施)|整改进展)[：:]", "整改落实情况：一是积极协调上级有关单位",
          "整改意见建议：加强监管"),  # a formal report's label before what was done
)

# A discovery lead: what the inspection (or a resident, to it) says it found; the defect follows it in the sentence.
DISCOVERY = (
    Entry(r"(?:发现|了解到|得知|获悉|查明|看到)了?(?:[，,：:]\s*[“\"]?|(?=[\u4e00-\u9fff“\"]))",
          "巡察组在走访时发现，村道路面破损", "巡察组共查找问题"),
    Entry(r"反映(?:道|说|称)?[：:，,]\s*[“\"]?|反映(?:了)?(?=[“\"])", "村民向巡察组反映：“家里用水困难", "群众反映强烈"),
    Entry(r"(?:群众|村民|居民|住户|业主|老百姓|农户)(?:前来|多次|纷纷|们)?(?:向[^，,。]{0,12})?反映(?:了|说|称|道)?(?:[：:，,]\s*[“\"]?|[“\"])?(?![的强问情])",
          "部分村民反映门前道路未得到硬化", "群众反映的问题"),
    Entry(r"经(?:过)?(?:详细|现场|多方|进一步)?(?:了解|核实|核查|查看|勘察|勘查|调查)(?:和了解)?(?:得知|发现)?[，,：:]",
          "经详细了解，该广场路灯长时间不亮", "经营不善"),
    Entry(r"经查(?:实|明)?[，,：:]", "经查，马木村支部书记违规将村民低保卡收归村委会保管", "经查阅相关资料"),
    Entry(r"巡[察视]组(?:还|也|则)?批评(?:其|了|说|道)?[：:，,]?", "中央巡视组批评“红顶中介”现象突出", "开展批评与自我批评"),
    Entry(r"(?:都|均|也|还)?被指(?:出)?(?![派定导挥望向引])", "两个城市都被指在肃清恶劣影响上不力", "被指派到村里任职"),
)

# A hardship residents complain of (a fix story's defect need name no shortfall of an official's: 路灯坏了).
HARDSHIP = (
    Entry(r"不便|不方便|困难|难题|用水难|出行难|行路难",
          "晚上出门黑灯瞎火，不安全也不方便", "方便群众办事"),
    Entry(r"破损|损坏|坏了|漏水|渗水|堵塞|淤塞|淤堵|坍塌|积水|不亮|停水|停电|脏乱|污水|坑洼|拖欠|杂草丛生|乱堆乱放|私搭乱建",
          "路面损坏影响日常出行", "路面平整"),
    Entry(r"(?:安全|质量)隐患|意见(?:很|较|比较)?大|一直没(?:有)?(?:人|解决)|无人(?:管|问|修|清理)|迟迟(?:不|未|没)",
          "存在安全隐患", "消除隐患后验收"),
)

# Praise: what the inspection found done well, which a finding never is.
PRAISE = (
    Entry(r"取得了?[^，,。；;]{0,12}(?:成效|成绩|进展|成果)|充分肯定|给予肯定", "取得了明显成效", "成效不明显"),
    Entry(r"稳中有(?:升|进)|有所(?:提升|提高|增强)|明显(?:提升|提高|增强)(?![^，,。]{0,4}不)", "办学水平稳中有升", "提升不明显"),
    Entry(r"较好(?:地)?完成了?[^，,。；;]{0,8}任务|做出了?[^，,。；;]{0,6}努力", "较好地完成了工作任务", "未完成任务"),
    Entry(r"(?:意识|能力|作用|氛围|干劲|积极性)(?:比较|较|很|十分|非常)(?:强|浓|好|高|明显)", "领导班子干事创业意识比较强",
          "干事创业意识不强"),
    Entry(r"(?<![不未没])(?:积极作为|认真贯彻)(?![^，,。；;]{0,12}(?:不|没|差距))", "班子积极作为，认真贯彻上级部署",
          "未认真贯彻落实上级部署"),
    Entry(r"(?:获评?|荣获|被评为)[^，,。；;]{0,24}(?:优秀|先进|示范|荣誉|称号|一等奖)", "2022年获国家生态环境科普基地综合评估“优秀”等次",
          "考核等次评定不规范"),
)

# A story's aside: a saying or resolve told between a complaint and its fix (民生问题无小事); it tells neither the
# defect nor the fix, so it does not end the story (``agent.text.findings.stories``).
ASIDE = (
    Entry(r"无小事|是(?:件)?大事|不是小事|刻不容缓|丝发必兴|见初心|放在心上", "群众利益无小事，一点一滴见初心", "小区环境脏乱无人管"),
    Entry(r"必须(?:要)?(?:立即|马上|尽快|快速|及时)?(?:解决|整改|办好)|一定要[^，,。]{0,6}尽快解决",
          "民生问题必须立即解决", "问题未能及时解决"),
    Entry(r"是手段|才是目的|民有所呼|有呼声|有所应", "发现问题是手段，解决问题才是目的", "工作手段单一"),
    Entry(r"^[“\"「]|[”\"」][^，,。“”\"]{0,24}(?:说|问|答|追问|解释|分析|表示)(?:道|说)?$",
          "“这钱为何要你保管？”巡察组继续追问", "村民向巡察组反映路灯不亮"),  # the story's dialogue
)

# The inspection's own work on leads (线索 counted or handed on): a tally of its work, never a finding.
LEADS = (
    Entry(r"问题线索", "涉及领导班子成员问题线索264件", "线上办理问题"),
    Entry(r"线索[^。]{0,20}(?:移交|移送|转交|转办)", "收到的线索已按规定移交", "移交档案不及时"),
    Entry(r"按(?:照)?(?:有关)?规定转[^。；;]{0,30}?(?:处理|处置|办理)", "对了解到的问题和反映，已按规定转区纪委监委等有关方面处理", "未按规定转入集体账户"),
)

CONCEPTS = {"shortfall": SHORTFALL, "request": REQUEST, "pledge": PLEDGE, "procedure": PROCEDURE, "frame": FRAME,
            "praise": PRAISE, "aside": ASIDE, "focus": FOCUS, "count": COUNT, "measure": MEASURE, "leads": LEADS, "comparison": COMPARISON, "poorly_met": POORLY_MET,
            "finding_cue": FINDING_CUE, "discovery": DISCOVERY, "hardship": HARDSHIP, "unit_suffix": UNIT_SUFFIX,
            "party_body": PARTY_BODY, "county": COUNTY, "township": TOWNSHIP, "problem_word": PROBLEM_WORD,
            "status_in_progress": STATUS_IN_PROGRESS, "status_ongoing": STATUS_ONGOING}


def fragment(concept: str) -> str:
    """A concept's entries as one regex fragment (alternatives in a group), to build a pattern around."""
    return "(?:" + "|".join(f"(?:{e.fragment})" for e in CONCEPTS[concept]) + ")"


@cache
def pattern(concept: str) -> re.Pattern[str]:
    """One compiled regex for a concept: its entries as alternatives."""
    return re.compile(fragment(concept))


def says(concept: str, clause: str) -> bool:
    return pattern(concept).search(clause) is not None


def vetoed(clause: str) -> str | None:
    """The concept that makes a clause no finding (a request, a pledge, procedure, a frame, praise, leads), or None."""
    for concept in ("request", "pledge", "procedure", "focus", "frame", "count", "praise", "leads"):
        if not pattern(concept).search(clause):
            continue
        if concept == "procedure" and says("shortfall", clause) or concept == "pledge" and ends_on_shortfall(clause):
            continue  # 讲话精神不深入 states a defect; so does 推进…建设有差距, ending on its shortfall
        return concept
    return None


def ends_on_shortfall(clause: str) -> bool:
    """A clause that ends on a shortfall states a defect (推进…建设有差距), whatever verb opens it."""
    return any(m.end() == len(clause.rstrip("。；;，,")) for m in pattern("shortfall").finditer(clause))
