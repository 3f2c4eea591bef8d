"""gunicorn's settings for the portal, read from the working directory by every start
(scripts/serve.sh, deploy/portal-web.service).

Which X-Forwarded-* headers to believe is decided in one place, the application
(PORTAL_PROXY_COUNT: werkzeug's ProxyFix trusts exactly that many proxies). gunicorn would
otherwise believe X-Forwarded-Proto from any client on 127.0.0.1 by default, and nginx is not
the only program on the host that can connect there: anyone else could pass for HTTPS.
"""
forwarded_allow_ips = ""
secure_scheme_headers = {}


def post_worker_init(worker):
    """The garbage collector cost 30-800 ms on pages that load many rows (bench/README.md,
    "Profile"): each pass walked the whole loaded application again. Objects alive once the
    worker has loaded the portal live as long as the worker, so they are moved out of its
    reach (gc.freeze), and the youngest generation is collected less often; reference counting
    still frees almost everything a request makes, the collector only finds cycles."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
