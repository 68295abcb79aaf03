"""One subscriber's page (marketing): the status history and the proof of consent, as listmonk shows it."""

from flask import abort, render_template

from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.extensions import db
from koki_site.newsletter import marketing_bp as bp
from koki_site.newsletter.marketing import STATUS_LABELS
from koki_site.newsletter.models import Subscription
from koki_site.newsletter.records import consent_text_sha256


def history(subscription):
    """(moment, what happened) of the subscription, oldest first."""
    steps = [(subscription.subscribed_at, "subscribed")]
    if subscription.confirmed_at:
        steps.append((subscription.confirmed_at, "confirmed"))
    if subscription.unsubscribed_at:
        steps.append((subscription.unsubscribed_at, "unsubscribed"))
    return steps


@bp.get("/<id:subscription_id>")
@role_required("marketing")
def subscriber(subscription_id):
    """A subscription: status history, proof of consent (time, policy version, text's hash, page)."""
    subscription = db.session.get(Subscription, subscription_id) or abort(404)
    audit.log("subscriber_view", target=f"subscription:{subscription.id}")
    db.session.commit()
    current_text = consent_text_sha256(subscription.language)
    return render_template(
        "newsletter/subscriber.html",
        subscription=subscription,
        history=history(subscription),
        status_label=STATUS_LABELS.get,
        same_text=current_text == subscription.consent_text_sha256,
    )
