"""revalidation: when each page's URL was last checked (a 200 or a 304), for the revisit schedule;
documents indexed by text hash (each extracted document looks for a republished copy by it)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema up to this revision."""
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_documents_text_hash"), "documents", ["text_hash"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_documents_text_hash"), table_name="documents")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("checked_at")
