"""A conversation starts its responses in its channel's mode, so counts split by channel."""

from __future__ import annotations

from bot.app.conversation.context import Conversation
from bot.app.conversation.resident import Channel, Resident, respondent_key
from surveys.modes import ResponseMode
from tests.bot.app.conftest import Core, Talk


async def mode_of(core: Core, resident: Resident) -> ResponseMode | None:
    """The mode of the resident's response to the core's wave, if any."""
    services = core.services
    async with services.uow() as uow:
        respondent = await uow.respondents.get_by_key(respondent_key(resident, services.secret))
        assert respondent is not None
        response = await uow.responses.get_for(core.wave_id, respondent.id)
        return response.mode if response else None


async def test_each_channel_starts_and_answers_in_its_own_mode(core: Core) -> None:
    telegram = Talk(core, 3001)
    await telegram.onboard()
    line_core = Core(Conversation(core.services, mode=ResponseMode.LINE), core.wave_id)
    line = Talk(line_core, 3001)
    line.resident = Resident(Channel.LINE, "U" + "3" * 32, "ja")
    await line.onboard()
    await telegram.tap("住みやすい")
    await line.tap("住みにくい")
    assert await mode_of(core, telegram.resident) == ResponseMode.CHAT
    assert await mode_of(core, line.resident) == ResponseMode.LINE
