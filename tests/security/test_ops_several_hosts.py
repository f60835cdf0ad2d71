"""deploy-check on several hosts: a generated key, mail written as files, per-host limits."""

from __future__ import annotations

from datetime import timedelta

from reseau import create_app
from reseau.core.database import utcnow
from reseau.core.deploy import deploy_problems
from reseau.core.extensions import db
from reseau.core.tick import TickRun
from tests.security.settings import SAFE


def test_a_generated_key_is_said_even_when_it_is_strong(app_config, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    generated = create_app({**app_config, "SECRET_KEY": None})
    assert len(generated.config["SECRET_KEY"]) >= 32  # strong: the weak-key check is silent
    assert generated.config["SECRET_KEY_GENERATED"] is True
    problems = deploy_problems({**SAFE, **generated.config}, environ={})
    assert any("SECRET_KEY n'est pas configurée" in p and "tous les hôtes" in p for p in problems)
    configured = create_app(app_config)
    assert configured.config["SECRET_KEY_GENERATED"] is False
    assert deploy_problems(SAFE, environ={}) == []


def test_mail_as_files_is_for_one_host():
    files = {**SAFE, "MAIL_SERVER": None}
    alone = deploy_problems(files, environ={})
    assert not any("un seul hôte" in p for p in alone)
    workers = deploy_problems(files, environ={"WEB_CONCURRENCY": "4"})
    assert any("E-mails en fichiers avec 4 workers" in p for p in workers)
    hosts = deploy_problems(files, environ={}, hosts=2)
    assert any("E-mails en fichiers avec 2 hôtes" in p for p in hosts)


def test_in_memory_limits_on_several_hosts():
    memory = {**SAFE, "RATELIMIT_STORAGE_URI": "memory://"}
    assert deploy_problems(memory, environ={}) == []
    problems = deploy_problems(memory, environ={}, hosts=3)
    assert any("memory:// sur 3 hôtes" in p for p in problems)


def test_the_command_counts_the_hosts_that_ran_tick(app, runner):
    app.config.update({**SAFE, "MAIL_SERVER": None})
    for host in ("web1", "web2"):
        db.session.add(TickRun(host=host, started_at=utcnow() - timedelta(hours=1), report=[]))
    db.session.commit()
    result = runner.invoke(args=["deploy-check"])
    assert result.exit_code == 1
    assert "E-mails en fichiers avec 2 hôtes" in result.output
