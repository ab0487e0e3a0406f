"""How an audit entry's `changes` read to a person (信息变更记录): one row per change with a
Chinese label, code values shown by their code-table names and changes from empty to
empty left out. Personal data stays exactly as stored (it was masked when written).

Used by the graduate's history page, the staff history page and the history API, so the
three never disagree."""

from __future__ import annotations

import re
from typing import Any

# keys written by services other than the graduate field registry and the destination catalog
_EXTRA_LABELS = {
    "origin_confirmed": "生源确认",
    "pin": "签约密码",
    "category": "毕业去向",
    "status": "状态",
    "images": "证明材料",
    "reason": "原因",
    "invitations_superseded": "失效的其他邀约",
    "contact_phone": "单位联系电话",
    "cohort": "届别",
    "kind": "类别",
}
# how a count reads (证明材料 0 → 1 means pictures)
_UNITS = {"images": "张", "invitations_superseded": "份"}
_BARE_CODE = re.compile(r"^[0-9A-Z]{1,6}$")
EMPTY = "（空）"


def field_label(name: str) -> str:
    """Chinese label of a key stored in an audit entry's changes (graduate fields, destination
    fields, signing/correction/archive keys; the latter two are stored as labels already)."""
    from apps.destinations.catalog import FIELD_LABELS
    from apps.graduates.fields import SPECS

    spec = SPECS.get(name)
    if spec:
        return spec.label
    return FIELD_LABELS.get(name) or _EXTRA_LABELS.get(name) or name


def _category_text(value: str) -> str:
    """A destination category stored as a bare code (older entries, online signing) gets
    its catalog name; 「70 名称」 stays as written."""
    from apps.destinations import catalog

    if not _BARE_CODE.match(value):
        return value
    category = catalog.category(value)
    return f"{value} {category.name}" if category else value


def _value_text(name: str, value: Any) -> str:
    from apps.destinations.catalog import CODE_FIELDS
    from apps.reference.selectors import code_label

    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    if name == "category":
        return _category_text(text)
    if name in CODE_FIELDS and _BARE_CODE.match(text):
        table, scheme = CODE_FIELDS[name]
        label = code_label(table, text, scheme)
        return label if label != text else text
    if name in _UNITS and isinstance(value, int):
        return f"{value}{_UNITS[name]}"
    return _choice_labels(name).get(text, text)


def _pair(raw: Any) -> tuple[Any, Any]:
    if isinstance(raw, (list, tuple)):
        if len(raw) >= 2:
            return raw[0], raw[-1]
        return "", raw[0] if raw else ""
    return "", raw  # a single value (e.g. a count) reads as what it became


def history_rows(changes: dict[str, Any] | None) -> list[dict[str, str]]:
    """[{field, label, before, after}] for one entry; before/after are '' when empty (the
    page shows （空）). A row whose before equals its after (empty → empty) is no change and
    is dropped."""
    rows = []
    for name, raw in (changes or {}).items():
        before, after = _pair(raw)
        before_text, after_text = _value_text(name, before), _value_text(name, after)
        if before_text == after_text:  # empty → empty, or 0份 → 0份: nothing changed
            continue
        rows.append({"field": name, "label": field_label(name), "before": before_text, "after": after_text})
    return rows


def history_entry(entry) -> dict[str, Any]:
    """One entry as the pages and the API show it."""
    return {
        "occurred_at": entry.occurred_at,
        "actor_kind": entry.actor_kind,
        "actor_kind_label": entry.get_actor_kind_display(),
        "actor_label": entry.actor_label,
        "action": entry.action,
        "summary": entry.summary,
        "changes": entry.changes,
        "rows": history_rows(entry.changes),
        "client_address": entry.client_address,
    }


