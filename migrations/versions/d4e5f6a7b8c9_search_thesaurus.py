"""search thesaurus: concept sets of terms in fi, sv and en for query expansion

Revision ID: d4e5f6a7b8c9
Revises: be8c685a5210
Create Date: 2026-12-04 02:40:00.000000

The rows are loaded by `flask search thesaurus import` (from app/search/data/thesaurus.csv),
not here: the shipped data changes more often than the schema.
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'be8c685a5210'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_concept',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('terms_fi', sa.String(length=2000), nullable=False),
    sa.Column('terms_sv', sa.String(length=2000), nullable=False),
    sa.Column('terms_en', sa.String(length=2000), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', app.core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                            name=op.f('fk_search_concept_updated_by_id_user_account'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_concept')),
    sa.UniqueConstraint('slug', name=op.f('uq_search_concept_slug'))
    )


def downgrade():
    op.drop_table('search_concept')
