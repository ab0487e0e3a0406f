"""How a roster record is shown: codes turned into labels, personal data masked."""

from __future__ import annotations

from apps.graduates.models import Graduate
from apps.reference.selectors import code_label


def graduate_summary(graduate: Graduate) -> dict:
    return {
        "id": graduate.pk,
        "name": graduate.name,
        "student_number": graduate.student_number,
        "cohort": graduate.cohort,
        "school": graduate.school.name,
        "college": graduate.college.name,
        "major": graduate.major.name,
        "education_level": code_label("education_level", graduate.education_level_code, "employment-xldm"),
        "id_number_masked": graduate.masked_id_number,
    }


def graduate_detail(graduate: Graduate) -> dict:
    data = graduate_summary(graduate)
    data.update(
        {
            "exam_number": graduate.exam_number,
            "gender": code_label("gender", graduate.gender_code),
            "birth_date": graduate.birth_date.isoformat() if graduate.birth_date else None,
            "ethnicity": code_label("ethnicity", graduate.ethnicity_code),
            "political_status": code_label("political_status", graduate.political_status_code),
            "urban_rural": code_label("urban_rural", graduate.urban_rural_code),
            "training_mode": code_label("training_mode", graduate.training_mode_code),
            "hardship": code_label("hardship", graduate.hardship_code),
            "normal_student": code_label("normal_student", graduate.normal_student_code),
            "origin_division": graduate.origin_division.full_name if graduate.origin_division_id else "",
            "phone_masked": graduate.masked_phone,
            "has_signing_pin": graduate.has_signing_pin,
        }
    )
    return data


def graduate_own_profile(graduate: Graduate) -> dict:
    """What the owner sees of their own record: contacts in full (they maintain them),
    the ID number still masked (nobody needs it shown whole)."""
    from apps.graduates.services import origin_suggestion

    data = graduate_detail(graduate)
    suggestion = origin_suggestion(graduate) if not graduate.origin_division_id else None
    data.update(
        {
            "origin_division_code": graduate.origin_division_id or "",
            "origin_suggestion": {"code": suggestion.code, "name": suggestion.full_name} if suggestion else None,
            "origin_confirmed": graduate.origin_confirmed,
            "origin_confirmed_at": graduate.origin_confirmed_at,
            "phone": graduate.phone,
            "email": graduate.email,
            "home_address": graduate.home_address,
            "family_contact_name": graduate.family_contact_name,
            "family_contact_relation": graduate.family_contact_relation,
            "family_contact_phone": graduate.family_contact_phone,
        }
    )
    return data
