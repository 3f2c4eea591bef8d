"""Load runs with wrk against the portal and the bare-Flask ceiling, then the report.

    python -m bench.load --portal http://127.0.0.1:8800 --hello http://127.0.0.1:8801

Signs in as each role through the real login form (CSRF token and all), passes the session
cookie to wrk, and combines wrk's figures with the in-process ones (bench/inprocess.py:
statements per request, bytes) and the timings (bench/timings.py) into
bench/results/results.json, bench/results/results.svg and a table on stdout.
"""
import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.data import PASSWORD
from bench.pages import pages_for

HERE = Path(__file__).parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base, email):
    """POST the login form like a browser; returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    html = opener.open(base + "/login", timeout=10).read().decode()
    token = CSRF.search(html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                   "password": PASSWORD}).encode()
    try:
        opener.open(base + "/login", data=data, timeout=10)
        raise RuntimeError(f"sign-in as {email} did not redirect (wrong password?)")
    except urllib.error.HTTPError as exc:
        if exc.code not in (302, 303):
            raise
    # follow the redirect to the home page as a browser does: the session then holds the CSRF
    # secret of the forms on the pages (wrk sends this one cookie with every request)
    opener.open(base + "/", timeout=60).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wait_idle(base, limit=180):
    """Wait until the workers have finished what wrk left queued when it stopped (up to one
    slow page per connection) and /healthz answers at once, twice in a row: a page must not
    be measured while either portal is still busy with the one before."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()  # noqa: S310
        except OSError:
            quick = 0
            continue
        quick = quick + 1 if time.monotonic() - started < 0.02 else 0
        time.sleep(0.2)


def check(base, path, cookie):
    """The page answers 200 to this cookie (not a redirect to the login page)."""
    wait_idle(base)
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return "timeout"


