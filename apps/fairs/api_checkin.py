from ninja import Router

from apps.core.api import AUTH

router = Router(tags=["签到"], auth=AUTH)
