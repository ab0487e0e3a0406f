"""The employer's posting form: POST → service data, stored posting → form values."""

from __future__ import annotations

from apps.jobs.education import education_choices
from apps.jobs.services_postings import PLACES_MAX, channel_value

PLACE_FIELDS = tuple(f"place_{i}" for i in range(1, PLACES_MAX + 1))
_ORDINALS = "一二三四五六七八九十"
TEXT_FIELDS = ("title", "category_code", "openings", "majors_text", "salary_min", "salary_max", "description",
               "contact_name", "contact_phone", "deadline", "channel")


def data_from_post(post) -> dict:
    data = {name: post.get(name, "") for name in TEXT_FIELDS}
    data["education_codes"] = post.getlist("education_codes")
    data["major_ids"] = post.getlist("major_ids")
    data["place_codes"] = [post.get(name, "") for name in PLACE_FIELDS if post.get(name, "")]
    return data


def values_for(posting=None, *, employer=None, data: dict | None = None) -> dict:
    """What the form shows: the posted data after a refusal, the stored posting, or a new
    form prefilled with the employer profile's contact."""
    if data is not None:
        values = dict(data)
    elif posting is not None:
        values = {name: getattr(posting, name) for name in TEXT_FIELDS if name not in ("channel", "deadline")}
        values["deadline"] = posting.deadline.isoformat()
        values["channel"] = channel_value(posting)
        values["education_codes"] = list(posting.education_codes)
        values["major_ids"] = [str(pk) for pk in posting.majors.values_list("pk", flat=True)]
        values["place_codes"] = sorted(posting.places.values_list("county_code", flat=True))
    else:
        values = {name: "" for name in TEXT_FIELDS}
        values.update(education_codes=[], major_ids=[], place_codes=[], openings=1)
        if employer is not None:
            values["contact_name"] = employer.contact_name
            values["contact_phone"] = employer.contact_mobile or ""
    codes = list(values.get("place_codes") or [])
    values["places"] = [(name, codes[i] if i < len(codes) else "", f"工作地点{_ORDINALS[i]}")
                        for i, name in enumerate(PLACE_FIELDS)]
    values["major_ids"] = [str(v) for v in values.get("major_ids") or []]
    return values


def education_options(selected) -> list[dict]:
    chosen = set(selected or [])
    return [{"code": code, "label": label, "checked": code in chosen} for code, label in education_choices()]
