from ninja import Router

from apps.core.api import AUTH

router = Router(tags=["宣讲会"], auth=AUTH)
