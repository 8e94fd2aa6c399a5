"""The work queue: Redis + RQ carry document ids, nothing else.

The database stays the source of truth. A job id is derived from the document id, so the
reconciler can ask whether a document already has a job waiting before handing it over again.
"""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from intake.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: The job function, by import path so the web process never imports the OCR stack.
PROCESS_DOCUMENT = "intake.pipeline.process_document"
_WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def redis_connection(settings: Settings | None = None) -> Redis:
    settings = settings or get_settings()
    return Redis.from_url(settings.resolved_redis_url, socket_timeout=10, socket_connect_timeout=5)


def get_queue(settings: Settings | None = None, connection: Redis | None = None) -> Queue:
    settings = settings or get_settings()
    return Queue(settings.queue_name, connection=connection or redis_connection(settings))


def job_id_for(document_id: str) -> str:
    return f"document-{document_id}"


def has_waiting_job(queue: Queue, document_id: str) -> bool:
    """True when the queue already holds a queued or running job for this document."""
    try:
        job = Job.fetch(job_id_for(document_id), connection=queue.connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in _WAITING


def enqueue_document(document_id: str, queue: Queue | None = None) -> bool:
    """Hand a document to the workers. Returns False (and logs) when Redis is unreachable:
    the document stays RECEIVED in the database and the reconciler enqueues it later."""
    settings = get_settings()
    try:
        queue = queue or get_queue(settings)
        queue.enqueue_call(
            PROCESS_DOCUMENT,
            args=(document_id,),
            job_id=job_id_for(document_id),
            timeout=settings.job_timeout_seconds,
            result_ttl=0,  # results hold nothing worth keeping
            failure_ttl=24 * 3600,  # the traceback holds no personal data (ids only)
            description=f"process {document_id}",
        )
    except Exception as exc:  # the queue is only a carrier; never fail an upload on it
        log.warning("could not enqueue document %s: %s", document_id, exc)
        return False
    return True
