"""The DPO's pages: the audit log with its filters, and what the coming purges will remove."""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from koki_site.core import audit, jobs, record_kinds, register, retention
from koki_site.core.audit import AuditEntry
from koki_site.core.auth import role_required
from koki_site.core.pagination import paginate
from koki_site.extensions import db
from koki_site.staff import bp
from koki_site.staff.forms import AuditFilterForm

PER_PAGE = 50
FILTERS = ("action", "actor", "since", "until")
RETENTION_HORIZON = timedelta(days=30)


@bp.get("/audit", endpoint="audit")
@role_required("dpo")
def audit_log():
    """The audit log, newest first, filtered by action, who, and a range of days; 50 a page."""
    form = AuditFilterForm(formdata=request.args)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    labelled = sorted(((str(audit.action_label(a)), a) for a in actions), key=lambda pair: pair[0].casefold())
    form.action.choices = [
        SelectChoice("", _l("All actions")),
        *(SelectChoice(a, label) for label, a in labelled),
    ]
    form.validate()  # a field in error (a malformed date) is shown with its message and not applied
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.actor.data and not form.actor.errors:
        query = query.where(AuditEntry.actor.icontains(form.actor.data.strip(), autoescape=True))
    if form.since.data and not form.since.errors:
        query = query.where(AuditEntry.at >= start_of_day(form.since.data))
    if form.until.data and not form.until.errors:
        query = query.where(AuditEntry.at < start_of_day(form.until.data + timedelta(days=1)))
    page = paginate(query, PER_PAGE)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "staff/audit.html",
        form=form,
        page=page,
        filters=filters,
        action_label=audit.action_label,
        actor_label=audit.actor_label,
        target_of=lambda target: audit.target_of(target, current_user.roles),
        details_of=audit.details_of,
    )


def start_of_day(day):
    """Midnight of that day where the staff are (BABEL_DEFAULT_TIMEZONE), in UTC as stored."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, zone).astimezone(UTC)


@bp.get("/retention", endpoint="retention")
@role_required("dpo")
def retention_report():
    """What will pass its retention period in the next 30 days, and every period of the register."""
    now = datetime.now(UTC)
    due = retention.due(now, now + RETENTION_HORIZON)
    last_purge = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "purge").order_by(AuditEntry.at.desc()).limit(1)
    ).first()
    return render_template(
        "staff/retention.html",
        due=due,
        horizon=RETENTION_HORIZON.days,
        processings=register.PROCESSINGS,
        kind_label=record_kinds.label,
        last_purge=last_purge,
        purge_removed=removed_by(last_purge),
        purge_state=next((state for state in jobs.states(now) if state.job.name == "purge"), None),
    )


def removed_by(purge_entry):
    """{kind: count} of what a purge removed, from its audit entry."""
    details = json.loads(purge_entry.details or "{}") if purge_entry else {}
    return {kind: count for kind, count in details.items() if kind != "as_of" and isinstance(count, int)}
