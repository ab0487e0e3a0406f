"""`{% employer_account_card %}`: the account's state card (from the one presenter) on the
employer home page, with the links to the unit's profile and members."""

from __future__ import annotations

from django import template

from apps.accounts.models import Role

register = template.Library()


@register.inclusion_tag("employers/_home_card.html", takes_context=True)
def employer_account_card(context):
    from apps.employers.presenters import employer_state
    from apps.employers.services import is_main_account

    request = context["request"]
    employer = request.user.employer
    return {"state": employer_state(employer, viewer_role=Role.EMPLOYER), "main": is_main_account(request.user)}
