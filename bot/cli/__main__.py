"""`python -m bot.cli`: the `machikoe` command."""

from bot.cli import main

main()
