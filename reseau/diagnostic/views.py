"""Views of the diagnostic room."""

from reseau.diagnostic import bp  # noqa: F401
