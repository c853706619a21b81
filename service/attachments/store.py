"""The blob store: attachment bytes on disk under `data_dir/attachments`, named by sha256.

A file lands as `tmp/<random>.part` while it streams in, is synced to disk, and is then
renamed to `ab/cdef...` (the hash split after two characters, so no folder grows huge). The
rename is atomic, so a reader sees a whole file or none; equal files share one blob.
Nothing here touches the database: `service.attachments.service` decides when a blob is
kept or released.
"""

import os
import re
import uuid
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def new_temp(self) -> Path:
        """A fresh path for a file that is about to stream in (the folder is made here)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        return self.tmp / f"{uuid.uuid4().hex}.part"

    def path_for(self, sha256: str) -> Path:
        # The hash becomes a path, so it must be nothing but hex: never a "../".
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def keep(self, temp: Path, sha256: str) -> Path:
        """Move a fully written temp file to its place, durably: the file's bytes are synced
        before the rename and the folder after it, so an acknowledged upload survives a
        power cut. A blob already there has the same bytes; the rename simply replaces it."""
        final = self.path_for(sha256)
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        folder_is_new = not final.parent.exists()
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
        _fsync_dir(final.parent)
        if folder_is_new:
            _fsync_dir(self.root)
        return final

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    @staticmethod
    def discard(temp: Path) -> None:
        temp.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
