"""Liveness and readiness probes and Prometheus metrics (open: they hold no personal data)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from sqlalchemy import text

from intake.deps import AppSettings, DbSession
from intake.metrics import collect
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


class _Snapshot:
    def __init__(self, db: DbSession, settings: AppSettings) -> None:
        self.db, self.settings = db, settings

    def collect(self) -> Iterator[Metric]:
        return collect(self.db, redis_connection(self.settings), self.settings.queue_name)


@router.get("/metrics", response_class=Response)
def metrics(db: DbSession, settings: AppSettings) -> Response:
    """Prometheus text format: queue depth, pages, OCR latency, review backlog, purge lag."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(db, settings))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
