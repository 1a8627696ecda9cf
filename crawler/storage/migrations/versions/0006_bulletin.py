"""bulletin: a source's outlet name and an article's section on its outlet

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema up to this revision."""
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("outlet", sa.Text(), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("section", sa.Text(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("section")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("outlet")
