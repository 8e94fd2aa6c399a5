"""RQ worker entry point: ``python worker.py`` (or ``python -m intake worker``).

Loads the OCR models once for the life of the process, reconciles the database with the
queue, then works jobs in-process (SimpleWorker: no fork per job, so the loaded models are
reused and nothing of a job survives it but what it wrote to the database and the store).
"""

from __future__ import annotations

import logging
import os
import sys

# Both engines are fastest with one thread per process; scale with processes instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from rq import SimpleWorker

from intake.logs import configure_logging
from intake.pipeline import get_extractor
from intake.queue import get_queue
from intake.scheduler import run_once
from intake.settings import get_settings
from storage.crypto import require_master_key

log = logging.getLogger("worker")


def main(burst: bool = False) -> int:
    configure_logging()
    settings = get_settings()
    require_master_key(settings)  # documents are sealed (R23): no key, no worker
    get_extractor()  # fail at start-up, not at the first job, when models are missing
    run_once(settings, purge=False)
    queue = get_queue(settings)
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main(burst="--burst" in sys.argv))
