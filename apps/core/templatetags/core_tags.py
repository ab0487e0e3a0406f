from django import template

register = template.Library()

_EXTRA_LABELS = {"origin_confirmed": "生源确认", "pin": "签约密码", "category": "毕业去向", "status": "状态",
                 "images": "证明材料", "reason": "原因", "invitations_superseded": "失效的其他邀约"}


@register.filter
def field_label(name: str) -> str:
    """Chinese label of a graduate field name stored in an audit entry's changes."""
    from apps.destinations.catalog import FIELD_LABELS
    from apps.graduates.fields import SPECS

    spec = SPECS.get(name)
    if spec:
        return spec.label
    return FIELD_LABELS.get(name) or _EXTRA_LABELS.get(name, name)
