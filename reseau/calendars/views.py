"""Views of the calendars room."""

from reseau.calendars import bp  # noqa: F401
