"""The declarative base: naming convention, UTC timestamps, cascading foreign keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase

from storage.types import UTCDateTime as UTCDateTime  # the models' timestamps

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations have stable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def cascading_fk(target: str) -> ForeignKey:
    """A foreign key that is removed with the row it points to."""
    return ForeignKey(target, ondelete="CASCADE")


def one_of(column: str, vocabulary: type[StrEnum]) -> CheckConstraint:
    """A check that a column holds one of a vocabulary's values (named after the column)."""
    listed = ", ".join(f"'{value}'" for value in vocabulary)
    return CheckConstraint(f"{column} IN ({listed})", name=column)
