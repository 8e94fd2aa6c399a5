"""The document store: originals and page images on a local (or shared) file system.

Every file of a document lives under ``<root>/<document id>/`` so deleting a document is
deleting one folder. Writes go through a temporary file and a rename, so a crash never
leaves half a file under its final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from intake.errors import TaxIntakeError


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, document_id: str, name: str) -> Path:
        if not document_id.isalnum() or "/" in name or name.startswith("."):
            raise TaxIntakeError(f"bad store key {document_id!r}/{name!r}")
        return self.root / document_id / name

    def key(self, document_id: str, name: str) -> str:
        return f"{document_id}/{name}"

    def put(self, document_id: str, name: str, data: bytes) -> str:
        """Store ``data`` durably; returns its key."""
        path = self._path(document_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.key(document_id, name)

    def get(self, key: str) -> bytes:
        document_id, name = key.split("/", 1)
        return self._path(document_id, name).read_bytes()

    def exists(self, key: str) -> bool:
        document_id, name = key.split("/", 1)
        return self._path(document_id, name).exists()

    def delete_document(self, document_id: str) -> int:
        """Remove every file of a document; returns how many files were removed."""
        folder = self.root / document_id
        if not folder.exists():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        return count

    def age_seconds(self, document_id: str) -> float:
        """Seconds since the document's folder was last changed."""
        return time.time() - (self.root / document_id).stat().st_mtime

    def document_ids(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())


def get_store() -> DocumentStore:
    from intake.settings import get_settings

    return DocumentStore(get_settings().resolved_store_dir)
