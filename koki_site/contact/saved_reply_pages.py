"""Saved replies (support shares them, one language each) and each agent's signatures."""

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from koki_site.contact import inbox_bp as bp
from koki_site.contact import reply_aids
from koki_site.contact.forms import SavedReplyForm, signature_form
from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.core.formats import language
from koki_site.extensions import db


def saved_reply_form(**kwargs):
    form = SavedReplyForm(**kwargs)
    form.language.choices = [SelectChoice(code, language(code)) for code in current_app.config["LANGUAGES"]]
    return form


@bp.route("/saved-replies", methods=["GET", "POST"])
@role_required("support")
def saved_replies():
    """The saved replies, by language, and a form to add one."""
    form = saved_reply_form()
    if form.validate_on_submit():
        if taken(form):
            return render_saved(form), 400
        saved = reply_aids.SavedReply(updated_at=now(), updated_by=current_user.email)
        form.populate_obj(saved)
        db.session.add(saved)
        db.session.flush()
        audit.log("saved_reply", target=f"saved_reply:{saved.id}", details={"change": "added"})
        db.session.commit()
        flash(_("The saved reply “%(title)s” is added.", title=saved.title), "success")
        return redirect(url_for(".saved_replies"), 303)
    return render_saved(form), 400 if form.errors else 200


def taken(form, current=None):
    """A title is used once per language; the form says so."""
    same = [
        r
        for r in reply_aids.saved_replies(form.language.data)
        if r.title == form.title.data and r is not current
    ]
    if same:
        form.title.errors = [_("A saved reply of this language already has this title.")]
    return bool(same)


def render_saved(form, editing=None):
    return render_template(
        "contact/saved_replies.html", form=form, editing=editing, saved_replies=reply_aids.saved_replies()
    )


@bp.route("/saved-replies/<id:reply_id>", methods=["GET", "POST"])
@role_required("support")
def saved_reply(reply_id):
    """Change a saved reply."""
    saved = db.session.get(reply_aids.SavedReply, reply_id) or abort(404)
    form = saved_reply_form(obj=saved)
    if form.validate_on_submit():
        if taken(form, saved):
            return render_saved(form, saved), 400
        form.populate_obj(saved)
        saved.updated_at, saved.updated_by = now(), current_user.email
        audit.log("saved_reply", target=f"saved_reply:{saved.id}", details={"change": "changed"})
        db.session.commit()
        flash(_("The saved reply “%(title)s” is saved.", title=saved.title), "success")
        return redirect(url_for(".saved_replies"), 303)
    return render_saved(form, saved), 400 if form.errors else 200


@bp.post("/saved-replies/<id:reply_id>/delete")
@role_required("support")
def delete_saved_reply(reply_id):
    """Delete a saved reply (replies already sent keep their text)."""
    saved = db.session.get(reply_aids.SavedReply, reply_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    db.session.delete(saved)
    audit.log("saved_reply", target=f"saved_reply:{saved.id}", details={"change": "deleted"})
    db.session.commit()
    flash(_("The saved reply “%(title)s” is deleted.", title=saved.title), "success")
    return redirect(url_for(".saved_replies"), 303)


@bp.route("/signature", methods=["GET", "POST"])
@role_required("support")
def signature():
    """One's own signature in each language: the reply box starts with it."""
    languages = current_app.config["LANGUAGES"]
    labels = {
        code: _("Signature for messages in %(language)s", language=language(code, in_sentence=True))
        for code in languages
    }
    current = {f"signature_{code}": reply_aids.signature(current_user.id, code) for code in languages}
    form = signature_form(languages, labels, current)
    if form.validate_on_submit():
        for code in languages:
            set_signature(code, form[f"signature_{code}"].data)
        db.session.commit()
        flash(_("Your signatures are saved."), "success")
        return redirect(url_for(".signature"), 303)
    return render_template(
        "contact/signature.html", form=form, languages=languages
    ), 400 if form.errors else 200


def set_signature(code, text):
    found = db.session.get(reply_aids.Signature, (current_user.id, code))
    if not text:
        if found is not None:
            db.session.delete(found)
    elif found is None:
        db.session.add(reply_aids.Signature(account_id=current_user.id, language=code, body=text))
    else:
        found.body = text


def now():
    return datetime.now(UTC)
