"""Every page, as each demo person sees it, validates in the W3C Nu HTML checker.

The pages are rendered with the test client (the crawl of ``tests/crawl.py`` from each
person's home page and navigation, error pages, each page's htmx answer: as it is when it is
a whole document, else inside a minimal page's <main>) and checked in ONE run of ``vnu.jar`` (Java starts slowly). ``make vnu`` installs the checker from
the npm registry into ``.vnu/``; without Java or the checker the test is skipped, and fails
under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devdata.demo import load_demo
from devdata.demo import specs as demo_specs
from reseau.core.extensions import db
from tests.crawl import crawl

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = Path(
    os.environ.get("RESEAU_VNU_JAR", ROOT / ".vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)

ACCOUNTS = {
    "anonymous": None,
    "coordinator": demo_specs.COORDINATOR,
    "referent": demo_specs.REFERENT,
    "trainer": demo_specs.FORMATRICE,
    "volunteer": demo_specs.BENEVOLE,
    "disability": demo_specs.HANDICAP,
}
# Pages the navigation does not lead to first but that carry the most markup.
EXTRA_START = {
    "coordinator": ["/bilan?annee=2011", "/diagnostic/resultats"],
    "referent": ["/bilan?annee=2011"],
}
# Error pages: a missing page, a forbidden one, a method not allowed.
ERRORS = {
    "anonymous": ["/cette-page-n-existe-pas"],
    "volunteer": ["/cette-page-n-existe-pas", "/admin/sessions", "/deconnexion"],
}
SHELL = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fragment</title></head>'
    "<body><main><h1>Fragment</h1>{}</main></body></html>"
)
# A page the checker must refuse: proves the run reads the files and reports errors.
BROKEN = (
    '<!doctype html><html lang="fr"><head><title>x</title></head><body><h1>x</h2></body></html>'
)


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _log_in(client, email):
    response = client.post(
        "/connexion", data={"email": email, "password": demo_specs.DEMO_PASSWORD}
    )
    assert response.status_code == 303, email


def _pages_of(app, role: str, email: str | None) -> dict[str, str]:
    """{url: html} of every page (and whole-document fragment) the person reaches."""
    client = app.test_client()
    if email:
        _log_in(client, email)
    pages: dict[str, str] = {}

    def fetch(path):
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, (role, path, response.status_code)
        if "text/html" not in response.headers.get("Content-Type", ""):
            return None
        html = response.get_data(as_text=True)
        pages[path] = html
        fragment = client.get(path, headers={"HX-Request": "true"}, follow_redirects=True)
        body = fragment.get_data(as_text=True)
        if body.lstrip().lower().startswith("<!doctype"):
            if body != html:
                pages[f"{path} (htmx)"] = body
        elif body.strip():
            # A fragment, checked inside a page's <main> (where htmx swaps it).
            pages[f"{path} (fragment)"] = SHELL.format(body)
        return response.request.path, html

    visited = crawl(app, fetch, ["/", *EXTRA_START.get(role, [])], max_pages=120)
    assert len(visited) > 5, (role, visited)
    for path in ERRORS.get(role, []):
        response = client.get(path)
        assert response.status_code in (403, 404, 405), (path, response.status_code)
        pages[f"{path} ({response.status_code})"] = response.get_data(as_text=True)
    return pages


def _file_name(role: str, url: str) -> str:
    return f"{role}-{re.sub(r'[^A-Za-z0-9]+', '_', url).strip('_') or 'home'}.html"


def test_every_page_validates_in_the_nu_html_checker(app, tmp_path):
    java = shutil.which("java")
    if java is None:
        _unavailable("java is missing (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        _unavailable(f"{VNU_JAR} is missing (make vnu)")
    load_demo()
    db.session.commit()

    files: dict[str, str] = {}
    for role, email in ACCOUNTS.items():
        for url, html in _pages_of(app, role, email).items():
            name = _file_name(role, url)
            (tmp_path / name).write_text(html, encoding="utf-8")
            files[name] = f"{role} {url}"
    (tmp_path / "broken.html").write_text(BROKEN, encoding="utf-8")
    kinds = [url.rsplit(" ", 1)[-1] for url in files.values()]
    assert "(fragment)" in kinds and "(404)" in kinds and "(403)" in kinds, kinds

    result = subprocess.run(  # noqa: S603 (our own files, a fixed command)
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *sorted(files), "broken.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    by_file: dict[str, list[str]] = {}
    for message in errors:
        name = Path(message.get("url", "?").removeprefix("file:")).name
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:120]
        by_file.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} [{extract}]"
        )
    assert "broken.html" in by_file, result.stdout[:2000]
    del by_file["broken.html"]
    report = [
        f"{files.get(name, name)}:\n    " + "\n    ".join(lines) for name, lines in by_file.items()
    ]
    assert not report, f"{len(report)} of {len(files)} pages have errors:\n" + "\n".join(report)
