"""Writing the demo plan: only what is missing, looked up by stable natural keys.

Every row is found by a natural key (département code, centre name and town, e-mail, theme
slug, cycle title, module title, session title) and only what is missing is inserted. A
session's séances, trainers, enrolments, attendance and feedback are written only together
with the session itself, so running the loader twice changes nothing, and dates relative to
today are fixed by the first run.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from devdata import days
from devdata import vocabulary as words
from devdata.demo.programmes import fill_programme
from devdata.demo.specs import COORDINATOR, DEMO_PASSWORD, DOMAIN, PEOPLE_SINCE, Plan, SessionSpec
from reseau.accounts.models import Centre, Department, Role, User, UserRole
from reseau.attendance.models import Attendance, Feedback
from reseau.catalogue.models import Cycle, Module, Seance, SessionStatus, Theme, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local, to_local
from reseau.enrolment.models import Enrolment

# What ``load_demo()`` reports, in this order, with the command's French labels.
LABELS = {
    "departments": "départements",
    "centres": "centres sociaux",
    "people": "personnes",
    "themes": "thématiques",
    "cycles": "cycles",
    "modules": "modules",
    "sessions": "sessions",
    "seances": "séances",
    "enrolments": "inscriptions",
    "attendances": "émargements",
    "feedback": "évaluations",
    "upcoming_enrolments": "inscriptions aux sessions à venir",
    "sealed_sheets": "feuilles d'émargement scellées",
    "funders": "financeurs",
    "session_fundings": "lignes de financement",
    "cold_answers": "évaluations à froid",
    "memberships": "adhésions (par centre et par année)",
    "preparations": "préparations de session",
    "complaints": "réclamations au registre",
}


def demo_themes(created: Counter | None = None) -> dict[str, Theme]:
    """The demo's themes by slug: found by slug, else by name, else created."""
    themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}
    names = {t.name: t for t in themes.values()}
    for slug, name, description, position in words.THEMES:
        if slug not in themes:
            theme = names.get(name) or Theme(
                slug=slug, name=name, description=description, position=position
            )
            if theme.id is None:
                db.session.add(theme)
                if created is not None:
                    created["themes"] += 1
            themes[slug] = theme
    db.session.flush()
    return themes


