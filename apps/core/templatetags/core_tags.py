from django import template

register = template.Library()

_EXTRA_LABELS = {"origin_confirmed": "生源确认", "pin": "签约密码"}


@register.filter
def field_label(name: str) -> str:
    """Chinese label of a graduate field name stored in an audit entry's changes."""
    from apps.graduates.fields import SPECS

    spec = SPECS.get(name)
    return spec.label if spec else _EXTRA_LABELS.get(name, name)
