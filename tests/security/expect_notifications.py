"""Permission-matrix entries for the notifications pages and API (see permission_expectations.py).

消息设置 belongs to the signed-in person: every graduate and every employer user reads and saves
only their own (no id in the URL); staff and anonymous visitors are refused."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, GRADUATES, Page, _p

PAGES: dict = {
    "notification-settings": Page(GRADUATES | EMPLOYERS),
}
API: dict = {
    "apps_notifications_api_list_kinds": _p(GRADUATES | EMPLOYERS),
    "apps_notifications_api_get_preferences": _p(GRADUATES | EMPLOYERS),
    "apps_notifications_api_put_preferences": _p(GRADUATES | EMPLOYERS),
}


def build(w, users) -> None:
    """The owner has saved a preference (an e-mail address would put Latin words on the
    crawled pages: the address shown is tested in tests/notifications)."""
    from apps.notifications.models import NotificationPreference

    owner_user = getattr(w.objects.owner, "user", None)
    if owner_user is not None:
        NotificationPreference.objects.create(user=owner_user, kind="fair.reminder", channel="in_app")
