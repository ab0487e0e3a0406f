from ninja import Router

from apps.core.api import AUTH

router = Router(tags=["就业推荐表"], auth=AUTH)
