"""The registry record's keys and value rules, free of Django (全国毕业去向登记系统 record shape).

The stand-in registry (``registry_standin/``) runs as its own process without Django, so it
cannot import ``apps.registry.national`` (which reads the reference snapshot). It imports this
module instead. ``RECORD_KEYS`` must equal ``national.RECORD_KEYS`` (same keys, same order):
``tests/registry/test_standin.py`` fails when the two drift apart.

The rules below are what the registry checks on every delivery; they only describe values the
platform itself produces (codes as digit strings, ISO dates), so a delivery of real platform
data is never refused by them.
"""
from __future__ import annotations

RECORD_KEYS: tuple[str, ...] = (
    # 基本信息
    "学号", "考生号", "姓名", "性别", "出生日期", "生源地代码", "生源地名称", "民族名称", "政治面貌",
    "城乡生源", "学历层次", "专业名称", "专业方向", "专业代码", "毕业年份", "入学年月", "毕业日期",
    "培养方式", "委培单位", "学习形式",
    # 毕业去向信息
    "毕业去向类别代码", "毕业去向", "签约日期", "单位名称", "统一社会信用代码", "留学国家地区",
    "留学院校中文名称", "留学院校外文名称", "留学专业中文名称", "留学专业外文名称", "单位性质代码",
    "单位性质", "单位行业代码", "单位行业", "单位所在地代码", "单位所在地", "单位地址",
    "工作职位类别代码", "工作职位类别",
    # 基本信息: contact
    "本人联系电话", "电子邮箱", "家庭地址", "家庭联系人", "家庭联系电话",
    # 档案转寄信息
    "档案接收单位名称", "接收档案部门", "档案接收单位地址代码", "档案接收单位地址", "档案接收单位邮编",
    "档案接收联系人", "档案接收联系电话", "档案转递方式", "是否接受档案", "是否接受户口", "户口迁移地址",
    "是否缓寄",
)

# codes held as digit strings ("01", never 1); empty means not given
DIGIT_CODE_KEYS: frozenset[str] = frozenset({
    "性别", "生源地代码", "政治面貌", "城乡生源", "学历层次", "培养方式", "毕业去向类别代码",
    "单位性质代码", "单位行业代码", "单位所在地代码", "工作职位类别代码", "档案接收单位地址代码",
})
# national major codes may carry a letter suffix (e.g. 080901K)
ALNUM_CODE_KEYS: frozenset[str] = frozenset({"专业代码"})
DATE_KEYS: frozenset[str] = frozenset({"出生日期", "签约日期", "毕业日期"})  # YYYY-MM-DD
MONTH_KEYS: frozenset[str] = frozenset({"入学年月"})  # YYYY-MM
YEAR_KEYS: frozenset[str] = frozenset({"毕业年份"})  # YYYY
FLAG_KEYS: frozenset[str] = frozenset({"是否接受档案", "是否接受户口", "是否缓寄"})  # "0" / "1"

# a 核验编号 is issued once all of these are non-empty (docs/registry-protocol.md)
COMPLETE_KEYS: tuple[str, ...] = (
    "学号", "姓名", "性别", "出生日期", "生源地代码", "学历层次", "专业名称", "毕业年份", "毕业去向类别代码",
)

MAX_VALUE_LENGTH = 500
