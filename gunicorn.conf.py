"""gunicorn's settings for the portal, read from the working directory by every start
(scripts/serve.sh, deploy/portal-web.service).

Which X-Forwarded-* headers to believe is decided in one place, the application
(PORTAL_PROXY_COUNT: werkzeug's ProxyFix trusts exactly that many proxies). gunicorn would
otherwise believe X-Forwarded-Proto from any client on 127.0.0.1 by default, and nginx is not
the only program on the host that can connect there: anyone else could pass for HTTPS.
"""
forwarded_allow_ips = ""
secure_scheme_headers = {}
