"""Database invariants every reliability test checks after driving the bot."""

from __future__ import annotations

from sqlalchemy import text

from bot.app.services import Services
from surveys.bundled import bundled_survey_path
from surveys.codec import decode_value
from surveys.engine import Answer, answers_to_drop, is_complete
from surveys.loader import load_survey

SURVEY = load_survey(bundled_survey_path("residency-livability"))
PROFILE_COLUMNS = ("age_band", "sex", "district", "years_lived")


async def rows(services: Services, sql: str) -> list[tuple[object, ...]]:
    """Run one read-only query."""
    async with services.engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def invariant_breaches(services: Services) -> list[str]:
    """What breaks the invariants: duplicate responses or answers, skipped-to answers in
    complete responses, complete responses the engine would not call complete."""
    breaches = [
        f"two responses of one resident in wave {wave}: {count}"
        for wave, _, count in await rows(
            services,
            "SELECT wave_id, respondent_id, count(*) FROM responses"
            " WHERE respondent_id IS NOT NULL GROUP BY wave_id, respondent_id HAVING count(*) > 1",
        )
    ]
    breaches += [
        f"response {response} answers {question} {count} times"
        for response, question, count in await rows(
            services,
            "SELECT response_id, question_id, count(*) FROM answers"
            " GROUP BY response_id, question_id HAVING count(*) > 1",
        )
    ]
    complete = await rows(
        services,
        "SELECT id, age_band, sex, district, years_lived FROM responses WHERE status = 'complete'",
    )
    stored = await rows(services, "SELECT response_id, question_id, value, other_text FROM answers")
    types = {question.id: str(question.type) for question in SURVEY.questions}
    for response_id, *profile_values in complete:
        answers = {
            question: Answer(question, decode_value(types.get(question, "text"), value), other)  # type: ignore[arg-type]
            for rid, question, value, other in stored
            if rid == response_id and isinstance(question, str)
        }
        profile = {k: v for k, v in zip(PROFILE_COLUMNS, profile_values, strict=True)}
        dropped = answers_to_drop(SURVEY, answers, profile)  # type: ignore[arg-type]
        if dropped:
            breaches.append(f"complete response {response_id} answers skipped {dropped}")
        if not is_complete(SURVEY, answers, profile):  # type: ignore[arg-type]
            breaches.append(f"complete response {response_id} misses relevant answers")
    return breaches


def decoded(values: dict[str, str | None]) -> dict[str, Answer]:
    """Stored answer values of the bundled survey as the engine's answers."""
    types = {question.id: str(question.type) for question in SURVEY.questions}
    return {
        question: Answer(question, decode_value(types.get(question, "text"), value))
        for question, value in values.items()
    }
