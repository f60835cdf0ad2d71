"""The app gunicorn serves in test_gunicorn_log_redaction.py: Réseau with the test's
configuration (JSON in RESEAU_TEST_CONFIG), behind a middleware that fails on ``?crash`` so
that gunicorn itself logs the request ("Error handling request <uri>") in its error log."""

from __future__ import annotations

import json
import os

from reseau import create_app

reseau_app = create_app(json.loads(os.environ["RESEAU_TEST_CONFIG"]))


def app(environ, start_response):
    if "crash" in environ.get("QUERY_STRING", ""):
        raise RuntimeError("a failure outside Flask, logged by gunicorn with the URL")
    return reseau_app(environ, start_response)
