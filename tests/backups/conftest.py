import pytest

from tests.helpers.backups import write_and_subscribe_ada_and_bob


@pytest.fixture
def ada_and_bob(app, smtp):
    """Ada and Bob wrote and subscribed (confirmed)."""
    write_and_subscribe_ada_and_bob(app, smtp)
