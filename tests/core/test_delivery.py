"""What a first visit costs: pages and assets gzipped, fingerprinted assets cached for a year,
and the whole first view (page, CSS, JS, fonts) under 120 KB on the wire."""
import re


def test_pages_are_gzipped_when_the_browser_accepts_it(client, login_as):
    login_as("ministry_official")
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_fingerprinted_assets_are_cached_for_a_year(client, db):
    page = client.get("/login").text
    css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.css\?v=[0-9a-f]+)"', page)
    response = client.get(css.group(1))
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


def test_the_first_view_of_a_persian_page_is_under_120_kb(client, login_as):
    login_as("ministry_official", preferred_locale="fa")
    gz = {"Accept-Encoding": "gzip"}
    page = client.get("/", headers=gz)
    assert page.headers["Content-Encoding"] == "gzip"
    total = len(page.data)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', client.get("/").text)
    for path in assets:
        response = client.get(path, headers=gz)
        total += len(response.data)
        response.close()
    # fonts referenced from the stylesheet (only the Persian ones are fetched for fa pages)
    for weight in (400, 700):
        font = client.get(f"/static/vendor/fonts/vazirmatn-arabic-{weight}-normal.woff2")
        total += len(font.data)
        font.close()
    assert total < 120 * 1024, f"{total} bytes"
