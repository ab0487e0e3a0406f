import pytest

from apps.accounts.models import User


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("operator", "op@example.invalid", "Op-pass-12345")


@pytest.mark.parametrize("url", ["/admin/organisations/school/", "/admin/organisations/college/add/",
                                 "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/reference/codetable/"])
def test_operator_manages_schools_and_accounts_in_admin(world, client, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_operator_creates_a_school_admin(world, client, superuser):
    client.force_login(superuser)
    response = client.post("/admin/accounts/user/add/", {
        "username": "new-school-admin", "password1": "Strong-pass-987", "password2": "Strong-pass-987",
        "display_name": "新管理员", "role": "school_staff", "school": world.school.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-school-admin")
    assert (user.role, user.school_id, user.is_staff) == ("school_staff", world.school.pk, False)
