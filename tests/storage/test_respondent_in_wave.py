"""One read for a survey step: resident, profile, response to a wave and answers together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from storage.db import UnitOfWork
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_unknown_resident_is_none(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    async with uow_factory() as uow:
        assert await uow.respondents.in_wave("nobody", wave.id) is None


async def test_new_resident_has_no_profile_and_no_response(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, language="en")
    async with uow_factory() as uow:
        found = await uow.respondents.in_wave(resident.key, wave.id)
    assert found is not None
    assert found.respondent == resident
    assert found.profile == {name: None for name in PROFILE}
    assert (found.response, found.answers) == (None, {})


async def test_same_as_the_separate_reads_with_answers_in_the_order_given(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    other_wave = await make_wave(uow_factory, name="2025 autumn")
    resident = await make_respondent(uow_factory, profile=PROFILE)
    neighbour = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(uow_factory, wave.id, neighbour, answers={"q1": "x"}, submit=False)
    async with uow_factory() as uow:
        response = await uow.responses.start(wave.id, resident.id, resident.key, NOW)
        await uow.responses.save_answer(response.id, "q2", "b", None, NOW)
        await uow.responses.save_answer(response.id, "q1", None, None, NOW + timedelta(1))
        await uow.responses.save_answer(response.id, "q3", "a;c", "<花> & 🌸", NOW + timedelta(2))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.respondents.in_wave(resident.key, wave.id)
        elsewhere = await uow.respondents.in_wave(resident.key, other_wave.id)
        expected_response = await uow.responses.get_for(wave.id, resident.id)
        expected_answers = await uow.responses.answers(response.id)
        expected_profile = await uow.profiles.get(resident.id)
    assert found is not None and elsewhere is not None
    assert found.respondent == resident
    assert found.profile == expected_profile == PROFILE
    assert found.response == expected_response
    assert found.answers == expected_answers
    assert list(found.answers) == ["q2", "q1", "q3"]
    assert found.answers["q3"].other_text == "<花> & 🌸"
    assert (elsewhere.response, elsewhere.answers) == (None, {})


async def test_submitted_response_shows_its_status_and_profile_snapshot(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    stored = await make_response(uow_factory, wave.id, resident, answers={"q1": "a"})
    async with uow_factory() as uow:
        found = await uow.respondents.in_wave(resident.key, wave.id)
    assert found is not None and found.response is not None
    assert found.response == stored
    assert (found.response.status, found.response.profile) == ("complete", PROFILE)
    assert list(found.answers) == ["q1"]
