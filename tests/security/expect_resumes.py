"""Permission-matrix entries for the resumes pages and API (see permission_expectations.py).

简历维护 is the graduate's own: every graduate has a resume page (an empty one until the first
item), the item ids (w.ids.resume_item, the owner's) reach the owner only. 人才查找 is for the
(verified) employer personas: the owner's resume stays not discoverable (the default), so the
owner's name never reaches the other employer; the peer's resume (w.ids.discoverable_resume)
is discoverable, and both employers, verified by the province, may read it."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, GRADUATES, OWNER, Page, _p

PAGES: dict = {
    "resume-home": Page(GRADUATES),
    "resume-item-new": Page(GRADUATES, query={"section": "=education"}),
    "resume-item-edit": Page(OWNER, {"pk": "resume_item"}),
    "resume-item-delete": Page(OWNER, {"pk": "resume_item"}, post_only=True),
    "resume-item-move": Page(OWNER, {"pk": "resume_item"}, post_only=True),
    "resume-settings": Page(GRADUATES, post_only=True),
    "resume-preview": Page(GRADUATES),
    "resume-pdf": Page(GRADUATES),
    "employer-resumes": Page(EMPLOYERS),
    "employer-resume-detail": Page(EMPLOYERS, {"pk": "discoverable_resume"}),
}
API: dict = {
    "apps_resumes_api_my_resume": _p(GRADUATES),
    "apps_resumes_api_create_item": _p(GRADUATES),
    "apps_resumes_api_update_item": _p(OWNER, {"item_id": "resume_item"}),
    "apps_resumes_api_delete_item": _p(OWNER, {"item_id": "resume_item"}),
    "apps_resumes_api_move_item": _p(OWNER, {"item_id": "resume_item"}),
    "apps_resumes_api_update_settings": _p(GRADUATES),
    "apps_resumes_api_my_resume_pdf": _p(GRADUATES),
    "apps_resumes_api_search_resumes": _p(EMPLOYERS),
    "apps_resumes_api_employer_resume": _p(EMPLOYERS, {"resume_id": "discoverable_resume"}),
}


def build(w, users) -> None:
    """The peer allows verified employers to find the resume (the owner's stays hidden)."""
    from apps.resumes.models import Resume, ResumeItem

    resume = Resume.objects.create(graduate=w.objects.peer, discoverable=True, self_evaluation="认真负责。")
    ResumeItem.objects.create(resume=resume, section="education", title="安徽示例大学", role="软件工程",
                              start_month="2022-09", end_month="2026-06")
    w.ids.discoverable_resume = resume.pk
