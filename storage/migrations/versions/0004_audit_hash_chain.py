"""audit log: hash chain over the events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage.audit import GENESIS, event_hash
    from storage.models import AuditEvent

    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    # Events written before the chain existed are chained now, in id order.
    table = sa.table(
        "audit_event",
        *(
            sa.column(name)
            for name in ("id", "actor", "action", "document_id", "purpose", "remote_addr")
        ),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    connection = op.get_bind()
    prev = GENESIS
    for row in connection.execute(sa.select(table).order_by(table.c.id)).mappings().all():
        item = AuditEvent(**{k: row[k] for k in row if k not in ("prev_hash", "hash")})
        digest = event_hash(item, prev)
        connection.execute(
            table.update().where(table.c.id == row["id"]).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_audit_event_hash", ["hash"])


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_constraint("uq_audit_event_hash", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
