"""Demo data for 就业推荐表 (apps/organisations/demo.py calls it after the demo postings): 王小明
has an issued form (its PDF is rendered on the first download: signing it here would add
seconds to every demo seed), 李华 asked for one and waits in the 计算机 college's queue."""

from __future__ import annotations


def _graduate_user(graduate):
    """The account a graduate's first login creates (the demo acts before anyone logs in)."""
    from apps.accounts.models import Role, User

    user = User.objects.filter(graduate=graduate).first()
    if user is None:
        user = User(username=f"graduate-{graduate.pk}", role=Role.GRADUATE, display_name=graduate.name,
                    graduate=graduate, school_id=graduate.school_id)
        user.set_unusable_password()
        user.save()
    return user


def demo_recommendations() -> None:
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.graduates.models import Graduate
    from apps.recommendations.services import recommendation_issue, recommendation_request

    college_admin = User.objects.filter(username="college_admin").first()
    issued = Graduate.objects.filter(school__code="19001", student_number="2023010001").first()  # 王小明
    waiting = Graduate.objects.filter(school__code="19001", student_number="2023010002").first()  # 李华
    if college_admin is None or issued is None or waiting is None:
        return
    recommendation_request(actor=_graduate_user(issued))
    recommendation_issue(
        actor=college_admin, graduate=issued, reviewer_name=college_admin.display_name or "院系审核人",
        opinion="该生在校期间遵守校纪校规，学习认真，专业基础扎实，积极参加社会实践与志愿服务，"
                "具有良好的团队合作精神和沟通能力。经院系审核，同意推荐。",
        opinion_date=timezone.localdate(), render_pdf=False)
    recommendation_request(actor=_graduate_user(waiting))
