"""Mail that could not be delivered (admin): who it was for, what failed, and a way to try again."""

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired

from koki_site import mail
from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.extensions import db
from koki_site.mail import OutboxMail
from koki_site.staff import bp

SHOWN = 200  # failed mail is purged after MAIL_RETENTION_DAYS: the list stays short


class RetryForm(FlaskForm):
    ids = SelectMultipleField(coerce=int, validate_choice=False, validators=[DataRequired()])


@bp.get("/mail", endpoint="outbox")
@role_required("admin")
def outbox():
    """Mail given up after its attempts, then mail waiting to be tried again, newest first."""
    failed = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.next_attempt_at.is_(None))
        .order_by(OutboxMail.id.desc())
        .limit(SHOWN)
    ).all()
    retrying = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.next_attempt_at.is_not(None), OutboxMail.attempts > 0)
        .order_by(OutboxMail.id.desc())
        .limit(SHOWN)
    ).all()
    return render_template("staff/outbox.html", failed=failed, retrying=retrying)


@bp.post("/mail/retry", endpoint="outbox_retry")
@role_required("admin")
def retry():
    """Try the chosen mails again now."""
    form = RetryForm()
    if form.validate_on_submit():
        mail.retry(form.ids.data)
        audit.log("mail_retry", target="outbox", details={"mails": len(form.ids.data)})
        db.session.commit()
        mail.deliver_queued()
        count = len(form.ids.data)
        flash(
            ngettext(
                "%(count)s mail is being sent again.",
                "%(count)s mails are being sent again.",
                count,
                count=count,
            ),
            "success",
        )
    return redirect(url_for(".outbox"), 303)
