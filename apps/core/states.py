"""What a person reads about a workflow state and may do next: the value every presenter
returns (signing, destinations' siblings, postings, applications, employers, reports,
intentions). Pages render it; APIs add `state.as_dict()`."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Action:
    """Something the viewer may do next: a link (GET) or a form button (POST)."""

    code: str
    label: str
    url_name: str
    args: tuple = ()
    method: str = "get"

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "url": self.url, "method": self.method}


@dataclass(frozen=True)
class State:
    code: str
    title: str
    text: str
    tone: str = "info"  # good / warn / bad / info: the badge and alert classes
    actions: tuple[Action, ...] = ()

    def action(self, code: str) -> Action | None:
        return next((a for a in self.actions if a.code == code), None)

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "text": self.text, "tone": self.tone,
                "actions": [a.as_dict() for a in self.actions]}
