"""Template filters of the resume: `{{ item|resume_period:section.key }}`."""

from __future__ import annotations

from django import template

from apps.resumes.sections import period_text

register = template.Library()


@register.filter
def resume_period(item, section: str = "") -> str:
    return period_text(item, section)
