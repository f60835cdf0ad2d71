"""Stage 8: diagnostic campaigns (one a year, the last one open) and their answers.

The questionnaire is the seeds' 2012 one (``vocabulary.SKILLS``, ``QUESTIONS``); answers
follow each category's appetite for each theme (``vocabulary.APPETITE``). The open campaign
has about a third of the responses, the closed ones share the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from devdata import days
from devdata import vocabulary as words
from devdata.generate.build import PARTICIPANT_ID, Build, GenerationError
from reseau.catalogue.models import Audience
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
)

INTRODUCTION = (
    "Le réseau met en place un diagnostic des besoins de formation. Vos réponses "
    "deviendront les thématiques des formations de l'année."
)


def write_diagnostic(build: Build) -> None:
    if build.scale.campaigns == 0:
        return
    campaigns = _campaigns(build)
    skill_ids, question_ids = _questionnaires(build, len(campaigns))
    respondents = _respondents(build, campaigns)
    answered = _responses(build, respondents, skill_ids)
    build.insert(
        "réponses aux compétences",
        SkillAnswer,
        _skill_rows(build, answered, skill_ids),
        sum(count for *_, count in answered),
    )
    rows = _question_rows(build, answered, question_ids)
    build.insert("réponses aux questions", QuestionAnswer, rows, 0)


def _campaigns(build: Build) -> list[dict]:
    n, today = build.scale.campaigns, build.today
    campaigns = []
    for k in range(1, n + 1):
        is_open = k == n
        if is_open:
            opens, closes = today - timedelta(days=14), today + timedelta(days=45)
            title = f"Diagnostic des besoins de formation {opens.year}"
        else:
            opens = today - timedelta(days=300 + 365 * (n - 1 - k))
            closes = opens + timedelta(days=60)
            title = f"Diagnostic régional des besoins de formation {opens.year}"
        campaigns.append(
            {
                "id": k,
                "title": title,
                "audience": Audience.TOUS,
                "introduction": INTRODUCTION,
                "opens_on": opens,
                "closes_on": closes,
                "copied_from_id": k - 1 if k > 1 else None,
                "created_at": days.at(opens - timedelta(days=10), 9),
            }
        )
    build.insert("campagnes", DiagnosticCampaign, campaigns, n)
    return campaigns


def _questionnaires(build: Build, n: int) -> tuple[dict, dict]:
    """Each campaign's skills and questions; return their ids by campaign."""
    skills, questions = [], []
    skill_ids: dict[int, list[tuple[int, str]]] = {}  # (skill id, theme slug)
    question_ids: dict[int, list[int]] = {}
    for k in range(1, n + 1):
        for position, (slug, title, explanation) in enumerate(words.SKILLS, 1):
            skills.append(
                {
                    "id": len(skills) + 1,
                    "campaign_id": k,
                    "theme_id": build.theme_id[slug],
                    "title": title,
                    "explanation": explanation,
                    "position": position,
                }
            )
            skill_ids.setdefault(k, []).append((len(skills), slug))
        for position, prompt in enumerate(words.QUESTIONS, 1):
            questions.append(
                {"id": len(questions) + 1, "campaign_id": k, "prompt": prompt, "position": position}
            )
            question_ids.setdefault(k, []).append(len(questions))
    build.insert("compétences", DiagnosticSkill, skills, len(skills))
    build.insert("questions", DiagnosticQuestion, questions, len(questions))
    return skill_ids, question_ids


def _sizes(total: int, n: int, pool: int) -> list[int]:
    """How many responses each of ``n`` campaigns gets: ``total`` exactly, ``pool`` at most."""
    share = [1.0] * n
    if n > 1:
        share = [0.65 / (n - 1)] * (n - 1) + [0.35]
    sizes = [min(pool, round(total * s)) for s in share]
    k = 0
    while sum(sizes) != total:
        i = k % n
        k += 1
        if sum(sizes) < total and sizes[i] < pool:
            sizes[i] += 1
        elif sum(sizes) > total and sizes[i] > 0:
            sizes[i] -= 1
        if k > 10 * (total + n) + 100:
            raise GenerationError("Trop de réponses pour les personnes / too many responses.")
    return sizes


