"""Views of the diagnostic room: questionnaire, follow-up, results, campaign administration."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    abort,
    current_app,
    flash,
    g,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.routing import BuildError

from reseau.accounts.access import coordinator_required, manager_required
from reseau.accounts.forms import department_choices, select_choices
from reseau.accounts.login import read_with_person
from reseau.accounts.models import Category, Centre, User
from reseau.catalogue.models import Audience, Theme
from reseau.core.cache import kept, key_of
from reseau.core.downloads import csv_download
from reseau.core.extensions import db
from reseau.core.i18n import ngettext, number, today_paris
from reseau.core.lists import paginate
from reseau.core.web import autosaved, form_status, render_page, see_other
from reseau.diagnostic import bp, operations, queries, results
from reseau.diagnostic.forms import (
    CampaignForm,
    CampaignListFilterForm,
    FollowUpFilterForm,
    QuestionForm,
    SkillForm,
    campaign_choices,
    theme_choices,
)
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)
from reseau.diagnostic.queries import (
    get_answerable_campaign_or_404,
    get_answerable_skill_or_404,
    get_campaign_or_404,
    get_question_or_404,
    get_skill_or_404,
    grouped_skills,
    response_of,
)
from reseau.diagnostic.rollups import PRIORITY_WEIGHT, YES_WEIGHT

# Where the catalogue room lets the coordinator edit a session, in order of preference.
SESSION_EDIT_ENDPOINTS = (
    "catalogue.session_edit",
    "catalogue.edit_session",
    "catalogue.session_form",
)


# --- loading ----------------------------------------------------------------------------------


def _choice(enum_class, value):
    """Return ``enum_class(value)``, None when absent, or abort 422 on a forged value."""
    if value in (None, ""):
        return None
    try:
        return enum_class(value)
    except ValueError:
        abort(422)


# --- answering --------------------------------------------------------------------------------


@bp.route("/diagnostic")
@login_required
def home():
    campaigns = queries.open_campaigns_for(current_user)
    responses = queries.responses_of(current_user, campaigns)
    return render_page("diagnostic/home.html", campaigns=campaigns, responses=responses)


@bp.route("/diagnostic/<int:campaign_id>", methods=["GET", "POST"])
@login_required
def answer(campaign_id: int):
    campaign = get_answerable_campaign_or_404(
        campaign_id, current_user, preview=request.method == "GET"
    )
    is_open = queries.is_open(campaign)
    preview = not queries.is_eligible(campaign, current_user)
    if request.method == "POST":
        if not is_open:
            flash("Cette campagne est fermée : les réponses ne peuvent plus changer.", "error")
            return see_other(url_for("diagnostic.answer", campaign_id=campaign.id))
        response = operations.get_or_create_response(campaign, current_user)
        submit = request.form.get("action") == "submit"
        if submit:  # first: the summary rows' order (rollups.py)
            operations.submit_response(response)
        _save_whole_page(campaign, response)
        if submit:
            message = "Merci ! Vos réponses sont enregistrées et transmises au réseau."
        else:
            message = "Vos réponses sont enregistrées. Vous pourrez revenir les compléter."
        db.session.commit()
        flash(message, "success")
        return see_other(url_for("diagnostic.answer", campaign_id=campaign.id))
    response = response_of(campaign, current_user)
    skill_answers = {a.skill_id: a for a in response.skill_answers} if response else {}
    question_answers = (
        {a.question_id: a.text for a in response.question_answers} if response else {}
    )
    return render_page(
        "diagnostic/answer.html",
        campaign=campaign,
        is_open=is_open and not preview,
        preview=preview,
        groups=grouped_skills(campaign),
        response=response,
        skill_answers=skill_answers,
        question_answers=question_answers,
        levels=list(SkillLevel),
        wishes=list(TrainingWish),
    )


def _save_whole_page(campaign: DiagnosticCampaign, response: DiagnosticResponse) -> None:
    """Save every answer the page sent (the questionnaire without JavaScript)."""
    form = request.form
    operations.save_answers(
        response,
        [
            (
                skill,
                _choice(SkillLevel, form.get(f"level-{skill.id}")),
                _choice(TrainingWish, form.get(f"wish-{skill.id}")),
            )
            for skill in campaign.skills
        ],
    )
    for question in campaign.questions:
        key = f"question-{question.id}"
        if key in form:
            operations.save_question_answer(response, question, form[key].strip())
    if "other_needs" in form:
        operations.save_other_needs(response, form["other_needs"].strip())


def _saved(message: str | None = None, status: int = 200):
    """Answer an autosave: the small "enregistré" state (htmx) or back to the page."""
    back = url_for("diagnostic.answer", campaign_id=request.view_args["campaign_id"])
    return autosaved(back, message, status)


def _open_response_or_409(campaign: DiagnosticCampaign):
    if not queries.is_open(campaign):
        return None
    return operations.get_or_create_response(campaign, current_user)


@bp.route("/diagnostic/<int:campaign_id>/competences/<int:skill_id>", methods=["POST"])
@login_required
def save_skill(campaign_id: int, skill_id: int):
    campaign, skill = get_answerable_skill_or_404(campaign_id, skill_id, current_user)
    response = _open_response_or_409(campaign)
    if response is None:
        return _saved("Campagne fermée : réponse non enregistrée.", status=409)
    operations.save_skill_answer(
        response,
        skill,
        level=_choice(SkillLevel, request.form.get(f"level-{skill.id}")),
        wants_training=_choice(TrainingWish, request.form.get(f"wish-{skill.id}")),
    )
    db.session.commit()
    return _saved()


@bp.route("/diagnostic/<int:campaign_id>/questions/<int:question_id>", methods=["POST"])
@login_required
def save_question(campaign_id: int, question_id: int):
    campaign = get_answerable_campaign_or_404(campaign_id, current_user)
    question = get_question_or_404(campaign, question_id)
    response = _open_response_or_409(campaign)
    if response is None:
        return _saved("Campagne fermée : réponse non enregistrée.", status=409)
    text = request.form.get(f"question-{question.id}", "").strip()
    operations.save_question_answer(response, question, text)
    db.session.commit()
    return _saved()


@bp.route("/diagnostic/<int:campaign_id>/autres-besoins", methods=["POST"])
@login_required
def save_other_needs(campaign_id: int):
    campaign = get_answerable_campaign_or_404(campaign_id, current_user)
    response = _open_response_or_409(campaign)
    if response is None:
        return _saved("Campagne fermée : réponse non enregistrée.", status=409)
    operations.save_other_needs(response, request.form.get("other_needs", "").strip())
    db.session.commit()
    return _saved()


# --- follow-up by the referent ----------------------------------------------------------------


def _follow_centre_id() -> int | None:
    """The centre followed: the referent's own; for the coordinator, the ``centre`` parameter."""
    if current_user.is_coordinator:
        return FollowUpFilterForm().centre.data
    return current_user.centre_id


