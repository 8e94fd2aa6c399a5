"""``serve``: the whole service on one machine with embedded defaults.

SQLite and the document store under ``./var``, a private Redis on a unix socket, one worker,
the scheduler and the web app. ``--demo N`` feeds in N generated sample slips.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import threading
import time

from sqlalchemy import func, select

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the service with embedded defaults")
    parser.add_argument("--host", help="address to listen on (default from settings)")
    parser.add_argument("--port", type=int, help="port (default from settings)")
    parser.add_argument("--workers", type=int, default=1, help="RQ worker processes")
    parser.add_argument(
        "--demo", type=int, default=0, metavar="N", help="feed in N generated sample slips"
    )
    parser.set_defaults(func=run)


def ensure_first_user() -> str | None:
    """On a fresh database create a supervisor ``admin`` and return its password."""
    from intake.security import hash_password
    from storage.db import session_scope
    from storage.models import User

    with session_scope() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        password = secrets.token_urlsafe(12)
        session.add(
            User(
                username="admin",
                display_name="管理者",
                role="supervisor",
                may_see_my_number=True,
                password_hash=hash_password(password),
            )
        )
    return password


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop_if_a_child_dies(
    children: list[subprocess.Popen[bytes]], stopping: threading.Event
) -> None:
    """The service never runs without its worker, scheduler or Redis: if one exits (a worker
    that finds no OCR models exits at once with the reason in its log), stop everything."""
    while not stopping.is_set():
        for child in children:
            code = child.poll()
            if code is not None and not stopping.is_set():
                log.error("%s exited with code %s; stopping the service", child.args, code)
                os.kill(os.getpid(), signal.SIGTERM)
                return
        time.sleep(1)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from intake import embedded
    from intake.logs import uvicorn_log_config
    from intake.settings import get_settings
    from storage.crypto import require_master_key
    from storage.db import upgrade

    settings = get_settings()
    host, port = args.host or settings.host, args.port or settings.port
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    # Development makes its own master key under var/ (0600); elsewhere one must be given.
    require_master_key(settings)
    upgrade()
    password = ensure_first_user()

    children: list[subprocess.Popen[bytes]] = []
    stopping = threading.Event()
    # uvicorn re-raises SIGTERM after its graceful shutdown; as an exception it reaches the
    # ``finally`` below, so the worker, scheduler and Redis stop with us instead of living on.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if settings.redis_url is None:
            children.append(embedded.start_private_redis(settings))
        children += [embedded.start_python(["worker.py"], settings) for _ in range(args.workers)]
        children.append(embedded.start_python(["-m", "intake", "scheduler"], settings))
        threading.Thread(
            target=_stop_if_a_child_dies, args=(children, stopping), daemon=True
        ).start()
        if args.demo:
            from intake.demo import feed_samples

            threading.Thread(target=feed_samples, args=(args.demo,), daemon=True).start()
        print(f"\n  tax-intake is running: http://{host}:{port}/")
        if password:
            print(f"  log in as admin / {password}   (shown once; add staff accounts with")
            print("  .venv/bin/python -m intake users add NAME --role corrector)")
        else:
            print("  log in with your account (python -m intake users add NAME --role …)")
        print("  stop with Ctrl+C\n", flush=True)
        uvicorn.run("api:app", host=host, port=port, log_config=uvicorn_log_config())
    finally:
        stopping.set()
        embedded.stop_all(children)
    return 0
