"""WTForms' own messages stay French, read once per process (issue 21: not once a request)."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import IntegerField


class _NumberForm(FlaskForm):
    class Meta:
        csrf = False

    number = IntegerField()


def test_wtforms_messages_are_french_and_read_once(app):
    seen = []
    for _ in range(2):
        with app.test_request_context("/", method="POST", data={"number": "abc"}):
            app.preprocess_request()
            form = _NumberForm()
            assert not form.validate()
            seen.append(request.wtforms_translations)
            assert form.number.errors == ["N'est pas un entier valide."]
    assert seen[0] is seen[1]
