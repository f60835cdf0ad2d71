"""Entry point for production servers: ``gunicorn -w 4 wsgi:app``."""

from reseau import create_app

app = create_app()
