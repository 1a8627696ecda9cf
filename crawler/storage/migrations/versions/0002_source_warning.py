"""source warning: the last crawl's warning per source (a dropped attachment, a wrong encoding)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema up to this revision."""
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("last_warning", sa.Text(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("last_warning")
