"""What every use case of the conversation shares: services, parsed surveys, the resident."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app.conversation.flow import SurveyCache
from bot.app.conversation.resident import Resident, respondent_key
from bot.app.conversation.screens import Screen
from bot.app.services import Services
from bot.app.texts import language_from_telegram, language_or_default, t
from storage.db import UnitOfWork
from storage.lanes import Lane, lane_in
from storage.records import RespondentRecord
from surveys.modes import Channel, ResponseMode
from surveys.status import Consent


@dataclass
class Conversation:
    """The resident conversation's dependencies, made once per running application."""

    services: Services
    surveys: SurveyCache = field(default_factory=SurveyCache)
    mode: ResponseMode = ResponseMode.CHAT
    """The mode (channel) of the responses this conversation starts: one per adapter."""

    @property
    def channel(self) -> Channel:
        """The channel this conversation talks through (its words for ids and commands)."""
        return Channel.LINE if self.mode is ResponseMode.LINE else Channel.TELEGRAM

    def key(self, resident: Resident) -> str:
        """The resident's pseudonym (the only identity stored with answers)."""
        return respondent_key(resident, self.services.secret)

    def uow(self) -> UnitOfWork:
        """A new unit of work (`begin_write()` before its first write)."""
        return self.services.uow()

    def lane(self, uow: UnitOfWork) -> Lane:
        """Where a survey step in this unit of work runs, decided at the step (storage/lanes.py)."""
        return lane_in(uow, self.services.steps)

    async def respondent(self, uow: UnitOfWork, resident: Resident) -> RespondentRecord | None:
        """The resident's record, if any."""
        return await uow.respondents.get_by_key(self.key(resident))

    async def language(self, resident: Resident) -> str:
        """The language the resident chose, else the client's guess."""
        async with self.uow() as uow:
            respondent = await self.respondent(uow, resident)
        return language_of(respondent, resident)


def language_of(respondent: RespondentRecord | None, resident: Resident) -> str:
    """The resident's language, else a guess from the client's language."""
    if respondent is not None:
        return language_or_default(respondent.language)
    return language_from_telegram(resident.language_hint)


def consented(respondent: RespondentRecord | None) -> bool:
    """Whether the resident has given consent."""
    return respondent is not None and respondent.consent == Consent.GIVEN


def said(language: str, key: str, channel: Channel) -> Screen:
    """One catalogue message as a screen, in the channel's words."""
    return Screen(t(language, key, channel))