class Loader:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.created: Counter = Counter()
        self._hash: str | None = None

    @property
    def password_hash(self) -> str:
        # scrypt is slow on purpose: hash once, for every account that needs a password.
        if self._hash is None:
            self._hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
        return self._hash

    def run(self) -> dict[str, int]:
        self.departments()
        self.centres()
        self.people()
        self.theme = demo_themes(self.created)
        self.cycles()
        self.sessions()
        return {key: self.created[key] for key in LABELS}

    def departments(self) -> None:
        existing = {d.code: d for d in db.session.scalars(sa.select(Department))}
        for code, name in words.DEPARTMENTS:
            if code not in existing:
                existing[code] = Department(code=code, name=name)
                db.session.add(existing[code])
                self.created["departments"] += 1
        self.department = existing
        db.session.flush()

    def centres(self) -> None:
        existing = {(c.name, c.town): c for c in db.session.scalars(sa.select(Centre))}
        for n, (code, name, town, postcode, address, since) in enumerate(words.CENTRES):
            if (name, town) in existing:
                continue
            mailbox = words.ascii_slug(name.removeprefix("Centre social ").replace(" ", "-"))
            centre = Centre(
                name=name,
                town=town,
                postcode=postcode,
                address=address,
                department=self.department[code],
                is_member=since is not None,
                member_since=since,
                email=f"accueil.{mailbox}@{DOMAIN}",
                phone=_phone(code, n),
                created_at=from_local(PEOPLE_SINCE),
            )
            existing[(name, town)] = centre
            db.session.add(centre)
            self.created["centres"] += 1
        self.centre = existing
        db.session.flush()

    def people(self) -> None:
        emails = [p.email for p in self.plan.people]
        existing = {
            u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
        }
        # The accounts are opened the day the demo is loaded, as a network importing its paper
        # history would: their 2011–2012 records stay history, and retention (no login,
        # enrolment or attendance for RETENTION_MONTHS, counted from the account's creation)
        # does not anonymise the demo at its first ``tick``.
        since = utcnow()
        for spec in self.plan.people:
            if spec.email in existing:
                continue
            created_at = spec.created_at or since
            user = User(
                email=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                category=spec.category,
                sub_category=spec.sub_category,
                status=spec.status,
                centre=self.centre[spec.centre] if spec.centre else None,
                password_hash=self.password_hash if spec.with_password else None,
                directory_consent=spec.directory_consent,
                created_at=created_at,
                updated_at=created_at,
                role_rows=[UserRole(role=role) for role in sorted({Role.PARTICIPANT, *spec.roles})],
            )
            existing[spec.email] = user
            db.session.add(user)
            self.created["people"] += 1
        self.user = existing
        db.session.flush()

    def cycles(self) -> None:
        cycles = {(c.theme_id, c.title): c for c in db.session.scalars(sa.select(Cycle))}
        self.module: dict[tuple[str, str, str], Module] = {}
        for slug, title, year, audience, description, objectives, modules in self.plan.cycles:
            theme = self.theme[slug]
            cycle = cycles.get((theme.id, title))
            if cycle is None:
                cycle = Cycle(
                    theme=theme,
                    title=title,
                    year=year,
                    audience=audience,
                    description=description,
                    objectives=objectives,
                )
                db.session.add(cycle)
                cycles[(theme.id, title)] = cycle
                self.created["cycles"] += 1
            have = {m.title: m for m in cycle.modules}
            for position, (module_title, module_objectives, hours) in enumerate(modules, 1):
                module = have.get(module_title)
                if module is None:
                    module = Module(
                        title=module_title,
                        objectives=module_objectives,
                        duration_hours=hours,
                        position=position,
                    )
                    cycle.modules.append(module)
                    self.created["modules"] += 1
                fill_programme(module)
                self.module[(slug, title, module_title)] = module
        db.session.flush()

    def sessions(self) -> None:
        titles = [spec.title for spec in self.plan.sessions]
        existing = set(
            db.session.scalars(
                sa.select(TrainingSession.title).where(TrainingSession.title.in_(titles))
            )
        )
        coordinator = self.user[COORDINATOR]
        now = utcnow()
        for spec in self.plan.sessions:
            if spec.title in existing:
                continue
            session = self._session(spec, coordinator, now)
            db.session.add(session)
            self.created["sessions"] += 1
            self.created["seances"] += len(spec.seances)
            if spec.enrolments:
                self._enrolments(session, spec, coordinator)

    def _session(self, spec: SessionSpec, coordinator: User, now) -> TrainingSession:
        first, last = spec.seances[0][0], spec.seances[-1][1]
        created_at = min(first - timedelta(days=60), now)
        session = TrainingSession(
            title=spec.title,
            kind=spec.kind,
            status=spec.status,
            theme=self.theme[spec.theme] if spec.theme else None,
            module=self.module[spec.module] if spec.module else None,
            description=spec.description,
            objectives=spec.objectives,
            audience=spec.audience,
            capacity=spec.capacity,
            centre_cap=spec.centre_cap,
            requires_validation=spec.requires_validation,
            enrolment_deadline=days.at(to_local(first).date() - timedelta(days=3), 23, 59),
            place_kind=spec.place_kind,
            host_centre=self.centre[spec.host] if spec.host else None,
            place_name=spec.place_name,
            address=spec.address,
            postcode=spec.postcode,
            town=spec.town,
            department=self.department[spec.department] if spec.department else None,
            visio_url=spec.visio_url,
            what_to_bring=spec.what_to_bring,
            created_at=created_at,
            updated_at=created_at,
            trainers=[self.user[email] for email in spec.trainers],
        )
        if spec.status != SessionStatus.DRAFT:
            session.published_at = min(created_at + timedelta(days=2), now)
            session.updated_at = session.published_at
        if spec.status == SessionStatus.CANCELLED:
            session.cancelled_at = first - timedelta(days=10)
            session.updated_at = session.cancelled_at
        if spec.status == SessionStatus.CLOSED:
            session.closed_at = last + timedelta(hours=1)
            session.closed_by_id = coordinator.id
            session.updated_at = session.closed_at
        for start, end in spec.seances:
            session.seances.append(
                Seance(starts_at=start, ends_at=end, updated_at=session.updated_at)
            )
        session.sync_dates()
        return session

    def _enrolments(self, session: TrainingSession, spec: SessionSpec, coordinator: User) -> None:
        opened = session.published_at or session.created_at
        step = (min(session.starts_at - timedelta(days=4), utcnow()) - opened) / (
            len(spec.enrolments) + 1
        )
        by_email: dict[str, Enrolment] = {}
        for n, (email, status) in enumerate(spec.enrolments, 1):
            person = self.user[email]
            queued = opened + step * n
            enrolment = Enrolment(
                session=session,
                person=person,
                status=status,
                queued_at=queued,
                enrolled_by=person if person.password_hash else coordinator,
                created_at=queued,
                updated_at=queued,
            )
            db.session.add(enrolment)
            by_email[email] = enrolment
            self.created["enrolments"] += 1
        recorder = self.user[spec.trainers[0]].id if spec.trainers else coordinator.id
        for email, statuses in spec.attendance.items():
            for seance, status in zip(session.seances, statuses, strict=True):
                db.session.add(
                    Attendance(
                        seance=seance,
                        person=self.user[email],
                        enrolment=by_email[email],
                        status=status,
                        recorded_by_id=recorder,
                        recorded_at=seance.ends_at,
                    )
                )
                self.created["attendances"] += 1
        self._feedback(session, spec)

    def _feedback(self, session: TrainingSession, spec: SessionSpec) -> None:
        for email, score, gained, missing, recommend in spec.feedback:
            db.session.add(
                Feedback(
                    session=session,
                    person_id=self.user[email].id,
                    satisfaction=score,
                    gained=gained,
                    missing=missing,
                    would_recommend=recommend,
                    created_at=session.ends_at + timedelta(days=1),
                )
            )
            self.created["feedback"] += 1


def _phone(code: str, n: int) -> str:
    area = words.PHONE_AREA[code]
    return f"02 {area} {10 + n:02d} {(n * 37) % 90 + 10:02d} {(n * 53) % 90 + 10:02d}"
