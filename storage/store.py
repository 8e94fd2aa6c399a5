"""The document store: originals and page images on a local (or shared) file system.

Every file of a document lives under ``<root>/<document id>/`` so deleting a document is
deleting one folder. Every file is sealed with the document's own data key
(AES-256-GCM, ``storage.keys``): there is no way to write a file in clear, and once the key
is destroyed no copy of a file, wherever the disk left it, can be read (R23). Writes go
through a temporary file and a rename, so a crash never leaves half a file under its
final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from intake.errors import TaxIntakeError
from storage.crypto import seal, unseal
from storage.keys import KEYS_FOLDER, DocumentKeys

_MAGIC = b"TXE1"


def _context(document_id: str, name: str) -> bytes:
    # Binds each file to its place: a sealed page image copied over another does not open.
    return f"file:{document_id}/{name}".encode()


class DocumentStore:
    def __init__(self, root: Path, keys: DocumentKeys | None = None) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        if keys is None:
            from storage.crypto import master_key

            keys = DocumentKeys(root / KEYS_FOLDER, master_key())
        self.keys = keys

    def _path(self, document_id: str, name: str) -> Path:
        if not document_id.isalnum() or "/" in name or name.startswith("."):
            raise TaxIntakeError(f"bad store key {document_id!r}/{name!r}")
        return self.root / document_id / name

    def key(self, document_id: str, name: str) -> str:
        return f"{document_id}/{name}"

    def put(self, document_id: str, name: str, data: bytes) -> str:
        """Seal ``data`` with the document's key and store it durably; returns its key."""
        path = self._path(document_id, name)
        sealed = _MAGIC + seal(
            self.keys.get_or_create(document_id), data, _context(document_id, name)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(sealed)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.key(document_id, name)

    def get(self, key: str) -> bytes:
        """The plaintext of a stored file. Raises ``KeyDestroyed`` after the purge."""
        document_id, name = key.split("/", 1)
        sealed = self._path(document_id, name).read_bytes()
        if not sealed.startswith(_MAGIC):
            raise TaxIntakeError(f"{key}: not a sealed store file")
        return unseal(
            self.keys.get(document_id), sealed[len(_MAGIC) :], _context(document_id, name)
        )

    def exists(self, key: str) -> bool:
        document_id, name = key.split("/", 1)
        return self._path(document_id, name).exists()

    def delete_document(self, document_id: str) -> int:
        """Destroy the document's data key first (cryptographic erase), then remove every
        file of the document; returns how many files were removed."""
        self.keys.destroy(document_id)
        folder = self.root / document_id
        if not folder.exists():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        return count

    def age_seconds(self, document_id: str) -> float:
        """Seconds since the document's folder (or, without one, its key) last changed."""
        folder = self.root / document_id
        if folder.exists():
            return time.time() - folder.stat().st_mtime
        return self.keys.age_seconds(document_id)

    def document_ids(self) -> list[str]:
        """Every document with a folder or a data key in the store."""
        folders = {p.name for p in self.root.iterdir() if p.is_dir() and p.name != KEYS_FOLDER}
        return sorted(folders | set(self.keys.document_ids()))


def get_store() -> DocumentStore:
    from intake.settings import get_settings

    return DocumentStore(get_settings().resolved_store_dir)
