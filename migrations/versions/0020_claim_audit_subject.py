"""labour claims and their files name the candidate in the audit trail (data only)

Until now ``Claim`` and ``Evidence`` rows of ``audit_event`` had no subject, so destroying
a file (retention) left the upload-time file names and claim descriptions in the trail.
The models now name the candidate of the claim's stage (``audit_subject``); this fills
the subject of the rows written before, and blanks the values of those about a file
already destroyed (a ``destruction_record``), as destruction now does. A purchase, an
activity or a fund payment has no stage and stays without a subject (docs/security.md).
No schema change. Runs as the migrations' user, which may update the log tables
(migration 0011 takes that right from the application's role only).

Objects deleted since are found through their own rows: the last ``stage_id`` a claim's
rows recorded, the last ``claim_id`` of a file's.

Revision ID: 0020_claim_audit_subject
Revises: 0019_intaker_scope
Create Date: 2026-12-03 18:30:00

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_claim_audit_subject'
down_revision = '0019_intaker_scope'
branch_labels = None
depends_on = None

OBJECTS = ('Claim', 'Evidence')
REDACTED = '***'

audit_event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer), sa.column('object_type', sa.String),
    sa.column('object_id', sa.String), sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.String), sa.column('changes', sa.JSON),
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _last(rows, key):
    """object id -> the last new value of ``key`` its audit rows recorded."""
    found = {}
    for row in rows:
        pair = (row.changes or {}).get(key)
        if isinstance(pair, list) and len(pair) == 2 and _int(pair[1]) is not None:
            found[row.object_id] = _int(pair[1])
    return found


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(audit_event.c.id, audit_event.c.object_type, audit_event.c.object_id,
                  audit_event.c.changes)
        .where(audit_event.c.object_type.in_(OBJECTS), audit_event.c.subject_type.is_(None))
        .order_by(audit_event.c.id)).all()
    if not rows:
        return  # a fresh database, or nothing written before
    claim_rows = [row for row in rows if row.object_type == 'Claim']
    file_rows = [row for row in rows if row.object_type == 'Evidence']
    # Live rows first, what the trail recorded for deleted ones after.
    claim_stage = {str(k): v for k, v in bind.execute(sa.text(
        'SELECT id, stage_id FROM sroi_claim WHERE stage_id IS NOT NULL')).all()}
    file_claim = {str(k): v for k, v in bind.execute(sa.text(
        'SELECT id, claim_id FROM sroi_evidence WHERE claim_id IS NOT NULL')).all()}
    for object_id, stage_id in _last(claim_rows, 'stage_id').items():
        claim_stage.setdefault(object_id, stage_id)
    for object_id, claim_id in _last(file_rows, 'claim_id').items():
        file_claim.setdefault(object_id, claim_id)
    if file_claim:  # a file's deleted claim: its stage from the claim's own rows
        wanted = {str(c) for c in file_claim.values()} - set(claim_stage)
        if wanted:
            older = bind.execute(
                sa.select(audit_event.c.object_id, audit_event.c.changes)
                .where(audit_event.c.object_type == 'Claim',
                       audit_event.c.object_id.in_(sorted(wanted)))
                .order_by(audit_event.c.id)).all()
            for object_id, stage_id in _last(older, 'stage_id').items():
                claim_stage.setdefault(object_id, stage_id)
    stage_person = dict(bind.execute(sa.text('SELECT id, candidate_id FROM stage')).all())

    def person(object_type, object_id):
        if object_type == 'Evidence':
            claim_id = file_claim.get(object_id)
            if claim_id is None:
                return None
            object_id = str(claim_id)
        return stage_person.get(claim_stage.get(object_id))

    destroyed = {str(c) for (c,) in bind.execute(sa.text(
        'SELECT candidate_id FROM destruction_record')).all()}
    named, blanked = [], []
    for row in rows:
        candidate_id = person(row.object_type, row.object_id)
        if candidate_id is None:
            continue
        named.append({'row_id': row.id, 'person': str(candidate_id)})
        if str(candidate_id) in destroyed:
            changes = row.changes if isinstance(row.changes, dict) else json.loads(row.changes)
            blanked.append({'row_id': row.id,
                            'blank': {key: [REDACTED, REDACTED] for key in changes or {}}})
    if named:
        bind.execute(
            audit_event.update().where(audit_event.c.id == sa.bindparam('row_id'))
            .values(subject_type='Candidate', subject_id=sa.bindparam('person')), named)
    if blanked:
        bind.execute(
            audit_event.update().where(audit_event.c.id == sa.bindparam('row_id'))
            .values(changes=sa.bindparam('blank', type_=sa.JSON)), blanked)


def downgrade():
    # Back to rows without a subject, as the code before this revision writes them; values
    # blanked for a destroyed file stay blanked (destruction is not undone).
    op.get_bind().execute(
        audit_event.update().where(audit_event.c.object_type.in_(OBJECTS))
        .values(subject_type=None, subject_id=None))