def _respondents(build: Build, campaigns: list[dict]) -> list[tuple[int, dict, int, str]]:
    """(response id, campaign, person, state) of every response."""
    rng, n = build.rng, len(campaigns)
    pool = [uid for uid in build.everyone if build.person_centre[uid] is not None]
    pool = [PARTICIPANT_ID, *pool] if PARTICIPANT_ID not in pool else pool
    sizes = _sizes(build.scale.responses, n, len(pool))
    respondents = []
    for campaign, size in zip(campaigns, sizes, strict=True):
        is_open = campaign["id"] == n
        # The landmark participant answers every campaign (submitted the closed ones,
        # half-way through the open one): their pages look the same at every scale.
        others = [uid for uid in pool if uid != PARTICIPANT_ID]
        people = sorted([PARTICIPANT_ID, *rng.sample(others, size - 1)]) if size else []
        for uid in people:
            if uid == PARTICIPANT_ID:
                state = "started" if is_open else "submitted"
            elif is_open:
                state = rng.choices(["submitted", "started", "invited"], [40, 35, 25])[0]
            else:
                state = rng.choices(["submitted", "started"], [85, 15])[0]
            respondents.append((len(respondents) + 1, campaign, uid, state))
    return respondents


def _responses(build: Build, respondents, skill_ids) -> list[tuple]:
    """Write the responses; return (id, campaign id, person, state, when, skills answered)."""
    rng, today = build.rng, build.today
    answered, rows = [], []
    for rid, campaign, uid, state in respondents:
        opens = campaign["opens_on"]
        span = max(1, min((campaign["closes_on"] - opens).days, (today - opens).days))
        invited = days.at(opens, 9)
        at = invited + timedelta(days=rng.randint(0, span - 1), minutes=rng.randint(0, 600))
        nskills = len(skill_ids[campaign["id"]])
        if state == "started":
            count = rng.randint(1, nskills)
        else:
            count = nskills if state == "submitted" else 0
        answered.append((rid, campaign["id"], uid, state, at, count))
        rows.append(
            {
                "id": rid,
                "campaign_id": campaign["id"],
                "person_id": uid,
                "other_needs": rng.choice(words.OTHER_NEEDS)
                if state == "submitted" and rng.random() < 0.25
                else "",
                "invited_at": invited,
                "reminded_at": invited + timedelta(days=14)
                if state != "submitted" and span > 14
                else None,
                "started_at": at if state != "invited" else None,
                "submitted_at": at + timedelta(minutes=12) if state == "submitted" else None,
                "updated_at": at + timedelta(minutes=12) if state != "invited" else invited,
            }
        )
    build.insert("réponses", DiagnosticResponse, rows, len(rows))
    return answered


def _skill_rows(build: Build, answered, skill_ids) -> Iterator[dict]:
    rng, number = build.rng, 0
    for rid, campaign_id, uid, _, at, count in answered:
        appetite = words.APPETITE.get(build.person_category[uid], {})
        for skill_id, slug in skill_ids[campaign_id][:count]:
            wish = words.wish_for(rng.random(), appetite.get(slug, 0.2))
            number += 1
            yield {
                "id": number,
                "response_id": rid,
                "skill_id": skill_id,
                "level": words.level_for(rng.random(), wish),
                "wants_training": wish,
                "updated_at": at,
            }


def _question_rows(build: Build, answered, question_ids) -> Iterator[dict]:
    rng, number = build.rng, 0
    for rid, campaign_id, _, state, _, _ in answered:
        if state != "submitted":
            continue
        for index, question_id in enumerate(question_ids[campaign_id]):
            if rng.random() < 0.3:
                number += 1
                choices = words.ANSWERS.get(index, words.OTHER_NEEDS)
                yield {
                    "id": number,
                    "response_id": rid,
                    "question_id": question_id,
                    "text": rng.choice(choices),
                }