def wrk(url, cookie=None, duration=10, threads=2, connections=8):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "--latency", "-s", str(HERE / "wrk_report.lua"), "-H", "Accept-Encoding: gzip"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True,  # noqa: S603
                         timeout=duration + 60,
                         check=True).stdout
    figures = {k: int(v) for k, v in re.findall(r"^BENCH (\w+) (\d+)$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+([\d.]+\w+)", out)
    return {"rps": rps, "p50_ms": figures["p50"] / 1000, "p95_ms": figures["p95"] / 1000,
            "p99_ms": figures["p99"] / 1000, "requests": figures["requests"],
            "non_2xx": figures["non2xx"], "timeouts": figures["timeouts"],
            "transfer_per_s": transfer.group(1) if transfer else None}


def svg_chart(rows, ceiling):
    """A small horizontal bar chart of requests per second, the ceiling first."""
    bars = [("bare Flask (ceiling)", ceiling)] + [(r["page"], r["rps"]) for r in rows]
    width, label_w, bar_h, gap = 760, 330, 16, 6
    top = max(v for _, v in bars) or 1
    height = 30 + len(bars) * (bar_h + gap)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11" role="img">',
           "<title>Requests per second per page (wrk, 127.0.0.1)</title>",
           f'<text x="4" y="16" font-size="13">Requests/s per page; dashed line: 25 % of the '
           f"ceiling ({ceiling:.0f} req/s)</text>"]
    scale = (width - label_w - 70) / top
    for i, (name, value) in enumerate(bars):
        y = 26 + i * (bar_h + gap)
        colour = "#6c757d" if i == 0 else ("#198754" if value >= 0.25 * ceiling else "#dc3545")
        name = name.replace("&", "&amp;").replace("<", "&lt;")
        out.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{name}</text>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{max(value * scale, 1):.1f}" '
                   f'height="{bar_h}" fill="{colour}"/>')
        out.append(f'<text x="{label_w + value * scale + 4:.1f}" y="{y + 12}">{value:.0f}</text>')
    x = label_w + 0.25 * ceiling * scale
    out.append(f'<line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{height}" stroke="#000" '
               'stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", default="http://127.0.0.1:8800")
    parser.add_argument("--hello", default="http://127.0.0.1:8801")
    parser.add_argument("--redis", default="",
                        help="the kept pages' Redis: also measure the first page while "
                             "writes end its kept pages")
    parser.add_argument("--rendered", default="",
                        help="the portal without kept pages (every request rendered)")
    parser.add_argument("--results", default=str(HERE / "results"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    results = Path(args.results)
    ctx = json.loads((results / "context.json").read_text())
    inprocess = json.loads((results / "inprocess.json").read_text())
    timings_path = results / "timings.json"
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    pages, skipped = pages_for(ctx)
    run = {"duration": args.duration, "threads": args.threads,
           "connections": args.connections}

    print(f"  ceiling: bare Flask, wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s", flush=True)
    hello = wrk(args.hello + "/", **run)
    ceiling = hello["rps"]
    cookies, rows = {}, []
    for page in pages:
        role = page["role"]
        if role not in cookies:
            cookies[role] = sign_in(args.portal, ctx["login"][role])
        status = check(args.portal, page["path"], cookies[role])
        print(f"  {page['name']} ({status}) ...", flush=True)
        figures = wrk(args.portal + page["path"], cookies[role], **run) if status == 200 \
            else {"rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None}
        rendered = _rendered(args.rendered, page, ctx, run) if args.rendered else {}
        measured = inprocess.get(page["name"], {})
        rows.append({
            "page": page["name"], "role": role, "path": page["path"], "status": status,
            **figures, "ratio_to_ceiling": round(figures["rps"] / ceiling, 3),
            "rendered_rps": rendered.get("rps"), "rendered_p50_ms": rendered.get("p50_ms"),
            "rendered_p95_ms": rendered.get("p95_ms"),
            "queries": measured.get("queries"),
            "kept_median_ms": measured.get("kept_median_ms"),
            "inprocess_median_ms": measured.get("median_ms"),
            "content_encoding": measured.get("content_encoding"),
            "html_bytes": measured.get("html_bytes"),
            "html_gzip_bytes": measured.get("html_gzip_bytes"),
            "first_view_bytes_sent": measured.get("first_view_bytes_sent"),
            "first_view_gzip_bytes": measured.get("first_view_gzip_bytes"),
            "external_requests": measured.get("external_requests"),
            "meets_targets": bool(figures["rps"] >= 0.25 * ceiling and figures["p95_ms"]
                                  is not None and figures["p95_ms"] < 50
                                  and (measured.get("queries") or 99) <= 12),
        })

    if args.redis and pages:
        rows.extend(_with_writes(args, pages[0], cookies[pages[0]["role"]], run, ceiling))

    static = next(iter(inprocess.values()), {}).get("assets", [])
    report = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": _cpus(), "gunicorn_workers": args.workers, "wrk": run},
        "data_set": ctx.get("log"), "data_set_seconds": ctx.get("generate_seconds"),
        "ceiling": hello, "pages": rows, "skipped_pages": skipped,
        "static_files": static, "timings": timings,
    }
    (results / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1)
                                          + "\n")
    (results / "results.svg").write_text(svg_chart(rows, ceiling))
    print_table(report)
    return 0


WRITES_PER_SECOND = (1, 10)


def _with_writes(args, page, cookie, run, ceiling):
    """The page while writes elsewhere end every kept page 1 or 10 times a second (what a
    committed write does: a new generation), so each reader renders it again after each."""
    import threading

    from portal.core.pagecache import RedisPages

    pages = RedisPages(args.redis, "portal:", 60)
    rows = []
    for rate in WRITES_PER_SECOND:
        stop = threading.Event()

        def writer(rate=rate, stop=stop):
            while not stop.wait(1 / rate):
                pages.new_generation()

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            figures = wrk(args.portal + page["path"], cookie, **run)
        finally:
            stop.set()
            thread.join()
        name = f"{page['name']}, {rate} write(s)/s elsewhere"
        print(f"  {name} ...", flush=True)
        rows.append({"page": name, "role": page["role"], "path": page["path"], "status": 200,
                     **figures, "ratio_to_ceiling": round(figures["rps"] / ceiling, 3),
                     "html_bytes": None, "html_gzip_bytes": None,
                     "first_view_gzip_bytes": None, "content_encoding": "gzip",
                     "queries": None, "meets_targets": bool(
                         figures["rps"] >= 0.25 * ceiling and figures["p95_ms"] is not None
                         and figures["p95_ms"] < 50)})
    return rows


_RENDERED_COOKIES = {}


def _rendered(base, page, ctx, run):
    """The same page from the portal that keeps no page: what every first view after a write
    costs (its own sign-in: the two portals share the database, not the cookie's secret key
    necessarily)."""
    role = page["role"]
    if role not in _RENDERED_COOKIES:
        _RENDERED_COOKIES[role] = sign_in(base, ctx["login"][role])
    if check(base, page["path"], _RENDERED_COOKIES[role]) != 200:
        return {}
    figures = wrk(base + page["path"], _RENDERED_COOKIES[role], **run)
    wait_idle(base)  # before the next page is measured on the other portal
    return figures



def _cpus():
    import os

    return os.cpu_count()


def _fmt(value, spec):
    return format("-", ">" + re.match(r"\d*", spec).group()) if value is None \
        else format(value, spec)


def print_table(report):
    ceiling = report["ceiling"]["rps"]
    print()
    print(f"bare Flask ceiling: {ceiling:.0f} req/s, p50 {ceiling and report['ceiling']['p50_ms']}"
          f" ms, p95 {report['ceiling']['p95_ms']} ms")
    head = (f"{'page':<48} {'req/s':>7} {'ratio':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
            f"{'SQL':>5} {'kept':>5} {'1 req':>6} {'rendered/s':>10} {'p95':>7} "
            f"{'html KB':>8} {'gz KB':>6} {'1st view gz KB':>14} {'gzip?':>6} ok")
    print(head)
    print("-" * len(head))
    for r in report["pages"]:
        kb = (r["html_bytes"] or 0) / 1024
        gz = (r["html_gzip_bytes"] or 0) / 1024
        first = (r["first_view_gzip_bytes"] or 0) / 1024
        print(f"{r['page'][:48]:<48} {r['rps']:>7.1f} {r['ratio_to_ceiling']:>6.1%} "
              f"{_fmt(r['p50_ms'], '7.1f')} {_fmt(r['p95_ms'], '7.1f')} "
              f"{_fmt(r['p99_ms'], '7.1f')} {_fmt(r['queries'], '5d')} "
              f"{_fmt(r.get('kept_median_ms'), '5.1f')} "
              f"{_fmt(r.get('inprocess_median_ms'), '6.0f')} "
              f"{_fmt(r.get('rendered_rps'), '10.1f')} {_fmt(r.get('rendered_p95_ms'), '7.1f')} "
              f"{kb:>8.1f} {gz:>6.1f} "
              f"{first:>14.1f} {'yes' if r['content_encoding'] == 'gzip' else 'NO':>6} "
              f"{'yes' if r['meets_targets'] else 'NO'}")
    for s in report["skipped_pages"]:
        print(f"  skipped: {s['name']}: {s['reason']}")
    print("  req/s, ratio, p50-p99: the portal as configured (pages kept per reader until the"
          " next write); rendered/s and its p95: the same page from a portal that keeps none,"
          " i.e. every first view after a write")
    print("  latencies in ms; SQL = statements per request (in-process counter); kept = median"
          " ms of a kept page sent again,"
          " 1 req = median ms of rendering it, in-process;"
          " gz KB = what the HTML weighs gzipped"
          " (the portal itself sends it uncompressed when gzip? is NO)")
    for name, value in report["timings"].items():
        print(f"  timing: {name}: {value}")


if __name__ == "__main__":
    sys.exit(main())