@bp.route("/diagnostic/<int:campaign_id>/suivi")
@manager_required
def follow_up(campaign_id: int):
    campaign = get_campaign_or_404(campaign_id)
    centre_id = _follow_centre_id()
    centre = db.session.get(Centre, centre_id) if centre_id else None
    if centre_id and centre is None:
        abort(404)
    query = (
        queries.eligible_people(campaign)
        .add_columns(DiagnosticResponse)
        .outerjoin(
            DiagnosticResponse,
            sa.and_(
                DiagnosticResponse.person_id == User.id,
                DiagnosticResponse.campaign_id == campaign.id,
            ),
        )
        .options(so.joinedload(User.centre))
        .order_by(User.last_name, User.first_name, User.id)
    )
    if centre_id:
        query = query.where(User.centre_id == centre_id)
    rows = db.session.execute(query.limit(500)).all()
    return render_page(
        "diagnostic/follow_up.html",
        "diagnostic/_follow_up_table.html",
        campaign=campaign,
        centre=centre,
        rows=rows,
        is_open=queries.is_open(campaign),
    )


@bp.route("/diagnostic/<int:campaign_id>/suivi/relance", methods=["POST"])
@manager_required
def remind_all(campaign_id: int):
    """Remind, once, everyone of the followed centre who has not finished."""
    campaign = get_campaign_or_404(campaign_id)
    centre_id = current_user.centre_id if not current_user.is_coordinator else None
    centre_id = centre_id or request.form.get("centre", type=int)
    if not centre_id or db.session.get(Centre, centre_id) is None:
        abort(404)
    back = url_for("diagnostic.follow_up", campaign_id=campaign.id)
    if current_user.is_coordinator:
        back = url_for("diagnostic.follow_up", campaign_id=campaign.id, centre=centre_id)
    if not queries.is_open(campaign):
        flash("La campagne est fermée : pas de relance possible.", "error")
        return see_other(back)
    people = db.session.scalars(
        queries.eligible_people(campaign)
        .where(
            User.centre_id == centre_id,
            ~sa.exists().where(
                DiagnosticResponse.person_id == User.id,
                DiagnosticResponse.campaign_id == campaign.id,
                sa.or_(
                    DiagnosticResponse.submitted_at.is_not(None),
                    DiagnosticResponse.reminded_at.is_not(None),
                ),
            ),
        )
        .order_by(User.id)
    ).all()
    sent = sum(operations.remind_person(campaign, person, actor=current_user) for person in people)
    db.session.commit()
    flash(ngettext("%(num)s relance envoyée.", "%(num)s relances envoyées.", sent), "success")
    return see_other(back)


