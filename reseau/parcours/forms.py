"""The sharing choice on "Mon parcours"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class SharingForm(FlaskForm):
    shared = BooleanField("Mon ou ma référent·e de centre peut consulter mon parcours")
