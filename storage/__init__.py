"""Persistence: SQLAlchemy 2 models, async engine, repositories, Alembic migrations."""
