import pytest


@pytest.fixture(autouse=True)
def request_context(app, db):
    """The services that build the world send notices with links: they want a request."""
    with app.test_request_context(base_url="http://portal.test"):
        yield
