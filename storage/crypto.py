"""Encryption at rest (R23, R32): AES-256-GCM with keys under one master key.

Three kinds of key:

* the **master key**, 32 bytes from ``TAX_INTAKE_MASTER_KEY_FILE`` or ``TAX_INTAKE_MASTER_KEY``;
  it never touches the database or the store. Outside development the service refuses to
  start without it (:func:`require_master_key`).
* a **data key** per document (``storage.keys``), wrapped by the master key; destroying it
  makes every file of the document unreadable (cryptographic erase, NIST SP 800-88).
* the **field key**, derived from the master key, which seals recognised values in the
  database (``SealedJSON``, ``SealedText``): 個人番号 is never stored in clear.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.errors import ConfigurationError, TaxIntakeError
from intake.settings import Settings, get_settings

KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionFailed(TaxIntakeError):
    """Sealed data that does not open: wrong key, a destroyed key, or changed bytes."""


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """AES-256-GCM with a fresh random nonce; ``context`` is bound as associated data, so
    sealed bytes moved to another document or field do not open."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """The plaintext of :func:`seal`; raises :class:`DecryptionFailed` if it does not open."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("sealed data does not open with this key") from exc


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def decode_key(text: str) -> bytes:
    """32 bytes written as base64 (standard or URL-safe) or as 64 hex digits."""
    text = text.strip()
    try:
        key = (
            bytes.fromhex(text)
            if len(text) == 2 * KEY_BYTES
            else base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
        )
    except (ValueError, binascii.Error) as exc:
        raise ConfigurationError("the master key is not base64 or hex") from exc
    if len(key) != KEY_BYTES:
        raise ConfigurationError(f"the master key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


def create_key_file(path: Path) -> None:
    """Write a new random key readable by the owner only; keeps an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_key(new_key()) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _key_source(settings: Settings) -> tuple[str, str]:
    if settings.master_key is not None:
        return "env", settings.master_key.get_secret_value()
    if settings.master_key_file is not None:
        return "file", str(settings.master_key_file)
    if settings.development:
        return "development", str(settings.development_key_file)
    raise ConfigurationError(
        "no master key: set TAX_INTAKE_MASTER_KEY_FILE to a file holding 32 random bytes"
        ' (base64), e.g. `python -c "import secrets,base64;'
        ' print(base64.b64encode(secrets.token_bytes(32)).decode())"`, or'
        " TAX_INTAKE_MASTER_KEY. Documents are stored encrypted (R23); without the key the"
        " service does not start."
    )


@lru_cache(maxsize=4)
def _load(kind: str, value: str) -> bytes:
    if kind == "env":
        return decode_key(value)
    path = Path(value)
    if kind == "development":
        create_key_file(path)
    try:
        return decode_key(path.read_text())
    except OSError as exc:
        raise ConfigurationError(f"cannot read the master key file {path}: {exc}") from exc


def master_key(settings: Settings | None = None) -> bytes:
    """The master key; raises :class:`ConfigurationError` when there is none."""
    return _load(*_key_source(settings or get_settings()))


def require_master_key(settings: Settings | None = None) -> None:
    """Refuse to start without a usable master key (web, worker and scheduler call this)."""
    master_key(settings)


@lru_cache(maxsize=4)
def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def field_key(settings: Settings | None = None) -> bytes:
    """The key that seals recognised values in the database, derived from the master key."""
    return _derive(master_key(settings), b"tax-intake/field-values/v1")
