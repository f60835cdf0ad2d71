"""The public catalogue: sessions, cycles and themes anyone can browse."""

from reseau.catalogue import bp  # noqa: F401
