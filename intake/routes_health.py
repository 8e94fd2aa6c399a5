"""Liveness and readiness probes (open: no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from intake.deps import DbSession
from intake.queue import redis_connection

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(db: DbSession, response: Response) -> dict[str, str]:
    """The database and the queue answer."""
    checks = {"database": "ok", "queue": "ok"}
    try:
        db.execute(text("SELECT 1"))
    except Exception:
        checks["database"] = "unavailable"
    try:
        redis_connection().ping()
    except Exception:
        checks["queue"] = "unavailable"
    if "unavailable" in checks.values():
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return checks
