"""The rows a validation passed, kept for the commit (校验结果暂存) so that the commit does
not parse the workbook a second time (parsing is most of an import's cost).

They hold ID numbers and phone numbers, so they are kept only as AES-GCM ciphertext
(apps/core/crypto.py) of compressed JSON — no pickle: the file is data, never code — in
private storage next to the upload, under a name derived from it (a rerun of the
validation overwrites, never leaks, a copy). The commit deletes them once it has run.
Anything unreadable (missing file, retired key, another import's rows) is reported as
None and the commit falls back to reading the workbook.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.core import crypto
from apps.roster.models import RosterImport
from apps.roster.validation import CleanRow

logger = logging.getLogger(__name__)

FORMAT = 2
# Every key a CleanRow's fields can hold, in a fixed order: a row is stored as a list (half
# the size of a dict per row, and faster to write and read); null is a blank optional cell,
# which the validator leaves out of `fields` (it never keeps None as a value).
_FIELDS = ("student_number", "name", "exam_number", "sponsor_unit", "study_form", "id_number", "id_number_hash",
           "birth_date", "gender_code", "education_level_code", "ethnicity_code", "political_status_code",
           "urban_rural_code", "training_mode_code", "hardship_code", "normal_student_code", "origin_division_id",
           "enrolment_date", "graduation_date", "phone", "phone_hash")
_DATE_FIELDS = frozenset({"birth_date", "enrolment_date", "graduation_date"})
_DATE_POSITIONS = tuple(i for i, name in enumerate(_FIELDS) if name in _DATE_FIELDS)


def storage_name(roster_import: RosterImport) -> str:
    return f"{roster_import.file.name}.rows"


def _row(row: CleanRow) -> list:
    values = row.fields
    unknown = values.keys() - _FIELDS_SET
    if unknown:  # a field added to the validator but not here would be lost silently
        raise ValueError(f"roster field(s) not storable: {sorted(unknown)}")
    cells = [values.get(name) for name in _FIELDS]
    for i in _DATE_POSITIONS:
        if cells[i] is not None:
            cells[i] = cells[i].isoformat()
    return [row.row_number, row.college_id, row.major_id, row.existing_pk, *row.place, *cells]


_FIELDS_SET = frozenset(_FIELDS)


def _encode(roster_import: RosterImport, rows: list[CleanRow], total_rows: int) -> bytes:
    document = {
        "format": FORMAT, "import": roster_import.pk, "mode": roster_import.mode, "cohort": roster_import.cohort,
        "total_rows": total_rows, "fields": _FIELDS, "rows": [_row(r) for r in rows],
    }
    packed = zlib.compress(json.dumps(document, separators=(",", ":")).encode("ascii"), 1)
    return crypto.encrypt(base64.b64encode(packed).decode("ascii")).encode("ascii")


def save(roster_import: RosterImport, rows: list[CleanRow], total_rows: int) -> str:
    """Store the rows (replacing an earlier copy of the same import); returns the storage name."""
    name = storage_name(roster_import)
    default_storage.delete(name)
    # (a suffixed name if another writer got there in between: the import records which)
    return default_storage.save(name, ContentFile(_encode(roster_import, rows, total_rows)))


def load(roster_import: RosterImport) -> tuple[list[CleanRow], int] | None:
    """(rows, total rows) as validation left them, or None when they cannot be used."""
    name = roster_import.parsed_rows
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as fh:
            token = fh.read().decode("ascii")
        document = json.loads(zlib.decompress(base64.b64decode(crypto.decrypt(token))))
    except Exception as exc:  # missing file, unknown key, corrupt bytes: the workbook is still there
        logger.warning("roster import %s: kept rows unusable (%s), reading the file again",
                       roster_import.pk, type(exc).__name__)
        return None
    if (document.get("format"), document.get("import"), document.get("mode"), document.get("cohort"),
            tuple(document.get("fields") or ())) != (
            FORMAT, roster_import.pk, roster_import.mode, roster_import.cohort, _FIELDS):
        logger.warning("roster import %s: kept rows do not match the import, reading the file again",
                       roster_import.pk)
        return None
    rows = []
    fromiso = date.fromisoformat
    for number, college_id, major_id, existing_pk, college, major_name, major_code, *cells in document["rows"]:
        for i in _DATE_POSITIONS:
            if cells[i] is not None:
                cells[i] = fromiso(cells[i])
        values = {name: value for name, value in zip(_FIELDS, cells, strict=True) if value is not None}
        # keys are re-derived by recheck(); only the ids found at validation are compared
        rows.append(CleanRow(number, values, college_id, "", major_id, None, existing_pk,
                             (college, major_name, major_code)))
    return rows, document["total_rows"]


def discard(name: str) -> None:
    if name:
        default_storage.delete(name)
