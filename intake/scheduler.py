"""Periodic duties: the reconciler every minute, the purge every ten minutes.

Run as its own process (``python -m intake scheduler``); in the embedded set-up ``serve``
starts it. Several schedulers are harmless: both duties are idempotent.
"""

from __future__ import annotations

import logging
import time

from intake.purge import purge_expired
from intake.queue import get_queue
from intake.reconcile import reconcile
from intake.settings import Settings, get_settings
from storage.db import session_scope
from storage.store import get_store

log = logging.getLogger(__name__)


def run_once(settings: Settings | None = None, *, purge: bool = True) -> None:
    settings = settings or get_settings()
    try:
        with session_scope() as session:
            reconcile(session, get_queue(settings), settings)
    except Exception:  # Redis or the database may be down for a while; try next round
        log.exception("reconcile failed")
    if purge:
        try:
            with session_scope() as session:
                purge_expired(session, get_store())
        except Exception:
            log.exception("purge failed")


def run_forever(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    next_purge = 0.0
    while True:
        now = time.monotonic()
        run_once(settings, purge=now >= next_purge)
        if now >= next_purge:
            next_purge = now + settings.purge_every_seconds
        time.sleep(settings.reconcile_every_seconds)
