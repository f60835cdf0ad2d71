"""Views of the enrolment room."""

from reseau.enrolment import bp  # noqa: F401
