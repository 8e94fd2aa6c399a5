"""Operator commands: ``migrate``, ``worker``, ``scheduler``, ``purge``."""

from __future__ import annotations

import argparse
from datetime import datetime


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(func=_migrate)

    web = subparsers.add_parser("web", help="run the web app alone (external services)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(func=_web)

    worker = subparsers.add_parser("worker", help="run one RQ worker (loads the OCR models once)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(func=_worker)

    scheduler = subparsers.add_parser("scheduler", help="run the reconciler and the purge forever")
    scheduler.set_defaults(func=_scheduler)

    purge = subparsers.add_parser("purge", help="delete every document past its deadline now")
    purge.add_argument(
        "--as-of",
        type=datetime.fromisoformat,
        metavar="ISO-DATETIME",
        help="purge as if it were this time (with a time zone, e.g. …+09:00)",
    )
    purge.set_defaults(func=_purge)


def _migrate(args: argparse.Namespace) -> int:
    from storage.db import upgrade

    upgrade()
    print("database schema is up to date")
    return 0


def _web(args: argparse.Namespace) -> int:
    import uvicorn

    from intake.logs import uvicorn_log_config

    uvicorn.run("api:app", host=args.host, port=args.port, log_config=uvicorn_log_config())
    return 0


def _worker(args: argparse.Namespace) -> int:
    import worker

    return worker.main(burst=args.burst)


def _scheduler(args: argparse.Namespace) -> int:
    from intake.scheduler import run_forever
    from storage.crypto import require_master_key

    require_master_key()  # the purge destroys data keys (R23): no key, no scheduler
    run_forever()
    return 0


def _purge(args: argparse.Namespace) -> int:
    from intake.purge import purge_expired
    from storage.db import session_scope
    from storage.store import get_store

    as_of = args.as_of
    if as_of is not None and as_of.tzinfo is None:
        raise SystemExit("--as-of needs a time zone, e.g. 2027-02-01T09:00:00+09:00")
    with session_scope() as session:
        count = purge_expired(session, get_store(), now=as_of)
    print(f"purged {count} document(s)")
    return 0
