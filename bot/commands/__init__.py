"""Click command groups of the `machikoe` CLI, one module per area."""
