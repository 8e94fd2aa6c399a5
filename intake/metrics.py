"""Operational metrics for Prometheus at ``/metrics``. No personal data, counts and times only.

Workers on many hosts add their figures to one Redis hash; the web app reads that hash and the
database at scrape time. A flushed Redis resets the counters, which Prometheus treats as any
counter reset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Document, utcnow
from storage.status import DocumentStatus

log = logging.getLogger(__name__)

METRICS_KEY = "tax_intake:metrics"
#: Upper bounds (seconds) of the OCR latency histogram, per page.
LATENCY_BUCKETS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


def record_page(connection: Redis, seconds: float, status: str) -> None:
    """Count one processed page and its OCR time (called by the worker; best effort)."""
    try:
        pipe = connection.pipeline(transaction=False)
        pipe.hincrby(METRICS_KEY, f"pages_{status}", 1)
        pipe.hincrbyfloat(METRICS_KEY, "ocr_seconds_sum", seconds)
        for bound in LATENCY_BUCKETS:
            if seconds <= bound:
                pipe.hincrby(METRICS_KEY, f"ocr_bucket_{bound}", 1)
        pipe.execute()
    except Exception as exc:  # metrics must never fail a job
        log.debug("metrics not recorded: %s", exc)


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite hands back naive UTC datetimes
        then = then.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - then).total_seconds())


def collect(session: Session, connection: Redis, queue_name: str) -> Iterator[Metric]:
    """Every metric family, computed now."""
    now = utcnow()
    by_status = dict(
        session.execute(select(Document.status, func.count()).group_by(Document.status)).all()
    )
    documents = GaugeMetricFamily(
        "tax_intake_documents", "Documents held, by status", labels=["status"]
    )
    for status in DocumentStatus:
        documents.add_metric([status.value], by_status.get(status.value, 0))
    yield documents
    yield GaugeMetricFamily(
        "tax_intake_review_backlog",
        "Documents waiting for a person",
        value=by_status.get(DocumentStatus.NEEDS_REVIEW.value, 0),
    )
    oldest = session.scalar(select(func.min(Document.received_at)))
    yield GaugeMetricFamily(
        "tax_intake_oldest_document_age_seconds",
        "Age of the oldest document not yet purged",
        value=_age(now, oldest),
    )
    overdue = session.scalar(select(func.min(Document.expires_at)))
    yield GaugeMetricFamily(
        "tax_intake_purge_lag_seconds",
        "How long the most overdue document has outlived its deadline",
        value=_age(now, overdue),
    )

    try:
        depth = connection.llen(f"rq:queue:{queue_name}")
        stored: dict[bytes, bytes] = connection.hgetall(METRICS_KEY)  # type: ignore[assignment]
        raw = {key.decode(): float(value) for key, value in stored.items()}
    except Exception:
        return  # queue unreachable: the database figures above still stand
    yield GaugeMetricFamily("tax_intake_queue_depth", "Jobs waiting in the queue", value=depth)
    pages = CounterMetricFamily("tax_intake_pages", "Pages processed", labels=["status"])
    for outcome in ("ok", "rejected"):
        pages.add_metric([outcome], raw.get(f"pages_{outcome}", 0.0))
    yield pages
    buckets = [(str(b), raw.get(f"ocr_bucket_{b}", 0.0)) for b in LATENCY_BUCKETS]
    total = raw.get("pages_ok", 0.0) + raw.get("pages_rejected", 0.0)
    buckets.append(("+Inf", total))
    yield HistogramMetricFamily(
        "tax_intake_ocr_seconds",
        "OCR time per page",
        buckets=buckets,
        sum_value=raw.get("ocr_seconds_sum", 0.0),
    )
