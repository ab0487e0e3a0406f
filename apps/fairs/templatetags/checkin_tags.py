"""The 签到 panels the fair and 宣讲会 pages include (fairs/_graduate_checkin.html,
infosessions/_graduate_checkin.html): the graduate's own check-in state and, at a fair, the
booths to mark 到访. Two statements: the graduate's check-in row and their visits."""

from __future__ import annotations

from django import template

from apps.accounts.models import Role
from apps.fairs import selectors_checkin as sel
from apps.fairs.presenters_checkin import checkin_state

register = template.Library()


@register.simple_tag(takes_context=True)
def fair_checkin_panel(context, fair, booths=None):
    request = context["request"]
    row = sel.own_fair_checkin(actor=request.user, fair=fair)
    panel = {"state": checkin_state(fair, viewer_role=Role.GRADUATE, checkin_row=row), "row": row,
             "booth_rows": None, "visit_next": request.get_full_path()}
    if row is not None:
        panel["booth_rows"] = sel.booth_rows_for_graduate(actor=request.user, fair=fair, booths=booths)
    return panel


@register.simple_tag(takes_context=True)
def session_checkin_panel(context, session):
    request = context["request"]
    row = sel.own_session_checkin(actor=request.user, session=session)
    return {"state": checkin_state(session, viewer_role=Role.GRADUATE, checkin_row=row), "row": row}
