"""Field-level checks of a delivery (422 answers), per docs/registry-protocol.md."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from apps.registry.record_keys import (
    ALNUM_CODE_KEYS,
    DATE_KEYS,
    DIGIT_CODE_KEYS,
    FLAG_KEYS,
    MAX_VALUE_LENGTH,
    MONTH_KEYS,
    RECORD_KEYS,
    YEAR_KEYS,
)

KNOWN = frozenset(RECORD_KEYS)
GRADUATE_KEY = re.compile(r"^[0-9A-Za-z]{1,20}-[0-9A-Za-z]{1,40}$")
DIGITS = re.compile(r"^[0-9]+$")
ALNUM = re.compile(r"^[0-9A-Za-z]+$")
MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^[0-9]{4}$")
MAX_KEY_LENGTH = 64
CHINA = timezone(timedelta(hours=8))  # the registry's deadline is a date in Beijing time


def parse_changes_until(value: str | None) -> tuple[int, int] | None:
    """'08-31' → (8, 31); '' or 'off' → no deadline. Raises ValueError on anything else."""
    if value is None or value.strip().lower() in ("", "off"):
        return None
    month, day = (int(part) for part in value.strip().split("-"))
    date(2024, month, day)  # a real month-day (2024: 02-29 allowed)
    return month, day


def check_deadline(cohort: int, until: tuple[int, int] | None, today: date | None = None) -> dict[str, str]:
    """教学厅〔2023〕5号: a cohort's records may change until the given day of its graduation
    year; after it the registry refuses every delivery of that cohort (field error on cohort)."""
    if until is None:
        return {}
    month, day = until
    today = today or datetime.now(CHINA).date()
    if month == 2 and day == 29 and not (cohort % 4 == 0 and (cohort % 100 != 0 or cohort % 400 == 0)):
        day = 28
    if today > date(cohort, month, day):
        return {"cohort": f"{cohort}届毕业生信息变更已于{cohort}年{month}月{day}日截止"}
    return {}


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_idempotency_key(key: str | None) -> dict[str, str]:
    if not key:
        return {"Idempotency-Key": "缺少幂等键"}
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return {"Idempotency-Key": f"幂等键应为不超过{MAX_KEY_LENGTH}个字符的字母数字"}
    return {}


def check_delivery(body) -> dict[str, str]:
    """The field errors of a POST /api/v1/records body ({} when it is well formed). The values
    are never echoed back: an answer or log line holds field names only."""
    if not isinstance(body, dict):
        return {"body": "请求内容应为对象"}
    errors: dict[str, str] = {}
    key = body.get("graduate_key")
    if not isinstance(key, str) or not GRADUATE_KEY.match(key):
        errors["graduate_key"] = "毕业生标识应为“院校代码-编号”"
    school_code = body.get("school_code")
    if not isinstance(school_code, str) or not DIGITS.match(school_code) or len(school_code) > 10:
        errors["school_code"] = "院校代码应为数字"
    elif isinstance(key, str) and not key.startswith(school_code + "-"):
        errors["school_code"] = "院校代码与毕业生标识不一致"
    cohort = body.get("cohort")
    if not _positive_int(cohort) or not 1949 <= cohort <= 2200:
        errors["cohort"] = "届别应为四位年份"
    if not _positive_int(body.get("sequence")) or body["sequence"] > 2**62:
        errors["sequence"] = "序号应为正整数"
    for extra in sorted(set(body) - {"graduate_key", "school_code", "cohort", "sequence", "record"}):
        errors[extra] = "未知参数"
    record = body.get("record")
    if not isinstance(record, dict):
        errors["record"] = "登记记录应为对象"
        return errors
    errors.update(check_record(record))
    return errors


def check_record(record: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in record:
        if name not in KNOWN:
            errors[str(name)[:64]] = "未知字段"
    for name in RECORD_KEYS:
        if name not in record:
            errors[name] = "缺少该字段"
            continue
        value = record[name]
        if not isinstance(value, str):
            errors[name] = "应为文本"
            continue
        if len(value) > MAX_VALUE_LENGTH:
            errors[name] = f"不能超过{MAX_VALUE_LENGTH}个字"
        elif value == "":
            continue  # not given (the 核验编号 waits for the required ones)
        elif name in DIGIT_CODE_KEYS and not DIGITS.match(value):
            errors[name] = "代码应为数字"
        elif name in ALNUM_CODE_KEYS and not ALNUM.match(value):
            errors[name] = "代码应为字母或数字"
        elif name in DATE_KEYS and not _iso_date(value):
            errors[name] = "日期应为“年-月-日”（如 2026-06-30）"
        elif name in MONTH_KEYS and not MONTH.match(value):
            errors[name] = "年月应为“年-月”（如 2022-09）"
        elif name in YEAR_KEYS and not YEAR.match(value):
            errors[name] = "年份应为四位数字"
        elif name in FLAG_KEYS and value not in ("0", "1"):
            errors[name] = "应为 0 或 1"
    return errors


def _iso_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
