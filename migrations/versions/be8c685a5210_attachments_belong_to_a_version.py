"""attachments belong to a version

Revision ID: be8c685a5210
Revises: 58053d9bb1de
Create Date: 2026-12-03 22:10:26.777646

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'be8c685a5210'
down_revision = '58053d9bb1de'
branch_labels = None
depends_on = None


practice = sa.table(
    "practice",
    sa.column("id", sa.Integer), sa.column("version_count", sa.Integer),
    sa.column("current_version_id", sa.Integer),
)
attachment = sa.table(
    "practice_attachment",
    sa.column("practice_id", sa.Integer), sa.column("added_in_version", sa.Integer),
    sa.column("removed_in_version", sa.Integer),
)


def upgrade():
    with op.batch_alter_table('practice_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_in_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_in_version', sa.Integer(), nullable=True))

    # Until now every attachment was public at once: those of a model that has a published
    # version belong to its current version; those of never-published models stay drafts.
    current = (
        sa.select(practice.c.version_count)
        .where(practice.c.id == attachment.c.practice_id,
               practice.c.current_version_id.is_not(None))
        .scalar_subquery()
    )
    op.execute(attachment.update().values(added_in_version=current))


def downgrade():
    # Without the columns every row is public: rows already removed from the current version
    # go (their files stay in the upload directory); drafts become public as they used to.
    current = (
        sa.select(practice.c.version_count)
        .where(practice.c.id == attachment.c.practice_id)
        .scalar_subquery()
    )
    op.execute(attachment.delete().where(attachment.c.removed_in_version.is_not(None),
                                         attachment.c.removed_in_version <= current))
    with op.batch_alter_table('practice_attachment', schema=None) as batch_op:
        batch_op.drop_column('removed_in_version')
        batch_op.drop_column('added_in_version')
