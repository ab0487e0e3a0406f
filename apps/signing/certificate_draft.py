"""The employer's credit-code certificate (统一社会信用代码证) kept with the unsent invitation
form, so a validation error elsewhere on the form does not make the recruiter choose the
picture again.

The picture is checked and re-encoded once (`process_image`), then kept in the cache for
DRAFT_SECONDS under a random id; the browser session remembers that id per signing card.
Nothing is written to the media storage until the invitation is sent, and an abandoned
draft simply expires (no clean-up job needed). Another browser, or the same browser on
another graduate's card, never sees the draft."""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache

from apps.core.images import ProcessedImage

DRAFT_SECONDS = 30 * 60
_SESSION_KEY = "signing_certificate_drafts"


def _card_key(card_token: str) -> str:
    return hashlib.sha256(card_token.encode()).hexdigest()[:32]


def _cache_key(draft_id: str) -> str:
    return f"signing:certificate-draft:{draft_id}"


def draft_keep(request, card_token: str, processed: ProcessedImage) -> None:
    """Keep (or replace) this session's certificate for this card."""
    drafts = dict(request.session.get(_SESSION_KEY) or {})
    old = drafts.get(_card_key(card_token))
    if old:
        cache.delete(_cache_key(old))
    draft_id = secrets.token_urlsafe(18)
    cache.set(_cache_key(draft_id), {"content": processed.content, "width": processed.width,
                                     "height": processed.height, "format": processed.format,
                                     "original_name": processed.original_name}, DRAFT_SECONDS)
    drafts[_card_key(card_token)] = draft_id
    request.session[_SESSION_KEY] = drafts


def draft_get(request, card_token: str) -> ProcessedImage | None:
    draft_id = (request.session.get(_SESSION_KEY) or {}).get(_card_key(card_token))
    stored = cache.get(_cache_key(draft_id)) if draft_id else None
    if not stored:
        return None
    return ProcessedImage(content=stored["content"], width=stored["width"], height=stored["height"],
                          format=stored["format"], original_name=stored["original_name"])


def draft_drop(request, card_token: str) -> None:
    drafts = dict(request.session.get(_SESSION_KEY) or {})
    draft_id = drafts.pop(_card_key(card_token), None)
    if draft_id:
        cache.delete(_cache_key(draft_id))
        request.session[_SESSION_KEY] = drafts
