"""field values sealed with the field key (R32)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 07:00:00

Values written before sealing existed are sealed in place; the column types stay (sealed
values are JSON strings / text).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: table → (JSON columns, text columns)
_COLUMNS = {
    "field_value": (("value", "ocr_value"), ("raw_text",)),
    "double_check_entry": (("value",), ()),
}


def _plain(value: object) -> bool:
    from storage.sealed import PREFIX

    return value is not None and not (isinstance(value, str) and value.startswith(PREFIX))


def upgrade() -> None:
    from storage.sealed import seal_value

    connection = op.get_bind()
    for name, (json_columns, text_columns) in _COLUMNS.items():
        table = sa.table(
            name,
            sa.column("id"),
            *(sa.column(c, sa.JSON()) for c in json_columns),
            *(sa.column(c, sa.Text()) for c in text_columns),
        )
        for row in connection.execute(sa.select(table)).mappings().all():
            sealed = {
                column: seal_value(row[column])
                for column in (*json_columns, *text_columns)
                if _plain(row[column])
            }
            if sealed:
                connection.execute(table.update().where(table.c.id == row["id"]).values(**sealed))

    # Export files kept in the database (until they expire) hold the same data.
    from storage.sealed import SealedBytes, is_sealed_bytes

    exports = sa.table("export_batch", sa.column("seq"), sa.column("content", sa.LargeBinary()))
    sealed_exports = sa.table("export_batch", sa.column("seq"), sa.column("content", SealedBytes()))
    for seq, content in connection.execute(sa.select(exports.c.seq, exports.c.content)).all():
        if not is_sealed_bytes(content):
            connection.execute(
                sealed_exports.update()
                .where(sealed_exports.c.seq == seq)
                .values(content=bytes(content))
            )


def downgrade() -> None:
    raise NotImplementedError("sealed values are not unsealed by a downgrade")
