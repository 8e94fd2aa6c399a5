"""Column types that seal values with the field key (R32): callers read and write plain
values, the database only ever holds ciphertext. Used for every recognised or typed value,
so 個人番号 (and names, amounts, addresses) are encrypted at field level.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import JSON, Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from storage.crypto import DecryptionFailed, field_key, seal, unseal

PREFIX = "sealed:v1:"
_CONTEXT = b"field-value"


def seal_value(value: Any) -> str:
    """A JSON-able value as sealed text."""
    plain = json.dumps(value, ensure_ascii=False).encode()
    return PREFIX + base64.b64encode(seal(field_key(), plain, _CONTEXT)).decode()


def unseal_value(text: str) -> Any:
    if not text.startswith(PREFIX):
        raise DecryptionFailed("a field value is stored in clear; run `python -m intake migrate`")
    return json.loads(unseal(field_key(), base64.b64decode(text[len(PREFIX) :]), _CONTEXT))


class SealedJSON(TypeDecorator[Any]):
    """A JSON value (str, int, bool, list, dict) stored sealed; None stays None."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else seal_value(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else unseal_value(value)


class SealedText(TypeDecorator[str]):
    """Text stored sealed; None stays None."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal_value(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(unseal_value(value))


_BYTES_PREFIX = b"sealed:v1:"
_BYTES_CONTEXT = b"export-file"


class SealedBytes(TypeDecorator[bytes]):
    """A file held in the database (an export's CSV), stored sealed; None stays None."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return _BYTES_PREFIX + seal(field_key(), bytes(value), _BYTES_CONTEXT)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        value = bytes(value)
        if not value.startswith(_BYTES_PREFIX):
            raise DecryptionFailed("a file is stored in clear; run `python -m intake migrate`")
        return unseal(field_key(), value[len(_BYTES_PREFIX) :], _BYTES_CONTEXT)


def is_sealed_bytes(value: bytes | None) -> bool:
    return value is None or bytes(value).startswith(_BYTES_PREFIX)
