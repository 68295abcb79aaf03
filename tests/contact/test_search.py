"""Inbox search (contact/search.py): the same results on SQLite and PostgreSQL (TEST_DATABASE_URL),
accents and case folded both ways, each word the start of a word, wildcards and operators literal."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from koki_site.contact import search
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db

pytestmark = pytest.mark.db

MESSAGES = {
    "elodie": (
        "Élodie",
        "Rousseau",
        "elodie.rousseau@hopital-sud.fr",
        "Hôpital Sud",
        "Bonjour, nous souhaitons une démonstration du logiciel de traçabilité pour le bloc opératoire.",
    ),
    "linus": ("Linus", "Kernel", "LINUS@Example.org", "", "A question about the cleaning reports."),
    "coeur": (
        "Zoë",
        "Œuvray",
        "zoe@cœur.example",
        "Cœur & Co",
        "Devis pour 12 sites, 100% nettoyés chaque jour.",
    ),
    "grace": (
        "Grace",
        "Hopper",
        "grace@navy.example",
        "Navy",
        "Interventions de nettoyage: où en est le devis ?",
    ),
}
# query -> keys expected, on both databases
CASES = {
    "elodie": {"elodie"},
    "ÉLODIE": {"elodie"},
    "hopital": {"elodie"},
    "hôp": {"elodie", "grace"},  # Hôpital, Hopper
    "démo": {"elodie"},
    "demonstration logiciel": {"elodie"},
    "tracabilite": {"elodie"},
    "linus@exam": {"linus"},
    "linus@example.org": {"linus"},
    "kern": {"linus"},
    "coeur": {"coeur"},
    "cœur": {"coeur"},
    "oeuvray": {"coeur"},
    "zoe": {"coeur"},
    "devis": {"coeur", "grace"},
    "devis navy": {"grace"},
    "100%": {"coeur"},
    "100%_": {"coeur"},
    "_": None,  # no word: no search
    "nettoy": {"coeur", "grace"},
    "intervention": {"grace"},
    "xyzzy": set(),
    "'); DROP TABLE contact_message; --": set(),
    '"bloc" -logiciel*': {"elodie"},  # no operator obeyed: "bloc" and "logiciel" are searched
    "bloc OR kernel": set(),  # "or" is a word like any other
}


def store(app):
    now = datetime.now(UTC)
    ids = {}
    with app.app_context():
        for n, (key, (first, last, email, company, text)) in enumerate(MESSAGES.items()):
            message = ContactMessage(
                reference=f"KOKI-2026-{n + 1:05d}",
                first_name=first,
                last_name=last,
                email=email,
                company=company,
                phone="",
                message=text,
                language="fr",
                legal_basis="legitimate_interests",
                purpose="p",
                policy_version="v",
                received_at=now - timedelta(minutes=n),
                delete_after=now + timedelta(days=365),
            )
            db.session.add(message)
            db.session.flush()
            ids[message.id] = key
        db.session.commit()
    return ids


def found(app, ids, query):
    with app.app_context():
        condition = search.matching(query)
        if condition is None:
            return None
        return {ids[i] for i in db.session.scalars(select(ContactMessage.id).where(condition))}


@pytest.mark.parametrize(("query", "expected"), CASES.items())
def test_the_search_finds_the_same_messages_on_every_database(app, query, expected):
    ids = store(app)
    assert found(app, ids, query) == expected


def test_a_changed_message_is_searched_as_it_now_is_and_a_deleted_one_is_gone(app):
    ids = store(app)
    with app.app_context():
        message = db.session.scalar(select(ContactMessage).where(ContactMessage.first_name == "Linus"))
        message.last_name = "Släkt"  # a rectification
        db.session.commit()
    assert found(app, ids, "slakt") == {"linus"} and found(app, ids, "kernel") == set()
    with app.app_context():
        db.session.delete(db.session.scalar(select(ContactMessage).where(ContactMessage.company == "Navy")))
        db.session.commit()
    assert found(app, ids, "devis") == {"coeur"}


def test_folding():
    assert search.fold("Élodie  L'Hôpital-Sud, cœur@ÆTHER.fr ß") == "elodie l hopital sud coeur aether fr ss"
    assert search.words("a b c d e f g h i j") == list("abcdefgh")


def test_the_counts_per_status_follow_every_change_whoever_makes_it(app, runner):
    """Kept by the database's triggers: the form, a status change, a Core UPDATE, a purge, an erasure."""
    from sqlalchemy import delete, update

    from koki_site.contact import listing

    store(app)

    def counts():
        with app.app_context():
            return listing.counts()

    assert counts() == {"new": 4}
    with app.app_context():
        first, second, *_ = db.session.scalars(select(ContactMessage).order_by(ContactMessage.id)).all()
        first.status = "closed"
        db.session.commit()
        db.session.execute(update(ContactMessage).where(ContactMessage.id == second.id).values(status="spam"))
        first.status = "closed"  # no change: nothing counted twice
        db.session.commit()
    assert counts() == {"new": 2, "closed": 1, "spam": 1}
    with app.app_context():
        db.session.execute(delete(ContactMessage).where(ContactMessage.status == "new"))
        db.session.commit()
    assert counts() == {"closed": 1, "spam": 1}
    assert "contact messages: deleted 2" in runner.invoke(args=["purge", "--as-of", "2099-01-01"]).output
    assert counts() == {}


@pytest.mark.skipif(
    not __import__("os").environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="stems: PostgreSQL's French and English configurations",
)
def test_postgresql_also_finds_other_forms_of_a_word_by_its_stem(app):
    ids = store(app)
    assert found(app, ids, "démonstrations logiciels") == {"elodie"}  # "démonstration du logiciel"
    assert found(app, ids, "report") == {"linus"}  # "reports", as a prefix anyway
    assert found(app, ids, "opératoires") == {"elodie"}


@pytest.mark.parametrize("common", [True, False])
def test_a_search_lists_the_same_whichever_index_it_starts_from(app, monkeypatch, common):
    """Common words are walked along time, rare ones taken from the word index: the same list."""
    from koki_site.contact import listing

    ids = store(app)
    monkeypatch.setattr(search, "is_common", lambda query: common)
    with app.test_request_context():
        state = listing.ListState(q="devis")
        matches = state.matches(0)
        page = listing.page(state, 0, ids=matches)
        newer, older = listing.neighbours(state, 0, page.items[0])
        assert [ids[m.id] for m in page.items] == ["coeur", "grace"]  # newest first
        assert (newer, ids[older]) == (None, "grace")
        assert listing.total(state, {}, matches) == (2, False)
