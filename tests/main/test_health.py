"""``flask --app reseau health`` and ``/sante``: levels, exit codes, no personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from reseau import create_app
from reseau.cli import TICK_TASKS
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.tick import TickRun, run_tick
from reseau.main.health import health_report
from reseau.outbox.models import MailStatus, OutboxMail
from tests.main.helpers import schema_at_head


def _mail(status: MailStatus, age: timedelta = timedelta(0), **values) -> None:
    db.session.add(
        OutboxMail(
            recipient="aicha.benali@exemple.test",
            subject="Convocation : Aïcha Benali",
            body_text="Bonjour Aïcha",
            status=status,
            created_at=utcnow() - age,
            **values,
        )
    )
    db.session.commit()


def test_all_well_is_ok_exit_0_and_200(app, runner, client):
    with schema_at_head(app):
        run_tick(TICK_TASKS)
        _mail(MailStatus.PENDING)
        result = runner.invoke(args=["health"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("État : ok")
        assert "1 message à envoyer, le plus ancien depuis 0 min." in result.output
        assert "0 personne anonymisée" in result.output  # what the last tick did
        response = client.get("/sante")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_json()
        assert body["etat"] == "ok"
        assert set(body["verifications"]) == {"base", "schema", "envois", "echecs", "tick"}
        assert body["envois"] == {"en_attente": 1, "plus_ancien_minutes": 0, "en_echec": 0}
        assert body["tick"]["il_y_a_minutes"] == 0 and body["tick"]["termine"] is True


def test_late_or_failed_mail_and_no_tick_need_attention_exit_1_without_personal_data(
    app, runner, client
):
    with schema_at_head(app):
        _mail(MailStatus.PENDING, age=timedelta(hours=2))
        _mail(MailStatus.FAILED, last_error="SMTPRecipientsRefused: aicha.benali@exemple.test")
        _mail(MailStatus.SENT, age=timedelta(days=3))
        result = runner.invoke(args=["health"])
        assert result.exit_code == 1, result.output
        assert "[attention] 1 message à envoyer, le plus ancien depuis 120 min" in result.output
        assert "[attention] 1 message en échec définitif" in result.output
        assert "[attention] `flask --app reseau tick` n'a encore jamais tourné." in result.output
        response = client.get("/sante")
        assert response.status_code == 200  # the site works: an uptime check stays green
        assert response.get_json()["etat"] == "attention"
        for private in ("aicha", "Aïcha", "Benali", "@exemple"):
            assert private not in response.text
            assert private not in result.output
        as_json = json.loads(runner.invoke(args=["health", "--json"]).output)
        assert as_json["envois"]["en_echec"] == 1


def test_an_old_unfinished_or_failed_tick_needs_attention(app):
    with schema_at_head(app):
        hour_ago = utcnow() - timedelta(hours=1)
        db.session.add(TickRun(host="h", started_at=hour_ago, finished_at=hour_ago, report=[]))
        db.session.commit()
        assert "date de 60 min" in health_report().checks[-1].detail
        db.session.add(TickRun(host="h", started_at=utcnow() - timedelta(minutes=20), report=[]))
        db.session.commit()
        assert "n'a pas fini" in health_report().checks[-1].detail
        db.session.add(
            TickRun(host="h", started_at=utcnow(), finished_at=utcnow(), failed=True, report=[])
        )
        db.session.commit()
        report = health_report()
        assert report.level == "attention" and "en échec" in report.checks[-1].detail


def test_a_schema_behind_the_code_is_down_exit_2_and_503(app, runner, client):
    with schema_at_head(app, revisions=["0002"]):
        result = runner.invoke(args=["health"])
        assert result.exit_code == 2, result.output
        assert "[panne] Schéma de la base à la révision 0002" in result.output
        assert "db upgrade" in result.output
        response = client.get("/sante")
        assert response.status_code == 503
        assert response.get_json()["verifications"]["schema"]["etat"] == "panne"


def test_a_database_that_does_not_answer_is_down(app_config, tmp_path):
    broken = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/absent/base.sqlite"}
    )
    with broken.app_context():
        report = health_report()
        assert report.level == "panne" and report.exit_code == 2
        assert [check.name for check in report.checks] == ["base"]
        response = broken.test_client().get("/sante")
        assert response.status_code == 503
        db.session.remove()
        db.engine.dispose()


def test_health_reads_only(app):
    with schema_at_head(app):
        before = db.session.scalar(sa.select(sa.func.count(TickRun.id)))
        health_report()
        assert db.session.scalar(sa.select(sa.func.count(TickRun.id))) == before


def test_the_heads_read_from_the_migration_files_are_alembics(app):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from reseau.core.database import MIGRATIONS
    from reseau.main.health import _code_heads

    config = Config()
    config.set_main_option("script_location", app.extensions[MIGRATIONS])
    assert _code_heads(app.extensions[MIGRATIONS]) == tuple(
        sorted(ScriptDirectory.from_config(config).get_heads())
    )
