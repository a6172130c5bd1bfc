"""Text classification, statistics and reports over plain data (never a database session)."""
