"""A web worker loads neither the PDF library until it produces a PDF nor alembic (``flask db``),
not even to answer ``/sante``."""

import subprocess
import sys

SCRIPT = """
import sys, tempfile
from reseau import create_app
from reseau.core.extensions import db
folder = tempfile.mkdtemp()
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + folder + "/lazy.db",
                  "INSTANCE_PATH": folder, "TESTING": True, "SECRET_KEY": "x"})
with app.app_context():
    db.create_all()
client = app.test_client()
statuses = [client.get(url).status_code for url in ("/", "/catalogue", "/sante")]
print(statuses, "alembic" in sys.modules or "mako" in sys.modules, "fpdf" in sys.modules)
"""


def test_serving_a_page_does_not_import_fpdf():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert run.stdout.split()[-2:] == ["False", "False"], run.stdout + run.stderr
    assert "500" not in run.stdout