# --- 操作日志 (the staff audit viewer): what each action reads as ---------------------------------
# One label per action the services write; the viewer's action filter lists these. An action
# not listed here still reads in Chinese, by its area (AREA_LABELS), never as its code.
ACTION_LABELS = {
    "graduate.update": "修改毕业生信息",
    "graduate.confirm_origin": "确认生源信息",
    "graduate.pin_set": "设置签约密码",
    "graduate.pin_reset": "重置签约密码",
    "roster.upload": "上传生源名单",
    "roster.commit": "导入生源名单",
    "roster.retry": "重试生源导入",
    "roster.recover": "恢复生源导入",
    "destination.save": "保存毕业去向",
    "destination.submit": "提交毕业去向",
    "destination.review": "审核毕业去向",
    "destination.reset": "退回毕业去向",
    "destination.image_add": "上传证明材料",
    "destination.image_delete": "删除证明材料",
    "destination.signed": "网签写入毕业去向",
    "destination.signed_correct": "网签更正毕业去向",
    "invitation.create": "发出签约邀请",
    "invitation.decline": "拒绝签约邀请",
    "invitation.withdraw": "撤回签约邀请",
    "agreement.accept": "签订就业协议",
    "agreement.print": "打印就业协议",
    "agreement.pdf_retry": "重新生成协议文件",
    "termination.apply": "申请解约",
    "termination.review": "审核解约",
    "correction.file": "提交信息纠错",
    "correction.withdraw": "撤回信息纠错",
    "correction.accept": "采纳信息纠错",
    "correction.reject": "驳回信息纠错",
    "correction.reveal": "查看纠错原值",
    "archive.register": "登记档案转寄",
    "archive.update": "修改档案转寄",
    "archive.export": "导出档案转寄名单",
    "archive.sent": "登记档案寄出",
    "archive.tracking_import": "导入档案运单号",
    "notice.create": "发布通知",
    "notice.update": "修改通知",
    "notice.delete": "删除通知",
    "school.policy_update": "修改学校设置",
    "registry.retry": "重试上报",
    "registry.retry_all": "重试全部上报",
    "registry.national_export": "导出就业方案",
    "registry.national_check": "核对就业方案",
    "recommendation.request": "申请就业推荐表",
    "recommendation.issue": "签发就业推荐表",
    "recommendation.void": "作废就业推荐表",
    "resume.update": "修改简历",
    "resume.item_add": "添加简历条目",
    "resume.item_edit": "修改简历条目",
    "resume.item_delete": "删除简历条目",
    "resume.item_move": "调整简历条目顺序",
    "application.submit": "投递简历",
    "application.withdraw": "撤回投递",
    "application.advance": "更新投递状态",
    "application.contact": "查看投递联系方式",
    "staff_account.create": "创建管理员账号",
    "staff_account.disable": "停用管理员账号",
    "staff_account.enable": "重新启用管理员账号",
    "staff_account.reset_password": "重置管理员密码",
    "staff_account.password_change": "修改本人密码",
    "statistics.freeze": "冻结统计报表",
    "graduates.export": "导出毕业生名单",
    "statistics.export": "导出就业统计",
}
AREA_LABELS = {
    "graduate": "毕业生信息", "roster": "生源导入", "destination": "毕业去向", "invitation": "网签邀请",
    "agreement": "就业协议", "termination": "解约", "correction": "信息纠错", "archive": "档案转寄",
    "notice": "通知公告", "school": "学校设置", "registry": "全国毕业去向登记", "recommendation": "就业推荐表",
    "resume": "简历", "application": "投递", "employer": "用人单位", "posting": "职位", "report": "举报",
    "fair": "招聘会", "session": "宣讲会", "infosession": "宣讲会", "jobs": "求职", "signing": "网络签约",
    "notifications": "消息设置", "staff_account": "管理员账号", "pii_key": "数据密钥",
    "statistics": "就业统计", "graduates": "毕业生查询",
}
_EXTRA_LABELS.update({
    "must_change_password": "须修改密码", "role": "角色", "school": "学校", "college": "院系", "mode": "导入方式",
    "contact_mobile": "联系人手机", "credit_code": "统一社会信用代码", "failure_message": "失败原因",
    "recovery_attempts": "恢复次数", "name": "名称", "verifier": "认证单位",
})


def _choice_labels(name: str) -> dict[str, str]:
    """Stored choice values that read as their labels (a roster import's mode: create → 新增)."""
    if name == "mode":
        from apps.roster.models import ImportMode

        return dict(ImportMode.choices)
    return {}


def action_label(action: str) -> str:
    """The Chinese name of an audit action (「<area>操作」 for one not yet named)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    area = action.split(".", 1)[0]
    return f"{AREA_LABELS.get(area, '其他')}操作"
