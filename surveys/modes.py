"""How a response was collected, the channels residents use, and a wave's audience channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum


class ResponseMode(StrEnum):
    """A response's collection mode (stored in `responses.mode`)."""

    CHAT = "chat"
    """A resident in the Telegram bot."""
    MAIL = "mail"
    """A mailed paper form, imported."""
    WEB = "web"
    """The city's web form, imported."""
    LINE = "line"
    """A resident in the LINE channel."""


IMPORTED_MODES: tuple[ResponseMode, ...] = (ResponseMode.MAIL, ResponseMode.WEB)
"""The modes `machikoe import responses` brings in from elsewhere."""


class Channel(StrEnum):
    """A channel residents reach the bot through (stored in `contacts.channel`)."""

    TELEGRAM = "telegram"
    LINE = "line"

    @property
    def mode(self) -> ResponseMode:
        """The mode of the responses given through this channel."""
        return CHANNEL_MODES[self]


CHANNEL_MODES: Mapping[Channel, ResponseMode] = {
    Channel.TELEGRAM: ResponseMode.CHAT,
    Channel.LINE: ResponseMode.LINE,
}
"""Each channel's response mode (Telegram's responses are the chat mode's)."""


class AudienceChannel(StrEnum):
    """The channels a wave's audience is reached through: one channel, or both."""

    TELEGRAM = Channel.TELEGRAM.value
    LINE = Channel.LINE.value
    BOTH = "both"
    """Every channel: the audience has no channel filter."""

    @property
    def channel(self) -> Channel | None:
        """The one channel reached, or None for both."""
        return None if self is AudienceChannel.BOTH else Channel(self.value)


CHANNEL_FILTER = "channel"
"""The audience key naming the channels a wave reaches (absent: every channel)."""


def audience_channel(audience: Mapping[str, Sequence[str]]) -> AudienceChannel:
    """The channel a wave's audience is reached through (both when it names one or none)."""
    channels = audience.get(CHANNEL_FILTER) or []
    return AudienceChannel(channels[0]) if len(channels) == 1 else AudienceChannel.BOTH


def with_audience_channel(
    audience: Mapping[str, list[str]], choice: AudienceChannel
) -> dict[str, list[str]]:
    """The audience's profile filters reaching residents through this choice."""
    rest = {name: values for name, values in audience.items() if name != CHANNEL_FILTER}
    return rest if choice.channel is None else {**rest, CHANNEL_FILTER: [choice.channel.value]}
