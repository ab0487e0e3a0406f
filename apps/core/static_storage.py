"""Static files with content-hashed names (静态文件长期缓存): after `collectstatic` every file
is stored as name.<hash>.ext with gzip and brotli copies, and WhiteNoise serves those names with
`Cache-Control: max-age=315360000, public, immutable` (ten years) — a browser fetches app.css/app.js once per
release instead of revalidating on every page (issue 9, production settings).

Without a manifest (collectstatic never ran: tests, a fresh checkout with DEBUG on) the plain
names are used, as with the storage before; a manifest that lacks a file is still an error."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # no staticfiles.json: nothing collected, nothing hashed
            return name
        return super().stored_name(name)
