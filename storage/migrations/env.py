"""Alembic environment: runs against the engine handed over by ``storage.db.upgrade``."""

from __future__ import annotations

from alembic import context

import review_ui.models  # noqa: F401  (its tables belong to the same metadata)
from storage.db import get_engine
from storage.models import Base

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
