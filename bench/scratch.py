"""Throw-away services for a benchmark or chaos run: its own database, master key and
environment, so that a run never touches the service's real data.

Used by ``bench/load_benchmark.py`` and ``scripts/chaos.py``.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, text

from intake.settings import Settings, get_settings


def admin_engine(database_url: str) -> Any:
    """An engine on the server's ``postgres`` database, for creating and dropping others.

    Pre-ping: a chaos run may have restarted the server under a pooled connection.
    """
    parts = urlsplit(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return create_engine(
        urlunsplit(parts._replace(path="/postgres")),
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,
    )


@contextmanager
def scratch_database(server_url: str | None, folder: Path, label: str) -> Iterator[str]:
    """A fresh, migrated database of the run's own: a database named after ``label`` on the
    PostgreSQL server of ``server_url``, dropped afterwards; without a server, a SQLite file
    in ``folder``."""
    from storage.db import get_engine, upgrade

    if not server_url:
        url = f"sqlite:///{folder / f'{label}.sqlite3'}"
        upgrade(url)
        yield url
        return
    name = f"tax_intake_{label}_{os.getpid()}"
    admin = admin_engine(server_url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    try:
        upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_master_key(folder: Path) -> Path:
    """A master key of the run's own (documents are stored sealed), readable by us only."""
    path = folder / "master.key"
    path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    path.chmod(0o600)
    return path


@contextmanager
def pointed_at(env: dict[str, str]) -> Iterator[Settings]:
    """This process's settings pointed at the run's database, Redis and store, and back."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
