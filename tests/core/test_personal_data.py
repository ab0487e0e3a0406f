"""ID numbers and phones: masked for display, encrypted at rest, never in a log line."""

from __future__ import annotations

import logging

import pytest

from apps.core.crypto import decrypt, encrypt
from apps.core.logging import scrub
from apps.core.text import mask_id_number, mask_phone, normalise, normalise_id_number


def test_masks():
    assert mask_id_number("34010420030517123X") == "3401**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


def test_normalise_spaces_and_full_width():
    assert normalise(" ２０２２ 01\u300001 ") == "20220101"
    assert normalise_id_number("34010420030517123x") == "34010420030517123X"


def test_encryption_round_trip_and_tamper_detection():
    token = encrypt("34010420030517123X")
    assert "3401042003" not in token
    assert decrypt(token) == "34010420030517123X"
    assert encrypt("same") != encrypt("same")  # random nonce
    broken = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(Exception):  # noqa: B017 - any failure is fine, but it must fail
        decrypt(broken)


def test_scrub_masks_id_numbers_and_phones():
    assert scrub("id 34010420030517123X phone 13812345678") == "id 3401**********123X phone 138****5678"


def test_failed_login_writes_no_id_number_to_the_logs(world, api_client, caplog):
    g = world.graduate
    with caplog.at_level(logging.DEBUG):
        api_client.post("/auth/graduate/login", {"school_id": world.school.pk, "name": g.name,
                                                 "student_number": g.student_number, "id_number": g.id_number[:-1] + "0"})
        api_client.post("/auth/graduate/login", {"school_id": world.school.pk, "name": g.name,
                                                 "student_number": g.student_number, "id_number": g.id_number})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert g.id_number not in text and g.id_number[:-1] + "0" not in text


def test_the_log_filter_masks_what_reaches_a_handler():
    from apps.core.logging import MaskPersonalDataFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s called from %s", ("34010420030517123X", "13812345678"), None)
    MaskPersonalDataFilter().filter(record)
    assert record.getMessage() == "user 3401**********123X called from 138****5678"


def test_the_log_filter_masks_tracebacks_too():
    import sys

    from apps.core.logging import MaskPersonalDataFilter

    try:
        raise ValueError("duplicate key 34010420030517123X / 13812345678")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "crashed", None, sys.exc_info())
    MaskPersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "34010420030517123X" not in text and "13812345678" not in text
    assert "3401**********123X" in text
