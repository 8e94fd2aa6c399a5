"""The key that signs session cookies."""

from __future__ import annotations

import os
import secrets

from intake.settings import Settings

SECRET_FILE = "session_secret"


def session_secret(settings: Settings) -> str:
    """``settings.session_secret`` if set, else a random secret kept under ``var_dir``.

    The secret is persisted so a restart keeps people logged in; it is created with mode
    0600 because whoever reads it can forge session cookies.
    """
    if settings.session_secret:
        return settings.session_secret
    path = settings.var_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its secret
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret
