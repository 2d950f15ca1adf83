"""One repository per aggregate; each returns frozen dataclasses from storage.records."""

from storage.repositories.addenda import AddendumRepository
from storage.repositories.agenda import AgendaRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.cards import CardRepository
from storage.repositories.drafts import DraftConflict, DraftRepository
from storage.repositories.notes import NoteRepository
from storage.repositories.participants import ParticipantRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.workers import InviteRejected, WorkerRepository

__all__ = [
    "AddendumRepository",
    "AgendaRepository",
    "AuditRepository",
    "CardRepository",
    "DraftConflict",
    "DraftRepository",
    "InviteRejected",
    "NoteRepository",
    "ParticipantRepository",
    "ReminderRepository",
    "WorkerRepository",
]
