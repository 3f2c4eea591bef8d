"""Static files gzipped once in memory when the browser accepts it.

Flask serves static files as pass-through file responses, which compression middleware leaves
alone; a 230 KB stylesheet would then cross the wire whole. Text assets are compressed once per
file version and kept; fonts (already compressed woff2) go out as they are. Behind nginx, nginx
does this itself and this costs nothing.
"""
import gzip
import os

from flask import Response, current_app, request, send_from_directory
from werkzeug.security import safe_join

COMPRESSIBLE = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
_cache = {}


def _gzipped(path):
    stamp = os.stat(path).st_mtime_ns
    cached = _cache.get(path)
    if cached is None or cached[0] != stamp:
        with open(path, "rb") as fh:
            cached = (stamp, gzip.compress(fh.read(), compresslevel=9, mtime=0))
        _cache[path] = cached
    return cached[1]


def serve_static(filename):
    folder = current_app.static_folder
    extension = os.path.splitext(filename)[1].lower()
    path = safe_join(folder, filename)
    wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    if extension not in COMPRESSIBLE or not wants_gzip or path is None \
            or not os.path.isfile(path):
        return send_from_directory(folder, filename)
    response = Response(_gzipped(path), mimetype=COMPRESSIBLE[extension])
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
    return response


def init_app(app):
    app.view_functions["static"] = serve_static
