import pytest

from portal.core.sanitize import plain_text, sanitize_html
from portal.core.textnorm import normalize_persian, search_key

PAYLOADS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<svg onload=alert(1)><circle/></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<p onclick="alert(1)">نشست</p>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_and_dangerous_urls_are_removed(payload):
    clean = str(sanitize_html(payload)).lower()
    for marker in ("<script", "onerror", "onload", "onclick", "javascript:", "data:text",
                   "<iframe", "<svg", "style="):
        assert marker not in clean


# an address bleach links: it only links names under a known top-level domain, so
# "https://cdb.example/x" would pass through as text and prove nothing about linking twice
TYPED_ADDRESS = "see https://www.agribank.com.vn/x"


@pytest.mark.parametrize("payload", PAYLOADS + ['<p dir="rtl">سلام <b>دنیا</b></p>',
                                                TYPED_ADDRESS])
def test_the_sanitiser_is_idempotent(payload):
    once = str(sanitize_html(payload))
    assert str(sanitize_html(once)) == once


def test_a_typed_address_becomes_one_link_and_stays_one():
    once = str(sanitize_html(TYPED_ADDRESS))
    assert once.count('<a href="https://www.agribank.com.vn/x"') == 1
    assert str(sanitize_html(once)).count("<a ") == 1


def test_safe_formatting_and_links_survive_with_rel():
    clean = str(sanitize_html('<p><strong>Bold</strong> <a href="https://cdb.example">x</a></p>'))
    assert "<strong>Bold</strong>" in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_bidi_override_characters_are_dropped_from_plain_text():
    assert plain_text("abc\u202egnp.exe") == "abcgnp.exe"


def test_persian_variants_normalise_to_one_form():
    assert normalize_persian("نشست‌های") == normalize_persian("نشستهای")
    assert search_key("تعاوني‌هاي كشاورزي") == search_key("تعاونیهای کشاورزی")


def test_vietnamese_folds_diacritics_but_thai_keeps_its_marks():
    assert search_key("Hội Nông dân Kim Bảng") == "hoi nong dan kim bang"
    assert search_key("Đoàn") == "doan"
    assert search_key("กลุ่มออมทรัพย์") == "กลุ่มออมทรัพย์"
