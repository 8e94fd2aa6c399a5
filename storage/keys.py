"""One data key per document, wrapped by the master key (R23).

The wrapped keys live in ``<store>/_keys/<document id>.key``: beside the store (so a
backup that leaves the store out leaves the keys out too, R42) but not in a document's
folder, so destroying the key is its own step, taken before the files are unlinked.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from pathlib import Path

from intake.errors import TaxIntakeError
from storage.crypto import new_key, seal, unseal

KEYS_FOLDER = "_keys"
_MAGIC = b"TXK1"


class KeyDestroyed(TaxIntakeError):
    """The document's data key is gone: its files can never be read again."""


def _context(document_id: str) -> bytes:
    return b"data-key:" + document_id.encode()


class DocumentKeys:
    """Create, read and destroy the data keys of documents."""

    def __init__(self, folder: Path, master: bytes) -> None:
        self.folder = folder
        self._master = master

    def _path(self, document_id: str) -> Path:
        if not document_id.isalnum():
            raise TaxIntakeError(f"bad document id {document_id!r}")
        return self.folder / f"{document_id}.key"

    def get_or_create(self, document_id: str) -> bytes:
        """The document's data key, made on first use. Safe when two processes race: the
        wrapped key is written aside and linked into place, so exactly one key wins."""
        path = self._path(document_id)
        if not path.exists():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            wrapped = _MAGIC + seal(self._master, new_key(), _context(document_id))
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(wrapped)
                    handle.flush()
                    os.fsync(handle.fileno())
                # Fails if another process made the key first; theirs is the key then.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        return self.get(document_id)

    def get(self, document_id: str) -> bytes:
        """The document's data key; raises :class:`KeyDestroyed` once it was destroyed."""
        try:
            wrapped = self._path(document_id).read_bytes()
        except FileNotFoundError as exc:
            raise KeyDestroyed(f"document {document_id}: data key destroyed") from exc
        if not wrapped.startswith(_MAGIC):
            raise TaxIntakeError(f"document {document_id}: not a wrapped data key")
        return unseal(self._master, wrapped[len(_MAGIC) :], _context(document_id))

    def destroy(self, document_id: str) -> bool:
        """Cryptographic erase: overwrite the wrapped key with random bytes, flush, unlink.

        Returns False when there was no key. On flash and copy-on-write file systems the
        overwrite may land elsewhere; the key is still useless without the master key.
        """
        path = self._path(document_id)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        _fsync_folder(self.folder)
        return True

    def document_ids(self) -> list[str]:
        if not self.folder.exists():
            return []
        return sorted(p.stem for p in self.folder.glob("*.key"))

    def age_seconds(self, document_id: str) -> float:
        return time.time() - self._path(document_id).stat().st_mtime


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
