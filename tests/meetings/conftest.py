import pytest


@pytest.fixture(autouse=True)
def request_context(app, db):
    """Services build links with url_for and render dates in a language: they want a request."""
    with app.test_request_context(base_url="http://portal.test"):
        yield
