"""Messages of cards shown on request (last session, full note, history), to tidy away."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from storage.models import CardMessage
from storage.records import CardBatch
from storage.repositories.base import Repository


class CardRepository(Repository):
    """Where a card's messages are, so Close or the tidy sweep can delete them."""

    async def remember(
        self,
        card_id: str,
        worker_id: int,
        chat_id: int,
        message_ids: list[int],
        delete_at: datetime | None,
    ) -> None:
        """Record a card's messages; ``delete_at`` None keeps them until Close."""
        async with self.sessions.begin() as s:
            s.add_all(
                CardMessage(
                    card_id=card_id,
                    worker_id=worker_id,
                    chat_id=chat_id,
                    message_id=m,
                    delete_at=delete_at,
                )
                for m in message_ids
            )

    async def of(self, card_id: str, worker_id: int) -> CardBatch | None:
        """The worker's card's messages (None if unknown or someone else's)."""
        async with self.sessions() as s:
            rows = (
                await s.scalars(
                    select(CardMessage).where(
                        CardMessage.card_id == card_id, CardMessage.worker_id == worker_id
                    )
                )
            ).all()
        if not rows:
            return None
        return CardBatch(card_id, worker_id, rows[0].chat_id, tuple(r.message_id for r in rows))

    async def of_message(self, worker_id: int, chat_id: int, message_id: int) -> CardBatch | None:
        """The worker's card that holds this message (None if it is not a recorded card)."""
        async with self.sessions() as s:
            card_id = await s.scalar(
                select(CardMessage.card_id).where(
                    CardMessage.worker_id == worker_id,
                    CardMessage.chat_id == chat_id,
                    CardMessage.message_id == message_id,
                )
            )
        return await self.of(card_id, worker_id) if card_id else None

    async def due(self, now: datetime, limit: int = 200) -> list[CardBatch]:
        """Up to ``limit`` cards whose time to be tidied away has come, each with all of its
        messages (the limit counts cards, so none is cut in two)."""
        cards = (
            select(CardMessage.card_id)
            .where(CardMessage.delete_at.is_not(None), CardMessage.delete_at <= now)
            .group_by(CardMessage.card_id)
            .order_by(func.min(CardMessage.delete_at))
            .limit(limit)
        )
        async with self.sessions() as s:
            rows = (
                await s.scalars(
                    select(CardMessage)
                    .where(CardMessage.card_id.in_(cards))
                    .order_by(CardMessage.delete_at, CardMessage.id)
                )
            ).all()
        batches: dict[str, CardBatch] = {}
        for r in rows:
            b = batches.get(r.card_id)
            ids = (*b.message_ids, r.message_id) if b else (r.message_id,)
            batches[r.card_id] = CardBatch(r.card_id, r.worker_id, r.chat_id, ids)
        return list(batches.values())

    async def forget(self, card_id: str) -> None:
        """Drop a card's rows once its messages are deleted (or can't be)."""
        async with self.sessions.begin() as s:
            await s.execute(delete(CardMessage).where(CardMessage.card_id == card_id))
