"""The resume as one JSON-ready dict: what the PDF, the employer's view of an application
(Application.resume_snapshot) and the API render. Shape (keep it stable — stored snapshots
are read back years later):

    {"version": 1, "taken_at": "2026-12-02T10:00:00+08:00",
     "basic": {"name", "gender", "education_level", "school", "college", "major", "cohort",
               "political_status", "phone", "email"},   # phone/email: the owner's contact
     "sections": [{"key": "education", "label": "教育经历",
                   "items": [{"title", "role", "level", "start_month", "end_month", "description"}]}, …],
     "self_evaluation": "…"}

Empty sections are left out."""

from __future__ import annotations

import json

from django.utils import timezone

SNAPSHOT_VERSION = 1


def resume_basic(graduate) -> dict:
    """基本信息, read from 生源 (never stored in the resume)."""
    from apps.reference.selectors import code_label

    return {
        "name": graduate.name,
        "gender": code_label("gender", graduate.gender_code),
        "education_level": code_label("education_level", graduate.education_level_code, "employment-xldm"),
        "school": graduate.school.name,
        "college": graduate.college.name if graduate.college_id else "",
        "major": graduate.major.name,
        "cohort": graduate.cohort,
        "political_status": code_label("political_status", graduate.political_status_code),
        "phone": graduate.phone or "",
        "email": graduate.email or "",
    }


def resume_snapshot(graduate) -> dict:
    from apps.resumes.models import Resume, ResumeSection

    resume = Resume.objects.filter(graduate=graduate).first()
    sections = []
    if resume is not None:
        items = list(resume.items.order_by("section", "position", "id"))
        for key, label in ResumeSection.choices:
            rows = [{"title": i.title, "role": i.role, "level": i.level, "start_month": i.start_month,
                     "end_month": i.end_month, "description": i.description} for i in items if i.section == key]
            if rows:
                sections.append({"key": key, "label": label, "items": rows})
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": timezone.localtime().isoformat(timespec="seconds"),
        "basic": resume_basic(graduate),
        "sections": sections,
        "self_evaluation": resume.self_evaluation if resume is not None else "",
    }


def snapshot_dumps(snapshot: dict) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def snapshot_loads(text: str) -> dict:
    return json.loads(text) if text else {}
