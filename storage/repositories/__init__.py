"""Repositories: turn rows into small frozen records; they flush, the unit of work commits."""

from storage.repositories.aggregates import AggregateRepository
from storage.repositories.answers import AnswerRepository
from storage.repositories.comments import CommentRepository
from storage.repositories.contacts import ContactRepository
from storage.repositories.imports import ImportRepository
from storage.repositories.invitations import InvitationRepository
from storage.repositories.jobs import JobRepository
from storage.repositories.profiles import ProfileRepository
from storage.repositories.respondents import RespondentRepository
from storage.repositories.responses import ResponseRepository
from storage.repositories.retention import RetentionRepository
from storage.repositories.staff import StaffRepository
from storage.repositories.surveys import SurveyRepository
from storage.repositories.waves import WaveRepository

__all__ = [
    "AggregateRepository",
    "AnswerRepository",
    "CommentRepository",
    "ContactRepository",
    "ImportRepository",
    "InvitationRepository",
    "JobRepository",
    "ProfileRepository",
    "RespondentRepository",
    "ResponseRepository",
    "RetentionRepository",
    "StaffRepository",
    "SurveyRepository",
    "WaveRepository",
]
