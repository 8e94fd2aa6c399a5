"""why OCR sent each field to review (doubt codes, shown on the correction screen)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 02:30:00

Fields read before this revision have no recorded reasons: an empty list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_value") as batch:
        batch.add_column(
            sa.Column("doubts", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("field_value") as batch:
        batch.drop_column("doubts")
