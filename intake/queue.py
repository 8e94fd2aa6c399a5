"""The work queue: Redis + RQ carry document ids, nothing else.

The database stays the source of truth. A job id is derived from the document id, so the
reconciler can ask whether a document already has a job waiting before handing it over again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.utils import now

from intake.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: The job function, by import path so the web process never imports the OCR stack.
PROCESS_DOCUMENT = "intake.pipeline.process_document"
#: After this many runs that crashed or were killed, a document is FAILED instead of retried:
#: a file that takes its worker down every time must not do so for ever.
MAX_ATTEMPTS = 3
#: How long past its timeout a run may take to hand its document back before it counts as dead.
RUN_GRACE = timedelta(seconds=60)


def redis_connection(settings: Settings | None = None) -> Redis:
    settings = settings or get_settings()
    return Redis.from_url(settings.resolved_redis_url, socket_timeout=10, socket_connect_timeout=5)


def get_queue(settings: Settings | None = None, connection: Redis | None = None) -> Queue:
    settings = settings or get_settings()
    return Queue(settings.queue_name, connection=connection or redis_connection(settings))


def job_id_for(document_id: str) -> str:
    return f"document-{document_id}"


def run_limit(settings: Settings | None = None) -> timedelta:
    """How long a run can be alive. RQ ends a job at its timeout (SimpleWorker too, by
    SIGALRM), and the job itself then hands its document back: a run older is dead."""
    settings = settings or get_settings()
    return timedelta(seconds=settings.job_timeout_seconds) + RUN_GRACE


def queued_job_ids(queue: Queue) -> set[str]:
    """Ids of the jobs in the queue right now, in one round trip."""
    return set(queue.get_job_ids())


def has_waiting_job(
    queue: Queue,
    document_id: str,
    queued: set[str] | None = None,
    settings: Settings | None = None,
) -> bool:
    """True when a job for this document waits in the queue or is running.

    A job's status alone does not say so: a worker killed mid-job (kill -9, out of memory,
    a lost host) leaves its job "started" for good, and one killed just after taking a job
    from the queue leaves it "queued" but out of the queue. ``queued`` saves the caller a
    round trip per document (see :func:`queued_job_ids`).
    """
    job_id = job_id_for(document_id)
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED:
        started = job.started_at
        return started is not None and now() - started < run_limit(settings)
    if status == JobStatus.QUEUED:
        return job_id in (queued if queued is not None else queued_job_ids(queue))
    return status in (JobStatus.SCHEDULED, JobStatus.DEFERRED)


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
