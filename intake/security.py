"""Roles, the permission table, password hashing and bearer tokens: one place for access."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError


class Role(StrEnum):
    STATION = "station"  # scanning-station operator
    CORRECTOR = "corrector"
    CHECKER = "checker"  # second, blind entry (R16)
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    FEED = "feed"  # the filing system pulling exports


class Permission(StrEnum):
    UPLOAD = "upload"
    VIEW_STATUS = "view_status"
    REVIEW = "review"
    DOUBLE_CHECK = "double_check"
    APPROVE = "approve"
    EXPORT = "export"
    DELETE = "delete"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    PULL_FEED = "pull_feed"


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STATION: frozenset({P.UPLOAD, P.VIEW_STATUS}),
    Role.CORRECTOR: frozenset({P.VIEW_STATUS, P.REVIEW, P.APPROVE}),
    Role.CHECKER: frozenset({P.VIEW_STATUS, P.DOUBLE_CHECK}),
    Role.SUPERVISOR: frozenset(
        {P.VIEW_STATUS, P.REVIEW, P.APPROVE, P.EXPORT, P.DELETE, P.MANAGE_USERS, P.UPLOAD}
    ),
    Role.AUDITOR: frozenset({P.READ_AUDIT}),
    Role.FEED: frozenset({P.PULL_FEED}),
}


#: After this many wrong passwords in a row the account needs a supervisor (R30).
MAX_FAILED_LOGINS = 5


def has_permission(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are stored as SHA-256 digests: they are long random strings, not passwords."""
    return hashlib.sha256(token.encode()).hexdigest()
