"""No visitor-facing 500: every route, with odd values in its URL and odd bodies, answers below 500."""

import pytest

pytestmark = pytest.mark.db
STREAMED = "marketing.export_csv"  # a streamed download: tests/newsletter/test_export.py covers it
ODD_VALUES = ("0", "999999", "x", "%00", "..%2F..%2Fetc%2Fpasswd", "a" * 300, "<script>")


def urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", STREAMED):
            continue
        for value in ODD_VALUES:
            path = rule.rule
            for argument in rule.arguments:
                replacement = "en" if argument == "lang_code" else value
                path = path.replace(f"<{argument}>", replacement)
                for converter in ("lang", "int"):
                    path = path.replace(f"<{converter}:{argument}>", "en" if converter == "lang" else "1")
            yield path, rule.methods - {"HEAD", "OPTIONS"}


@pytest.fixture
def app_settings():
    return {"PROPAGATE_EXCEPTIONS": False}


def test_every_route_answers_below_500_to_odd_input(app, client, staff):
    clients = {"visitor": client, "dpo": staff("dpo", "support", "marketing", "admin")}
    bodies = ({}, {"choice": "x", "email": "\0", "right": "nope", "action": "erase", "body": "a" * 20000})
    failures = []
    for who, each in clients.items():
        for path, methods in urls(app):
            for method in methods:
                for body in bodies if method == "POST" else ({},):
                    response = each.open(
                        path, method=method, data=body, headers={"Origin": "http://localhost"}
                    )
                    if response.status_code >= 500:
                        failures.append((who, method, path, response.status_code))
    assert failures == []
