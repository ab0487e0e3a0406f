from ninja import Router

from apps.core.api import AUTH

router = Router(tags=["招聘会"], auth=AUTH)
