"""The browser the e2e tests drive is there (a missing one is a failure, not a skip)."""
import pytest

from tests.e2e.pages import CHROMIUM

pytestmark = pytest.mark.e2e


def test_debians_chromium_is_installed():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium"
