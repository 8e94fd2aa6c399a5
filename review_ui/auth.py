"""Local accounts, server-side sessions, idle lock and per-route permissions (R30–R35)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake.deps import DbSession
from intake.security import (
    MAX_FAILED_LOGINS,
    Permission,
    has_permission,
    hash_password,
    token_digest,
    verify_password,
)
from review_ui.models import ReviewSession
from storage.models import User, utcnow

#: R34: a screen left alone this long locks; the server-side session locks with it.
IDLE_LOCK = timedelta(minutes=5)
#: A session, even an active one, ends after a working day.
MAX_SESSION_AGE = timedelta(hours=12)
#: last_seen is written at most this often, to keep page loads free of needless writes.
TOUCH_EVERY = timedelta(seconds=15)
SESSION_KEY = "sid"


class LoginRequired(Exception):
    """No valid session: the person has to log in."""


class SessionLocked(Exception):
    """The session exists but was idle too long (R34): the password is needed again."""


class Forbidden(Exception):
    """The person is logged in but may not do this; ``message`` says why, in Japanese."""

    def __init__(self, message: str = "この操作の権限がありません。") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Viewer:
    """The logged-in person behind a request."""

    user: User
    session: ReviewSession

    @property
    def may_see_my_number(self) -> bool:
        return bool(self.user.may_see_my_number)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def can(self, permission: Permission) -> bool:
        return has_permission(self.user.role, permission)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def account_usable(user: User, now: datetime | None = None) -> bool:
    """Active, not expired (R35) and not locked by wrong passwords."""
    now = now or utcnow()
    if not user.active or user.failed_logins >= MAX_FAILED_LOGINS:
        return False
    return user.expires_at is None or _aware(user.expires_at) > now


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The user if the password is right and the account usable; counts failures."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        # Hash anyway so response time does not tell which names exist.
        verify_password(_dummy_hash(), password)
        return None
    if not account_usable(user):
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        return None
    user.failed_logins = 0
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def start_session(db: Session, request: Request, user: User) -> ReviewSession:
    """Create a server-side session and put its id in the signed cookie."""
    # Sessions nobody ended (a closed browser) are dropped once they are past any use.
    db.execute(delete(ReviewSession).where(ReviewSession.created_at < utcnow() - MAX_SESSION_AGE))
    token = secrets.token_urlsafe(32)
    session = ReviewSession(
        id=token_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32)
    )
    db.add(session)
    request.session.clear()
    request.session[SESSION_KEY] = token
    return session


def end_session(db: Session, request: Request) -> None:
    token = request.session.get(SESSION_KEY)
    if token:
        row = db.get(ReviewSession, token_digest(token))
        if row is not None:
            db.delete(row)
    request.session.clear()


def _session_row(db: Session, request: Request) -> tuple[ReviewSession, User]:
    token = request.session.get(SESSION_KEY)
    row = db.get(ReviewSession, token_digest(token)) if isinstance(token, str) else None
    if row is None:
        raise LoginRequired
    user = db.get(User, row.user_id)
    now = utcnow()
    if (
        user is None
        or not account_usable(user, now)
        or now - _aware(row.created_at) > MAX_SESSION_AGE
    ):
        db.delete(row)
        db.commit()
        raise LoginRequired
    return row, user


def locked_viewer(request: Request, db: DbSession) -> Viewer:
    """The session's owner even when the session is idle-locked (for the unlock screen)."""
    row, user = _session_row(db, request)
    return Viewer(user=user, session=row)


def current_viewer(request: Request, db: DbSession) -> Viewer:
    """The logged-in person; refuses locked sessions and records the activity."""
    row, user = _session_row(db, request)
    now = utcnow()
    idle = now - _aware(row.last_seen_at)
    if idle > IDLE_LOCK:
        raise SessionLocked
    if idle > TOUCH_EVERY:
        row.last_seen_at = now
    return Viewer(user=user, session=row)


def unlock(db: Session, viewer: Viewer, password: str) -> bool:
    """Re-open an idle-locked session with its owner's password (R34)."""
    user = viewer.user
    if not account_usable(user) or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        return False
    user.failed_logins = 0
    viewer.session.last_seen_at = utcnow()
    return True


def check_csrf(viewer: Viewer, token: str | None) -> None:
    """Refuse a state-changing request that does not carry the session's CSRF token."""
    if not token or not hmac.compare_digest(token, viewer.csrf_token):
        raise Forbidden("画面を開き直してから、もう一度操作してください。")


async def _submitted_csrf(request: Request) -> str | None:
    # fetch() sends the token in a header; plain HTML forms in a hidden field.
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def require(*permissions: Permission):
    """Dependency factory: the logged-in person, who must hold one of ``permissions``
    (none given: any usable account).

    For anything but GET/HEAD the request must also carry the session's CSRF token. The
    dependency carries ``permissions`` so every route's requirement can be read off the app
    (tests/test_access_routes.py walks them all).
    """
    wanted = frozenset(permissions)

    async def dependency(
        request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]
    ) -> Viewer:
        if wanted and not any(viewer.can(p) for p in wanted):
            raise Forbidden
        if request.method not in ("GET", "HEAD"):
            check_csrf(viewer, await _submitted_csrf(request))
        return viewer

    dependency.permissions = wanted  # type: ignore[attr-defined]
    return dependency


LoggedIn = Annotated[Viewer, Depends(require())]
Reviewer = Annotated[Viewer, Depends(require(Permission.REVIEW))]
Approver = Annotated[Viewer, Depends(require(Permission.APPROVE))]
Checker = Annotated[Viewer, Depends(require(Permission.DOUBLE_CHECK))]
#: Page images: the corrector's and the checker's screens both show them.
ImageViewer = Annotated[Viewer, Depends(require(Permission.REVIEW, Permission.DOUBLE_CHECK))]
