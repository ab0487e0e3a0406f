"""Small things of the fair forms a user notices: inputs carry a type (so app.css styles them),
a reason is asked for before the confirm dialog, the employer's visitor list leads back to the
fair."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checkin.helpers import make_booth, make_fair
from tests.fairs.conftest import apply, publish

pytestmark = pytest.mark.django_db


def test_fair_forms_use_styled_inputs_and_reasons_are_checked_before_the_confirm(fairs_world, client):
    w = fairs_world
    fair = publish(w)
    apply(w.emp_a, fair)
    client.force_login(w.school_admin)
    form = client.get(reverse("staff-fair-new")).content.decode()
    assert 'type="text" id="f-title"' in form and 'type="text" id="f-venue"' in form
    body = client.get(reverse("staff-fair", args=[fair.pk])).content.decode()
    assert 'type="text" id="cancel-reason"' in body
    assert 'id="fair-cancel" data-require-field="cancel-reason"' in body
    assert 'data-require-field="reason-' in body  # 驳回 of the pending booth
    screen = client.get(reverse("staff-fair-checkin-screen", args=[fair.pk])).content.decode()
    assert 'type="text" id="card-code"' in screen
    client.force_login(w.emp_b.user)
    booth_form = client.get(reverse("employer-fair", args=[fair.pk])).content.decode()
    for field in ('type="text" id="b-contact"', 'type="tel" id="b-phone"', 'type="text" id="b-note"'):
        assert field in booth_form



def test_employer_visitor_list_leads_back_to_the_fair(world, client):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=3)
    client.force_login(world.employer_user)
    body = client.get(reverse("employer-fair-visitors", args=[booth.pk])).content.decode()
    assert f'href="{reverse("employer-fair", args=[fair.pk])}" id="back-to-fair"' in body and "返回首页" not in body