@bp.route("/diagnostic/<int:campaign_id>/suivi/<int:person_id>/relance", methods=["POST"])
@manager_required
def remind(campaign_id: int, person_id: int):
    campaign = get_campaign_or_404(campaign_id)
    person = db.session.get(User, person_id)
    allowed = person is not None and (
        current_user.is_coordinator or person.centre_id == current_user.centre_id
    )
    if not allowed or not queries.is_eligible(campaign, person):
        abort(404)
    if not queries.is_open(campaign):
        flash("La campagne est fermée : pas de relance possible.", "error")
    elif operations.remind_person(campaign, person, actor=current_user):
        flash(f"Relance envoyée à {person.full_name}.", "success")
    else:
        flash(f"{person.full_name} a déjà été relancé·e ou a terminé : pas de relance.", "info")
    db.session.commit()
    back = url_for("diagnostic.follow_up", campaign_id=campaign.id)
    if current_user.is_coordinator and person.centre_id:
        back = url_for("diagnostic.follow_up", campaign_id=campaign.id, centre=person.centre_id)
    return see_other(back)


# --- results ----------------------------------------------------------------------------------


def _results_filters() -> tuple[results.Filters | None, dict, dict[str, int]]:
    """The results' filters from the query string, their arguments, and the counters of the
    tables the results read (read with the campaign: ``results.campaign_and_counters``)."""
    campaign_id = request.args.get("campagne", type=int)
    centre_id = None
    if not current_user.is_coordinator:
        # A referent sees their centre's part only, whatever the URL says.
        centre_id = current_user.centre_id
    campaign, counters = results.campaign_and_counters(campaign_id or None, centre_id)
    if campaign is None and campaign_id:
        abort(404)
    category_value = request.args.get("categorie", "")
    category = Category(category_value) if category_value in set(Category) else None
    department_id = None if centre_id is not None else request.args.get("departement", type=int)
    args = {
        "campagne": campaign.id if campaign else None,
        "departement": department_id,
        "categorie": category.value if category else "",
        # The heat map shows people (default) or the share of respondents who ask.
        "mesure": "part" if request.args.get("mesure") == "part" else "",
    }
    if campaign is None:
        return None, args, counters
    return results.Filters(campaign, department_id, category, centre_id), args, counters


