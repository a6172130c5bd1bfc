"""Response modes, channels and audience channels: the values stored and how they relate."""

from __future__ import annotations

from surveys.modes import (
    CHANNEL_FILTER,
    CHANNEL_MODES,
    IMPORTED_MODES,
    AudienceChannel,
    Channel,
    ResponseMode,
    audience_channel,
    with_audience_channel,
)


def test_modes_are_the_strings_the_database_stores() -> None:
    assert [mode.value for mode in ResponseMode] == ["chat", "mail", "web", "line"]
    assert ResponseMode("mail") == "mail"


def test_only_mailed_and_web_responses_are_imported() -> None:
    assert set(IMPORTED_MODES) == {ResponseMode.MAIL, ResponseMode.WEB}


def test_channels_are_the_strings_contacts_store_and_name_their_response_mode() -> None:
    assert [channel.value for channel in Channel] == ["telegram", "line"]
    assert Channel.TELEGRAM.mode is ResponseMode.CHAT
    assert Channel.LINE.mode is ResponseMode.LINE
    assert set(CHANNEL_MODES) == set(Channel)


def test_an_audience_reaches_one_channel_or_both() -> None:
    assert [choice.value for choice in AudienceChannel] == ["telegram", "line", "both"]
    assert [choice.channel for choice in AudienceChannel] == [Channel.TELEGRAM, Channel.LINE, None]


def test_the_audience_channel_is_read_from_the_channel_filter() -> None:
    assert audience_channel({}) is AudienceChannel.BOTH
    assert audience_channel({"age_band": ["30s"]}) is AudienceChannel.BOTH
    assert audience_channel({CHANNEL_FILTER: ["line"]}) is AudienceChannel.LINE
    assert audience_channel({CHANNEL_FILTER: ["line", "telegram"]}) is AudienceChannel.BOTH


def test_choosing_a_channel_keeps_the_profile_filters_and_both_drops_the_channel_filter() -> None:
    audience = {"age_band": ["30s"], CHANNEL_FILTER: ["line"]}
    telegram = with_audience_channel(audience, AudienceChannel.TELEGRAM)
    assert telegram == {"age_band": ["30s"], "channel": ["telegram"]}
    assert type(telegram["channel"][0]) is str  # stored as before, plain JSON text
    assert with_audience_channel(audience, AudienceChannel.BOTH) == {"age_band": ["30s"]}
    assert audience == {"age_band": ["30s"], "channel": ["line"]}  # not changed in place
    for choice in AudienceChannel:
        assert audience_channel(with_audience_channel(audience, choice)) is choice
