"""Private files: stored through the default storage under random names, never served by
URL directly. An app's view first fetches the owning row with `get_visible(...)`, then
returns `private_file_response(row.file)`."""

from __future__ import annotations

import mimetypes
import uuid

from django.http import FileResponse

from apps.core.errors import NotFound


def random_storage_name(prefix: str, extension: str) -> str:
    """`prefix/ab/abcdef….ext`: the user's file name never becomes a path."""
    token = uuid.uuid4().hex
    return f"{prefix.strip('/')}/{token[:2]}/{token}.{extension.lstrip('.')}"


def private_file_response(field_file, *, download_name: str | None = None, inline: bool = True) -> FileResponse:
    if not field_file:
        raise NotFound("文件不存在")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise NotFound("文件不存在") from None
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def delete_stored_files(names) -> None:
    """Remove files a failed write stored before its transaction rolled back (an orphan left
    behind is harmless, so a storage error here is swallowed)."""
    from django.core.files.storage import default_storage

    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - nothing more to do for an orphan
            pass
