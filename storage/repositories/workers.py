"""Workers and their invites."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.models import Invite, Participant, PendingAddendum, Worker
from storage.records import InviteRecord, WorkerRecord
from storage.repositories.base import Repository, audit, utcnow
from storage.repositories.reminders import cancel_pending

INVITE_LIFETIME = timedelta(hours=72)
ROLES = ("worker", "supervisor", "admin")
#: The roles a worker holds; "admin" above only names an invite for a worker who manages.
READING_ROLES = ("worker", "supervisor")
LOCK_SCREEN = ("private", "initials")


class Unset:
    """Marks a keyword argument that was not given (where None is a meaningful value)."""


UNSET = Unset()


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class InviteRejected(Exception):
    """An invite code is unknown, used or expired (deliberately not saying which)."""


class WorkerRepository(Repository):
    """Who may use the bot, and their personal settings."""

    def _record(self, row: Worker) -> WorkerRecord:
        name = self.open_text(
            row.display_name_enc, "workers", "display_name_enc", row.telegram_user_id, owner=None
        )
        return WorkerRecord(
            id=row.id,
            telegram_user_id=row.telegram_user_id,
            display_name=name or "",
            role=row.role,
            team=row.team,
            timezone=row.timezone,
            date_order=row.date_order,
            tidy_chat=row.tidy_chat,
            active=row.active,
            morning_minutes=row.morning_minutes,
            session_day_before=row.session_day_before,
            session_hour_before=row.session_hour_before,
            digest_minutes=row.digest_minutes,
            lock_screen=row.lock_screen,
            blocked_at=row.blocked_at,
            template_id=row.template_id,
            card_minutes=row.card_minutes,
            is_admin=row.is_admin,
        )

    async def create_invite(
        self,
        role: str = "worker",
        team: str | None = None,
        now: datetime | None = None,
        *,
        by: int | None = None,
        actor: str | None = None,
    ) -> InviteRecord:
        """Store a one-time invite; only its hash is kept, the code is shown once. ``by`` (an
        admin's worker id) or ``actor`` (the CLI's operator) is audited as its maker."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        now = now or utcnow()
        code = secrets.token_urlsafe(18)
        expires = now + INVITE_LIFETIME
        async with self.sessions.begin() as s:
            s.add(
                Invite(
                    code_hash=_hash_code(code),
                    role=role,
                    team=team,
                    created_at=now,
                    expires_at=expires,
                )
            )
            await audit(s, self.ring, "invite.created", by, actor=actor)
        return InviteRecord(code=code, role=role, team=team, expires_at=expires)

    async def redeem_invite(
        self,
        code: str,
        telegram_user_id: int,
        display_name: str,
        timezone: str,
        now: datetime | None = None,
    ) -> WorkerRecord:
        """Register (or re-activate) the sender with a valid, unused, unexpired code.

        The invite is spent by one conditional UPDATE at the end, so of two racing
        redemptions exactly one wins and the other's worker changes are rolled back (on
        SQLite ``FOR UPDATE`` is ignored, so a read-then-write check would let both through).
        """
        now = now or utcnow()
        code_hash = _hash_code(code)
        try:
            async with self.sessions.begin() as s:
                found = (
                    await s.execute(
                        select(Invite.role, Invite.team).where(
                            Invite.code_hash == code_hash,
                            Invite.used_at.is_(None),
                            Invite.expires_at > now,
                        )
                    )
                ).one_or_none()
                if found is None:
                    raise InviteRejected()
                # An "admin" invite grants the right to manage, beside a worker's reading.
                role, is_admin = ("worker", True) if found.role == "admin" else (found.role, False)
                row = await s.scalar(
                    select(Worker).where(Worker.telegram_user_id == telegram_user_id)
                )
                sealed = self.seal_text(
                    display_name, "workers", "display_name_enc", telegram_user_id, owner=None
                )
                if row is None:
                    row = Worker(
                        telegram_user_id=telegram_user_id,
                        display_name_enc=sealed,
                        role=role,
                        is_admin=is_admin,
                        team=found.team,
                        timezone=timezone,
                        date_order="DMY",
                        tidy_chat=True,
                        active=True,
                        created_at=now,
                    )
                    s.add(row)
                else:
                    row.display_name_enc = sealed
                    row.role, row.team, row.active = role, found.team, True
                    row.is_admin = is_admin
                await s.flush()
                spent = await s.scalar(
                    update(Invite)
                    .where(
                        Invite.code_hash == code_hash,
                        Invite.used_at.is_(None),
                        Invite.expires_at > now,
                    )
                    .values(used_at=now, used_by=row.id)
                    .returning(Invite.id)
                    .execution_options(synchronize_session=False)
                )
                if spent is None:
                    raise InviteRejected()
                await audit(s, self.ring, "worker.registered", row.id)
                return self._record(row)
        except IntegrityError:
            # The same person redeeming twice at once: the loser's new worker row collides.
            raise InviteRejected() from None

    async def by_telegram_id(self, telegram_user_id: int) -> WorkerRecord | None:
        """Return the active worker with this Telegram id, or None for anyone else.

        Also says, in the same query, since when they are writing an addendum (if they are),
        so a typed message is routed without a second round trip."""
        async with self.sessions() as s:
            found = (
                await s.execute(
                    select(Worker, PendingAddendum.created_at)
                    .outerjoin(PendingAddendum, PendingAddendum.worker_id == Worker.id)
                    .where(Worker.telegram_user_id == telegram_user_id, Worker.active.is_(True))
                )
            ).first()
            if found is None:
                return None
            return replace(self._record(found[0]), addendum_since=found[1])

    async def back(self, worker_id: int) -> bool:
        """The worker wrote to the bot after blocking it: their reminders go out again."""
        async with self.sessions.begin() as s:
            done = await s.execute(
                update(Worker)
                .where(Worker.id == worker_id, Worker.blocked_at.is_not(None))
                .values(blocked_at=None)
                .returning(Worker.id)
                .execution_options(synchronize_session=False)
            )
            return done.first() is not None

    async def get(self, worker_id: int) -> WorkerRecord | None:
        """Return a worker by id, active or not."""
        async with self.sessions() as s:
            row = await s.get(Worker, worker_id)
            return self._record(row) if row else None

    async def get_many(self, worker_ids: Iterable[int]) -> dict[int, WorkerRecord]:
        """Return workers by id, active or not (for a batch of reminders)."""
        ids = list(set(worker_ids))
        if not ids:
            return {}
        async with self.sessions() as s:
            rows = (await s.scalars(select(Worker).where(Worker.id.in_(ids)))).all()
            return {r.id: self._record(r) for r in rows}

    async def in_team(self, team: str) -> list[WorkerRecord]:
        """Every worker of a team, active or not, oldest first (a removed worker's
        caseload stays in the team for its supervisors)."""
        async with self.sessions() as s:
            rows = await s.scalars(select(Worker).where(Worker.team == team).order_by(Worker.id))
            return [self._record(r) for r in rows]

    async def list(self) -> list[WorkerRecord]:
        """Return every worker, oldest first."""
        async with self.sessions() as s:
            rows = (await s.scalars(select(Worker).order_by(Worker.id))).all()
            return [self._record(r) for r in rows]

    async def deactivate(
        self, worker_id: int, *, by: int | None = None, actor: str | None = None
    ) -> bool:
        """End a worker's access at once; their notes stay. Returns False if unknown.

        ``by`` (an admin's worker id) or ``actor`` (e.g. "cli:alice") says who removed them."""
        async with self.sessions.begin() as s:
            row = await s.get(Worker, worker_id)
            if row is None:
                return False
            row.active = False
            await cancel_pending(s, worker_id)
            if by is None and actor is None:
                await audit(s, self.ring, "worker.removed", worker_id)
            else:
                await audit(s, self.ring, "worker.removed", by, str(worker_id), actor=actor)
            return True

    async def set_team(
        self, worker_id: int, team: str | None, *, by: int | None = None, actor: str | None = None
    ) -> WorkerRecord | None:
        """Move a worker to another team (None: no team); their participants move with them,
        so the new team's supervisors read that caseload and the old team's no longer do."""
        async with self.sessions.begin() as s:
            row = await s.get(Worker, worker_id)
            if row is None:
                return None
            row.team = team
            await s.execute(
                update(Participant)
                .where(Participant.worker_id == worker_id)
                .values(team=team)
                .execution_options(synchronize_session=False)
            )
            await audit(s, self.ring, "worker.team_changed", by, str(worker_id), actor=actor)
            return self._record(row)

    async def set_role(
        self, worker_id: int, role: str, *, by: int | None = None, actor: str | None = None
    ) -> WorkerRecord | None:
        """Make a worker a "worker" or a "supervisor" (admin is a right beside the role)."""
        if role not in READING_ROLES:
            raise ValueError(f"role must be one of {', '.join(READING_ROLES)}")
        async with self.sessions.begin() as s:
            row = await s.get(Worker, worker_id)
            if row is None:
                return None
            row.role = role
            await audit(s, self.ring, "worker.role_changed", by, str(worker_id), actor=actor)
            return self._record(row)

    async def set_admin(
        self, worker_id: int, on: bool, *, by: int | None = None, actor: str | None = None
    ) -> WorkerRecord | None:
        """Grant or take away the right to manage workers and teams (it grants no reading)."""
        async with self.sessions.begin() as s:
            row = await s.get(Worker, worker_id)
            if row is None:
                return None
            row.is_admin = on
            await audit(s, self.ring, "worker.admin_changed", by, str(worker_id), actor=actor)
            return self._record(row)

    async def update_settings(
        self,
        worker_id: int,
        *,
        timezone: str | None = None,
        date_order: str | None = None,
        tidy_chat: bool | None = None,
        morning_minutes: int | None = None,
        session_day_before: bool | None = None,
        session_hour_before: bool | None = None,
        digest_minutes: int | Unset | None = UNSET,
        lock_screen: str | None = None,
        template_id: str | Unset | None = UNSET,
        card_minutes: int | None = None,
    ) -> WorkerRecord:
        """Change a worker's own preferences (``digest_minutes=None`` turns the digest off).

        Changing any setting also means the worker can be reached again."""
        async with self.sessions.begin() as s:
            row = await s.get(Worker, worker_id)
            if row is None:
                raise LookupError("no such worker")
            if timezone is not None:
                row.timezone = timezone
            if date_order is not None:
                row.date_order = date_order
            if tidy_chat is not None:
                row.tidy_chat = tidy_chat
            if morning_minutes is not None:
                row.morning_minutes = morning_minutes
            if session_day_before is not None:
                row.session_day_before = session_day_before
            if session_hour_before is not None:
                row.session_hour_before = session_hour_before
            if not isinstance(digest_minutes, Unset):
                row.digest_minutes = digest_minutes
            if lock_screen is not None:
                if lock_screen not in LOCK_SCREEN:
                    raise ValueError(f"lock_screen must be one of {', '.join(LOCK_SCREEN)}")
                row.lock_screen = lock_screen
            if not isinstance(template_id, Unset):
                row.template_id = template_id
            if card_minutes is not None:
                row.card_minutes = card_minutes
            row.blocked_at = None
            return self._record(row)
