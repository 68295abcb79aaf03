"""`flask stats show`: the last days' page views and consent decisions."""

from datetime import timedelta

import click
from sqlalchemy import select

from koki_site.extensions import db
from koki_site.statistics import bp, counting
from koki_site.statistics.models import ConsentDecisions, PageViews


@bp.cli.command("show")
@click.option("--days", default=7, show_default=True, help="How many days back, today included.")
def show(days):
    """Print the anonymous page views and the consent decisions of the last days."""
    since = counting.today() - timedelta(days=days - 1)
    views = db.session.scalars(
        select(PageViews)
        .where(PageViews.day >= since)
        .order_by(PageViews.day, PageViews.page, PageViews.language)
    ).all()
    click.echo(f"{'day':<12}{'page':<32}{'lang':<6}{'views':>8}{'visitors':>10}")
    for row in views:
        click.echo(
            f"{row.day.isoformat():<12}{row.page:<32}{row.language:<6}{row.views:>8}{row.visitors:>10}"
        )
    decisions = db.session.scalars(
        select(ConsentDecisions).where(ConsentDecisions.day >= since).order_by(ConsentDecisions.day)
    ).all()
    click.echo(f"\n{'day':<12}{'accepted':>10}{'refused':>10}{'custom':>10}")
    by_day = {}
    for row in decisions:
        by_day.setdefault(row.day, {})[row.kind] = row.decisions
    for day, counts in sorted(by_day.items()):
        click.echo(
            f"{day.isoformat():<12}"
            + "".join(f"{counts.get(kind, 0):>10}" for kind in ("accepted", "refused", "custom"))
        )
