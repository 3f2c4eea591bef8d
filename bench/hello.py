"""The ceiling: a bare Flask app answering a small page, served by the same gunicorn settings.

    gunicorn --workers 4 --bind 127.0.0.1:8801 "bench.hello:app"
"""
from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><html><head><title>hello</title></head><body>hello</body></html>"


@app.route("/")
def hello():
    return PAGE
