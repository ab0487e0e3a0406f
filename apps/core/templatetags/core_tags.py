from django import template

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    """Chinese label of a key stored in an audit entry's changes (apps/audit/presenters.py)."""
    from apps.audit.presenters import field_label as label

    return label(name)


@register.filter
def history_rows(changes) -> list[dict]:
    """An audit entry's changes as labelled rows, code names shown, empty → empty dropped."""
    from apps.audit.presenters import history_rows as rows

    return rows(changes)
