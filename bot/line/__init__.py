"""The LINE adapter (line-bot-sdk v3): webhook, inbox, rendering, push for invitations."""
