"""Deleting and counting many rows without holding them all: what every purge is made of."""

from sqlalchemy import delete, func, select

from koki_site.extensions import db

BATCH = 1000


def delete_in_batches(id_column, condition, delete_ids, dry_run):
    """Delete the rows matching condition, BATCH ids at a time; return how many (or would be).

    delete_ids(ids) deletes one batch, with whatever belongs to it. Each batch is its own
    transaction, so memory stays flat and locks stay short whatever the size of the table.
    """
    if dry_run:
        return count_where(id_column, condition)
    batch_query = select(id_column).where(condition).order_by(id_column).limit(BATCH)
    total = 0
    while ids := db.session.scalars(batch_query).all():
        delete_ids(ids)
        db.session.commit()
        total += len(ids)
    return total


def count_where(id_column, condition):
    return db.session.scalar(select(func.count()).select_from(id_column.table).where(condition))


def expiring_rows(kind, model, moment, period):
    """The register's purge(as_of, dry_run) and due(start, end) of rows kept a period after moment.

    period() is the configured Period; `kind` names the rows in the purge's report.
    """

    def cutoff(at):
        return period().before(at)

    def delete_ids(ids):
        db.session.execute(delete(model).where(model.id.in_(ids)))

    def purge(as_of, dry_run):
        return {kind: delete_in_batches(model.id, moment < cutoff(as_of), delete_ids, dry_run)}

    def due(start, end):
        return {kind: count_where(model.id, (moment >= cutoff(start)) & (moment < cutoff(end)))}

    return purge, due