def written_once():
    """``number`` for a page that writes the same few values hundreds of times (the rates of
    hundreds of centres): each value is written by Babel once per page."""
    written: dict[tuple, str] = {}

    def write(value, style: str = "decimal") -> str:
        key = (value, style)
        if key not in written:
            written[key] = number(value, style)
        return written[key]

    return write


class RankedNeed(NamedTuple):
    """A theme's line in the ranked needs, as plain data (kept between requests): its text
    as HTML (``_results_need.html``) and what its « Créer une session » form needs."""

    theme_name: str
    people: int
    line: str
    action: str


def _kept_results(filters: results.Filters, args: dict, counters: dict[str, int]) -> dict:
    """The results' head and tail as HTML and the ranked needs as plain rows, kept between
    requests until a write to what they were read from or until a session said to cover a
    need starts (``core.cache``); the ranking itself is rendered for each request (a
    coordinator's buttons carry their CSRF token)."""
    role = "coordinator" if current_user.is_coordinator else "referent"
    campaign = filters.campaign  # read before: its title goes into the key too
    key = key_of("diagnostic", campaign.id, campaign.title, filters.centre_id, role, **args)

    def compute():
        figures = results.page_figures(filters)
        context = {
            "filters": filters,
            "args": args,
            **figures,
            "written": written_once(),
            "heat_level": results.heat_level,
            "priority_weight": PRIORITY_WEIGHT,
            "yes_weight": YES_WEIGHT,
        }
        needs = [
            RankedNeed(
                n.theme.name,
                n.people,
                render_template("diagnostic/_results_need.html", need=n),
                url_for("diagnostic.create_session", campaign_id=campaign.id, theme_id=n.theme.id),
            )
            for n in figures["needs"]
        ]
        kept_html = {
            part: render_template(f"diagnostic/_results_{part}.html", **context)
            for part in ("head", "tail")
        }
        kept_html["filters"] = _filters_html(args)
        return {"kept": kept_html, "needs": needs}, figures["covered_until"]

    tables = results.results_tables(filters.centre_id)
    figures = kept(key, compute, tables=tables, counters=counters)
    html = {part: Markup(text) for part, text in figures["kept"].items()}  # noqa: S704 (ours)
    needs = [need._replace(line=Markup(need.line)) for need in figures["needs"]]  # noqa: S704
    return {"kept": html, "needs": needs}


def _filters_html(args: dict) -> str:
    return render_template(
        "diagnostic/_results_filters.html",
        args=args,
        campaigns=campaign_choices(),
        departments=department_choices("Tous les départements"),
        category_choices=Category.choices(),
    )


@bp.route("/diagnostic/resultats")
@manager_required
def results_page():
    filters, args, counters = _results_filters()
    context = {"filters": filters, "args": args}
    if filters is None:
        filters_html = _filters_html(args)
    else:
        context.update(_kept_results(filters, args, counters))
        context.update(priority_weight=PRIORITY_WEIGHT, yes_weight=YES_WEIGHT)
        filters_html = context["kept"]["filters"]
    return render_page(
        "diagnostic/results.html",
        "diagnostic/_results_fragment.html",
        results_html=Markup(render_template("diagnostic/_results.html", **context)),  # noqa: S704
        filters_html=Markup(filters_html),  # noqa: S704 (our template's output)
        filters=filters,
        args=args,
    )


