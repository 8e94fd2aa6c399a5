"""Shared fixtures: a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
a real private Redis, and the service's environment pointed at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

from intake.settings import Settings, get_settings
from storage.db import upgrade

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Documents and field values are sealed under a master key (storage.crypto); the tests use
# one fixed key of their own (subprocesses they start inherit it).
os.environ.setdefault("TAX_INTAKE_MASTER_KEY", "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=")

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server of TEST_DATABASE_URL."""
    base = os.environ["TEST_DATABASE_URL"]
    name = f"tax_intake_test_{os.getpid()}"
    admin = create_engine(_psycopg(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    upgrade(url)
    yield url
    from storage.db import get_engine

    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    from storage.db import get_engine

    with get_engine(url).begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clean_postgres_url(postgres_database: str) -> str:
    """The run's PostgreSQL database, emptied."""
    _truncate_postgres(postgres_database)
    return postgres_database


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database: a SQLite file, then (when configured) PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("postgres_database")
    _truncate_postgres(url)
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server of the test run's own, on a unix socket (the embedded path)."""
    from intake.embedded import start_private_redis

    var_dir = tmp_path_factory.mktemp("redis")
    settings = Settings(var_dir=var_dir)
    process = start_private_redis(settings)
    yield settings.resolved_redis_url
    process.terminate()
    process.wait(10)


@pytest.fixture
def service_env(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Point the service at the test database, the test Redis and a temporary store."""
    from redis import Redis

    Redis.from_url(redis_url).flushall()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
