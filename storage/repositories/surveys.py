"""Survey definitions: every loaded version kept verbatim, so waves keep theirs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.errors import StorageError
from storage.models import SurveyDefinition
from storage.records import SurveyDefinitionRecord
from storage.repositories._base import Repository


def _record(row: SurveyDefinition) -> SurveyDefinitionRecord:
    """ORM row to record."""
    return SurveyDefinitionRecord(
        id=row.id,
        survey_id=row.survey_id,
        version=row.version,
        fingerprint=row.fingerprint,
        source=row.source,
        title=row.title,
        loaded_at=row.loaded_at,
    )


class SurveyRepository(Repository):
    """Versioned survey definitions."""

    async def add_version(
        self,
        survey_id: str,
        version: str | int,
        fingerprint: str,
        source: str,
        title: str,
        at: datetime,
    ) -> SurveyDefinitionRecord:
        """Store a definition version; loading the same file again is a no-op."""
        version = str(version)
        stmt = (
            self.insert_on_conflict(SurveyDefinition)
            .values(
                survey_id=survey_id,
                version=version,
                fingerprint=fingerprint,
                source=source,
                title=title,
                loaded_at=at,
            )
            .on_conflict_do_nothing(index_elements=["survey_id", "version"])
        )
        await self.session.execute(stmt)
        stored = await self.get(survey_id, version)
        assert stored is not None
        if stored.fingerprint != fingerprint:
            raise StorageError(
                f"survey {survey_id!r} version {version} is already loaded with different "
                "content; give the changed file a new version"
            )
        return stored

    async def get(
        self, survey_id: str, version: str | int | None = None
    ) -> SurveyDefinitionRecord | None:
        """A given version of a survey, or its latest loaded version."""
        stmt = select(SurveyDefinition).where(SurveyDefinition.survey_id == survey_id)
        if version is None:
            stmt = stmt.order_by(SurveyDefinition.id.desc()).limit(1)
        else:
            stmt = stmt.where(SurveyDefinition.version == str(version))
        row = await self.session.scalar(stmt)
        return _record(row) if row else None

    async def get_by_id(self, definition_id: int) -> SurveyDefinitionRecord | None:
        """A definition by its row id (the version a wave froze)."""
        row = await self.session.get(SurveyDefinition, definition_id)
        return _record(row) if row else None

    async def list_latest(self) -> list[SurveyDefinitionRecord]:
        """The latest loaded version of each survey, by survey id."""
        latest = select(func.max(SurveyDefinition.id)).group_by(SurveyDefinition.survey_id)
        rows = await self.session.scalars(
            select(SurveyDefinition)
            .where(SurveyDefinition.id.in_(latest))
            .order_by(SurveyDefinition.survey_id)
        )
        return [_record(row) for row in rows]

    async def versions(self, survey_id: str) -> list[SurveyDefinitionRecord]:
        """Every loaded version of a survey, oldest first."""
        rows = await self.session.scalars(
            select(SurveyDefinition)
            .where(SurveyDefinition.survey_id == survey_id)
            .order_by(SurveyDefinition.id)
        )
        return [_record(row) for row in rows]
