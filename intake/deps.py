"""FastAPI dependencies shared by the routers: database session, settings, bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.security import token_digest
from intake.settings import Settings, get_settings
from storage.db import session_scope
from storage.models import ApiToken


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


#: ``scope="function"`` commits before the response is sent: a client that acts on the
#: response at once (a browser following a redirect) sees what the request wrote.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def _bearer_token(db: Session, authorization: str | None, kind: str) -> ApiToken:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    digest = token_digest(authorization.split(" ", 1)[1].strip())
    token = db.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest))
    if token is None or not token.active:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if token.kind != kind:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this token is not a {kind} token")
    return token


def station_token(db: DbSession, authorization: Annotated[str | None, Header()] = None) -> ApiToken:
    """A scanning station's token: may upload and read the status of documents."""
    return _bearer_token(db, authorization, "station")


def feed_token(db: DbSession, authorization: Annotated[str | None, Header()] = None) -> ApiToken:
    """The filing system's token: may pull the export feed and nothing else."""
    return _bearer_token(db, authorization, "feed")


StationToken = Annotated[ApiToken, Depends(station_token)]
FeedToken = Annotated[ApiToken, Depends(feed_token)]
