"""web more: failed logins kept for the throttle, and the operator's crawl requests

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Bring the schema up to this revision."""
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_web_login_failures_key", "web_login_failures", ["key"])
    op.create_index("ix_web_login_failures_at", "web_login_failures", ["at"])
    op.create_table(
        "crawl_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_crawl_requests_job_id", "crawl_requests", ["job_id"])


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("crawl_requests")
    op.drop_table("web_login_failures")