@bp.route("/diagnostic/resultats.csv")
@manager_required
def results_csv():
    filters, _, _ = _results_filters()
    if filters is None:
        abort(404)
    rows = [
        (
            row.theme,
            row.skill,
            f"{row.department_code} – {row.department_name}" if row.department_code else "",
            row.people,
            int(row.priority),
            int(row.score),
        )
        for row in results.skill_department_rows(filters)
    ]
    return csv_download(
        f"diagnostic-{filters.campaign.id}-resultats.csv",
        [
            "Thématique",
            "Compétence",
            "Département",
            "Personnes souhaitant une formation",
            "Dont en priorité",
            f"Score (priorité = {PRIORITY_WEIGHT}, oui = {YES_WEIGHT})",
        ],
        rows,
    )


@bp.route("/admin/diagnostic/<int:campaign_id>/reponses.csv")
@coordinator_required
def raw_csv(campaign_id: int):
    campaign = db.get_or_404(DiagnosticCampaign, campaign_id)
    rows = (
        (
            row.last_name,
            row.first_name,
            row.category.label,
            row.centre or "",
            row.department or "",
            row.theme,
            row.skill,
            row.level.label if row.level else "",
            row.wants_training.label if row.wants_training else "",
        )
        for row in results.raw_answer_rows(campaign)
    )
    return csv_download(
        f"diagnostic-{campaign.id}-reponses.csv",
        [
            "Nom",
            "Prénom",
            "Catégorie",
            "Centre",
            "Département",
            "Thématique",
            "Compétence",
            "Niveau",
            "Souhaite une formation",
        ],
        rows,
        stream=True,
    )


@bp.route("/admin/diagnostic/<int:campaign_id>/themes/<int:theme_id>/session", methods=["POST"])
@coordinator_required
def create_session(campaign_id: int, theme_id: int):
    campaign = db.get_or_404(DiagnosticCampaign, campaign_id)
    theme = db.get_or_404(Theme, theme_id)
    in_campaign = db.session.scalar(
        sa.select(DiagnosticSkill.id)
        .where(DiagnosticSkill.campaign_id == campaign.id, DiagnosticSkill.theme_id == theme.id)
        .limit(1)
    )
    if in_campaign is None:
        abort(404)
    needs, _ = results.theme_needs(results.Filters(campaign))
    top = next((need.top_department_id for need in needs if need.theme.id == theme.id), None)
    session = operations.create_session_for_need(campaign, theme, top, actor=current_user)
    db.session.commit()
    flash(
        f"Session « {session.title} » créée en brouillon à partir du diagnostic "
        f"« {campaign.title} » : complétez sa description, ses dates et son lieu.",
        "success",
    )
    return see_other(session_edit_url(session.id))


def session_edit_url(session_id: int) -> str:
    for endpoint in SESSION_EDIT_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, session_id=session_id)
            except BuildError:
                continue
    return url_for("catalogue.session_list")


# --- campaigns (coordinator; referents see the list) ------------------------------------------


@bp.route("/admin/diagnostic")
@manager_required
def campaign_list():
    page = paginate(queries.campaigns_newest_first(), CampaignListFilterForm())
    answered = queries.answered_counts([campaign.id for campaign in page.items])
    answerable = {
        campaign.id
        for campaign in page.items
        if queries.is_open(campaign) and queries.is_eligible(campaign, current_user)
    }
    return render_page(
        "diagnostic/campaign_list.html",
        page=page,
        answered=answered,
        answerable=answerable,
        today=today_paris(),
    )


@bp.route("/admin/diagnostic/nouvelle", methods=["GET", "POST"])
@coordinator_required
def campaign_new():
    form = CampaignForm()
    form.copy_from.choices = select_choices([("", "— Questionnaire vide —")] + campaign_choices())
    if request.method == "GET":
        previous = queries.latest_campaign()
        if previous is not None:
            form.copy_from.data = previous.id
            form.audience.data = previous.audience.value
    if form.validate_on_submit():
        copy_from = (
            db.session.get(DiagnosticCampaign, form.copy_from.data) if form.copy_from.data else None
        )
        if copy_from is not None:
            copy_from = get_campaign_or_404(copy_from.id)
        campaign = operations.create_campaign(
            title=form.title.data,
            audience=Audience(form.audience.data),
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            introduction=form.introduction.data or "",
            copy_from=copy_from,
            actor=current_user,
        )
        db.session.commit()
        flash(f"Campagne « {campaign.title} » créée.", "success")
        return see_other(url_for("diagnostic.campaign_edit", campaign_id=campaign.id))
    return render_page(
        "diagnostic/campaign_new.html",
        "diagnostic/_campaign_form.html",
        form=form,
        campaign=None,
        status=form_status(form),
    )


