"""The handlers' context: python-telegram-bot's CallbackContext with machikoe's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.app.conversation.context import Conversation
from bot.app.services import Services

if TYPE_CHECKING:
    from bot.app.scheduler import WaveJobs

SERVICES = "services"
CONVERSATION = "conversation"
WAVE_JOBS = "wave_jobs"


class MachikoeContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """A CallbackContext that hands handlers the application's services and use cases."""

    @property
    def services(self) -> Services:
        """The application's shared services."""
        return services_of_application(self.application)

    @property
    def conversation(self) -> Conversation:
        """The resident conversation's use cases (one per application)."""
        return conversation_of(self.application)

    @property
    def wave_jobs(self) -> WaveJobs | None:
        """The process's wave jobs and sending (None in an application built without them)."""
        return wave_jobs_of(self.application)


CONTEXT_TYPES = ContextTypes(context=MachikoeContext)


def services_of_application(application: Application) -> Services:  # type: ignore[type-arg]
    """The services an application was built with."""
    return application.bot_data[SERVICES]  # type: ignore[no-any-return]


def conversation_of(application: Application) -> Conversation:  # type: ignore[type-arg]
    """The application's resident conversation (made on first use)."""
    data = application.bot_data
    if CONVERSATION not in data:
        data[CONVERSATION] = Conversation(services_of_application(application))
    return data[CONVERSATION]  # type: ignore[no-any-return]


def attach_wave_jobs(application: Application, jobs: WaveJobs) -> None:  # type: ignore[type-arg]
    """Hand the process's wave jobs to the application's handlers (staff commands)."""
    application.bot_data[WAVE_JOBS] = jobs


def wave_jobs_of(application: Application) -> WaveJobs | None:  # type: ignore[type-arg]
    """The wave jobs handed to the application, if any."""
    return application.bot_data.get(WAVE_JOBS)
