"""Writes of the graduate's side of 职位搜索: favourites (收藏) and the posting's view counter."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.accounts.permissions import acting_graduate
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.jobs.models import Posting, PostingFavourite
from apps.jobs.selectors import postings_open_to

MAX_FAVOURITES = 200


def _graduate_of(actor):
    return acting_graduate(actor)


def favourite_add(*, actor, posting_id: int) -> PostingFavourite:
    """收藏 a posting open to the graduate (idempotent: a second add returns the first)."""
    graduate = _graduate_of(actor)
    with transaction.atomic():
        posting = postings_open_to(graduate).filter(pk=posting_id).only("id", "title").first()
        if posting is None:
            raise NotFound("职位不存在或已下线")
        existing = PostingFavourite.objects.filter(graduate=graduate, posting=posting).first()
        if existing is not None:
            return existing
        if PostingFavourite.objects.filter(graduate=graduate).count() >= MAX_FAVOURITES:
            raise DomainError(f"最多收藏{MAX_FAVOURITES}个职位，请先取消一些收藏", fields={"posting": "收藏已达上限"})
        try:
            with transaction.atomic():
                favourite = PostingFavourite.objects.create(graduate=graduate, posting=posting)
        except IntegrityError:  # a parallel add of the same posting won
            return PostingFavourite.objects.get(graduate=graduate, posting=posting)
        audit_record(actor=actor, action="jobs.favourite_add", summary=f"收藏职位#{posting.pk}：{posting.title}",
                     target=posting, school_id=graduate.school_id, graduate_id=graduate.pk,
                     changes={"收藏": ["", posting.title]})
    return favourite


def favourite_remove(*, actor, posting_id: int) -> bool:
    """取消收藏 (also of a posting that has since gone offline). False when it was not a favourite."""
    graduate = _graduate_of(actor)
    with transaction.atomic():
        favourite = (PostingFavourite.objects.filter(graduate=graduate, posting_id=posting_id)
                     .select_related("posting").only("id", "posting__id", "posting__title").first())
        if favourite is None:
            return False
        favourite.delete()
        audit_record(actor=actor, action="jobs.favourite_remove",
                     summary=f"取消收藏职位#{favourite.posting.pk}：{favourite.posting.title}",
                     target=favourite.posting, school_id=graduate.school_id, graduate_id=graduate.pk,
                     changes={"收藏": [favourite.posting.title, ""]})
    return True


def favourite_toggle(*, actor, posting_id: int) -> bool:
    """The page's one button: True when the posting is now a favourite."""
    if favourite_remove(actor=actor, posting_id=posting_id):
        return False
    favourite_add(actor=actor, posting_id=posting_id)
    return True


def posting_viewed(*, posting: Posting) -> None:
    """One more 浏览 (an atomic F() update: parallel views are all counted; no audit entry —
    reading is not a change of anyone's data)."""
    Posting.objects.filter(pk=posting.pk).update(view_count=F("view_count") + 1)