@bp.route("/admin/diagnostic/<int:campaign_id>", methods=["GET", "POST"])
@coordinator_required
def campaign_edit(campaign_id: int):
    campaign = get_campaign_or_404(campaign_id)
    form = CampaignForm(obj=campaign)
    del form.copy_from
    if request.method == "GET":
        form.audience.data = campaign.audience.value
    if form.validate_on_submit():
        operations.update_campaign(
            campaign,
            actor=current_user,
            title=form.title.data,
            audience=Audience(form.audience.data),
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            introduction=form.introduction.data or "",
        )
        db.session.commit()
        flash("Campagne enregistrée.", "success")
        return see_other(url_for("diagnostic.campaign_edit", campaign_id=campaign.id))
    skill_form = SkillForm(formdata=None)
    skill_form.theme_id.choices = select_choices(theme_choices())
    skill_form.title.id = "skill-title"  # the campaign's own form on the page has a "title"
    invited = db.session.scalar(
        sa.select(sa.func.count(DiagnosticResponse.id)).where(
            DiagnosticResponse.campaign_id == campaign.id,
            DiagnosticResponse.invited_at.is_not(None),
        )
    )
    return render_page(
        "diagnostic/campaign_edit.html",
        "diagnostic/_campaign_form.html",
        form=form,
        campaign=campaign,
        groups=grouped_skills(campaign),
        skill_form=skill_form,
        question_form=QuestionForm(formdata=None),
        invited=invited,
        is_open=queries.is_open(campaign),
        status=form_status(form),
    )


@bp.route("/admin/diagnostic/<int:campaign_id>/competences/nouvelle", methods=["GET", "POST"])
@bp.route("/admin/diagnostic/<int:campaign_id>/competences/<int:skill_id>", methods=["GET", "POST"])
@coordinator_required
def skill_edit(campaign_id: int, skill_id: int | None = None):
    campaign = get_campaign_or_404(campaign_id)
    skill = get_skill_or_404(campaign, skill_id) if skill_id else None
    form = SkillForm(obj=skill)
    form.theme_id.choices = select_choices(theme_choices())
    if form.validate_on_submit():
        theme = db.session.get(Theme, form.theme_id.data)
        values = {
            "theme": theme,
            "title": form.title.data,
            "explanation": form.explanation.data or "",
        }
        if skill is None:
            operations.add_skill(campaign, actor=current_user, **values)
        else:
            operations.update_skill(skill, actor=current_user, **values)
        db.session.commit()
        flash(f"Compétence « {form.title.data} » enregistrée.", "success")
        return see_other(
            url_for("diagnostic.campaign_edit", campaign_id=campaign.id) + "#questionnaire"
        )
    return render_page(
        "diagnostic/skill_form.html",
        "diagnostic/_skill_form.html",
        form=form,
        campaign=campaign,
        skill=skill,
        status=form_status(form),
    )


