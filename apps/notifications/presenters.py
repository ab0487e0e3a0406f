"""What a person reads about where their notifications go (消息设置: the e-mail address, the
digest hour, SMS): one presenter for the page and the API (`state`)."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.core.states import Action, State
from apps.notifications.services import DIGEST_HOUR, sms_available


def delivery_state(*, role: str, address: str) -> State:
    digest = f"选择「每日摘要」的消息合并为一封邮件，每天{DIGEST_HOUR}点后发送。"
    sms = "短信提醒已开通，可按类型选择。" if sms_available() and role == Role.GRADUATE else "短信提醒未开通。"
    if address:
        edit = (Action("edit-email", "修改电子邮箱", "graduate-contacts"),) if role == Role.GRADUATE else ()
        return State("email", "邮件发送到：" + address, f"站内消息总会保留。{digest}{sms}", "good", edit)
    if role == Role.GRADUATE:
        return State("no-email", "还没有电子邮箱",
                     f"只能接收站内消息。请先在「联系方式」中填写电子邮箱，再选择邮件提醒。{sms}", "warn",
                     (Action("edit-email", "填写电子邮箱", "graduate-contacts"),))
    return State("no-email", "还没有电子邮箱",
                 f"只能接收站内消息。请在下方填写本账号的电子邮箱，再选择邮件提醒。{sms}", "warn")
