"""Telegram's side of the channel-neutral sending: invitations as HTML messages with their
button (Bot API errors mapped to bot.app.delivery's), and the summary in the staff chat."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.app.conversation.screens import Screen
from bot.app.delivery import Blocked, MaybeDelivered, Rejected, RetryLater, Unreachable
from bot.app.services import Services
from bot.telegram.render import markup_of


def retry_seconds(error: RetryAfter) -> float:
    """retry_after as seconds (PTB gives an int now, a timedelta in a later version)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramDelivery:
    """Sends a screen to a Telegram chat through the process's bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, to: int | str, screen: Screen, key: int) -> None:
        """Send the screen as HTML with its inline keyboard; errors in bot.app's terms."""
        try:
            await self.bot.send_message(
                int(to), screen.text, parse_mode=ParseMode.HTML, reply_markup=markup_of(screen)
            )
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error)) from error
        except Forbidden as error:
            raise Blocked("403") from error
        except BadRequest as error:  # before TimedOut and NetworkError: it is one of them
            raise Rejected(f"400: {error.message}") from error
        except TimedOut as error:
            raise MaybeDelivered("timed out") from error
        except NetworkError as error:
            raise Unreachable(type(error).__name__) from error

    async def close(self) -> None:
        """Nothing to release: the bot belongs to the application."""


class StaffChatSummaries:
    """Posts a wave's periodic summary to the staff's Telegram chat."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def post(self, wave_id: int) -> None:
        """The summary, its chart and its HTML report in the staff chat."""
        from bot.telegram.summary import post_summary  # charts load only when a summary is due

        await post_summary(self.bot, self.services, wave_id)
