"""The marketing side of the newsletter: counts, growth per week, the list, and the CSV
export (HTTP and CLI); one subscriber's page is in newsletter/subscriber.py."""

import os
from datetime import UTC, datetime

import click
from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.core.errors import BadValue
from koki_site.core.formats import language as language_name
from koki_site.core.pagination import paginate
from koki_site.extensions import db
from koki_site.newsletter import growth
from koki_site.newsletter import marketing_bp as bp
from koki_site.newsletter.export import SubscriberExport, audited, parse_filters
from koki_site.newsletter.models import STATUSES, Subscription

PER_PAGE = 50
STATUS_LABELS = {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "unsubscribed": _l("Unsubscribed")}


# What the audit log calls this capability's actions, targets and details (core/capabilities.py).
AUDIT_WORDS = {
    "actions": {"export": _l("Newsletter list exported"), "subscriber_view": _l("Subscriber's page read")},
    "targets": {
        "newsletter": audit.TargetKind(_l("Newsletter list")),
        "subscription": audit.TargetKind(
            _l("Subscription"), "marketing.subscriber", "subscription_id", ("marketing",)
        ),
    },
    "details": {
        "language": _l("language"),
        "since": _l("since"),
        "format": _l("format"),
        "rows": _l("rows"),
        "interrupted": _l("interrupted"),
    },
}


@bp.get("")
@role_required("marketing")
def subscribers():
    """Counts by status and language, growth per week, the list by status and address, the export form."""
    status = request.args.get("status", "")
    weeks = request.args.get("weeks", type=int)
    weeks = weeks if weeks in growth.WEEK_RANGES else growth.DEFAULT_WEEKS
    q = request.args.get("q", "").strip()
    query = select(Subscription).order_by(Subscription.subscribed_at.desc(), Subscription.id.desc())
    if status in STATUSES:
        query = query.where(Subscription.status == status)
    if q:
        query = query.where(func.lower(Subscription.email).contains(q.lower(), autoescape=True))
    page = paginate(query, PER_PAGE)
    by_status = select(Subscription.status, func.count()).group_by(Subscription.status)
    by_language = (
        select(Subscription.language, func.count())
        .where(Subscription.status == "confirmed", Subscription.email.is_not(None))
        .group_by(Subscription.language)
    )
    return render_template(
        "newsletter/marketing.html",
        page=page,
        status=status,
        q=q,
        statuses=STATUSES,
        counts=dict(db.session.execute(by_status).all()),
        languages=dict(db.session.execute(by_language).all()),
        status_label=STATUS_LABELS.get,
        language_name=language_name,
        chart=growth.chart(weeks),
        weeks=weeks,
        week_ranges=growth.WEEK_RANGES,
    )


@bp.get("/export.csv")
@role_required("marketing")
def export_csv():
    """The confirmed subscribers as CSV (Excel's dialect with ?format=excel), streamed, then audited."""
    args = request.args
    if (args.get("format") or "csv") not in ("csv", "excel"):
        abort(400)
    try:
        filters = parse_filters(args.get("language"), args.get("since"), args.get("format") == "excel")
    except ValueError:
        raise BadValue(
            _l("Choose a language of the site, and a date between the years 2000 and 2999.")
        ) from None
    export = SubscriberExport(**filters)
    filename = f"newsletter-{datetime.now(UTC).date().isoformat()}.csv"
    headers = {"Content-Disposition": f"attachment; filename={filename}"}  # no-store: as every staff page
    return Response(stream_with_context(audited(export)), mimetype="text/csv", headers=headers)


def private_file(path, flags):
    """Open a new export file readable by its owner only: it holds personal data."""
    return os.open(path, flags, 0o600)


@bp.cli.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The CSV file to write.")
@click.option("--language", metavar="fr|en", help="Subscribers of this language only.")
@click.option("--since", help="Subscribed on or after this day (YYYY-MM-DD).")
@click.option("--excel", is_flag=True, help="Excel's dialect: ';' between cells, UTF-8 with a BOM.")
def export_command(output, language, since, excel):
    """Write the confirmed subscribers to a CSV file, as /staff/newsletter/export.csv gives them."""
    try:
        filters = parse_filters(language, since, excel)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    export = SubscriberExport(**filters)
    with open(output, "w", encoding="utf-8", newline="", opener=private_file) as out:
        for chunk in audited(export):
            out.write(chunk)
    click.echo(f"Exported {export.rows} confirmed subscribers to {output}.")