@bp.route(
    "/admin/diagnostic/<int:campaign_id>/competences/<int:skill_id>/supprimer", methods=["POST"]
)
@coordinator_required
def skill_delete(campaign_id: int, skill_id: int):
    campaign = get_campaign_or_404(campaign_id)
    skill = get_skill_or_404(campaign, skill_id)
    answered = db.session.scalar(
        sa.select(SkillAnswer.id).where(SkillAnswer.skill_id == skill.id).limit(1)
    )
    if answered is not None:
        flash(
            "Des personnes ont déjà répondu sur cette compétence : modifiez-la plutôt que de la "
            "supprimer.",
            "error",
        )
    else:
        operations.delete_skill(skill, actor=current_user)
        db.session.commit()
        flash(f"Compétence « {skill.title} » retirée du questionnaire.", "success")
    return see_other(
        url_for("diagnostic.campaign_edit", campaign_id=campaign.id) + "#questionnaire"
    )


@bp.route("/admin/diagnostic/<int:campaign_id>/questions", methods=["POST"])
@coordinator_required
def question_add(campaign_id: int):
    campaign = get_campaign_or_404(campaign_id)
    form = QuestionForm()
    if form.validate_on_submit():
        operations.add_question(campaign, prompt=form.prompt.data, actor=current_user)
        db.session.commit()
        flash("Question ajoutée.", "success")
    else:
        flash(form.prompt.errors[0] if form.prompt.errors else "Question invalide.", "error")
    return see_other(url_for("diagnostic.campaign_edit", campaign_id=campaign.id) + "#questions")


@bp.route(
    "/admin/diagnostic/<int:campaign_id>/questions/<int:question_id>/supprimer", methods=["POST"]
)
@coordinator_required
def question_delete(campaign_id: int, question_id: int):
    campaign = get_campaign_or_404(campaign_id)
    question = get_question_or_404(campaign, question_id)
    answered = db.session.scalar(
        sa.select(QuestionAnswer.id)
        .where(QuestionAnswer.question_id == question.id, QuestionAnswer.text != "")
        .limit(1)
    )
    if answered is not None:
        flash("Des personnes ont déjà répondu à cette question : elle est conservée.", "error")
    else:
        operations.delete_question(campaign, question, actor=current_user)
        db.session.commit()
        flash("Question retirée.", "success")
    return see_other(url_for("diagnostic.campaign_edit", campaign_id=campaign.id) + "#questions")


@bp.route("/admin/diagnostic/<int:campaign_id>/invitations", methods=["POST"])
@coordinator_required
def invite(campaign_id: int):
    campaign = get_campaign_or_404(campaign_id)
    if not campaign.skills:
        flash("Ajoutez au moins une compétence avant d'inviter.", "error")
    elif not queries.is_open(campaign):
        flash("La campagne n'est pas ouverte aujourd'hui : vérifiez ses dates.", "error")
    else:
        count = operations.invite_people(campaign, actor=current_user)
        db.session.commit()
        flash(
            ngettext("%(num)s invitation envoyée.", "%(num)s invitations envoyées.", count),
            "success",
        )
    return see_other(url_for("diagnostic.campaign_edit", campaign_id=campaign.id))


# Statuses the follow-up table shows, for people of the campaign's audience.
def response_status(response: DiagnosticResponse | None) -> tuple[str, str]:
    if response is None or response.started_at is None:
        return "Pas encore répondu", ""
    if response.submitted_at is None:
        return "Commencé", "badge-warn"
    return "Terminé", "badge-ok"


@bp.app_template_global("diagnostic_status")
def _diagnostic_status(response):
    return response_status(response)


# The navigation's question, asked by the user loader's statement (``g.has_open_diagnostic``).
read_with_person(
    "has_open_diagnostic", queries.open_campaign_for_person, queries.open_campaign_values
)


@bp.app_template_global("has_open_diagnostic")
def has_open_diagnostic() -> bool:
    """Whether the current person has a questionnaire to answer (for the navigation): the
    user loader's answer, else one statement (the person was loaded otherwise)."""
    if not current_user.is_authenticated:
        return False
    if "has_open_diagnostic" not in g:
        g.has_open_diagnostic = queries.has_open_campaign_for(current_user)
    return g.has_open_diagnostic
