"""The report categories (举报类型), declared once: the form's select, the service's check, the
API's labels and the staff queue all read this list. The key is what FraudReport.reason stores
(max 20 characters); the order is the form's order."""

from __future__ import annotations

from dataclasses import dataclass

# The handbook (服务 → 投递简历): the warning and the province's hotline, shown on the 服务 page,
# the report form and the graduate's report pages.
HOTLINE = "0551-63631768"
WARNING = f"若在求职过程中发现单位有欺诈行为，可向省教育厅举报（{HOTLINE}）"


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    hint: str


REASONS: tuple[Reason, ...] = (
    Reason("fee", "收取费用", "以押金、服装费、体检费、培训费等名义收取费用"),
    Reason("false_info", "虚假招聘信息", "单位、职位、薪酬或工作地点与实际不符"),
    Reason("pyramid", "传销或非法组织", "拉人头、发展下线或其他违法活动"),
    Reason("training_loan", "诱导培训贷款", "以入职为名诱导办理培训贷款或分期"),
    Reason("harassment", "骚扰或歧视", "性别、地域等就业歧视，或骚扰求职者"),
    Reason("other", "其他", "其他欺诈或违规行为"),
)

REASON_KEYS = frozenset(r.key for r in REASONS)
_LABELS = {r.key: r.label for r in REASONS}


def reason_label(key: str) -> str:
    return _LABELS.get(key, "其他")


def reason_choices() -> list[tuple[str, str]]:
    return [(r.key, r.label) for r in REASONS]
