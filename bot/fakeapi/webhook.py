"""The fake Bot API's webhook side: setWebhook, getWebhookInfo, deleteWebhook, and posting
updates to the bot as Telegram does (with the secret-token header), through an optional
round-robin "proxy" in front of several instances."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram retries a failed delivery; so do we, briefly.
ATTEMPTS = 3
RETRY_AFTER = 0.2


@dataclass
class Webhook:
    """What setWebhook registered, and how deliveries went."""

    url: str = ""
    secret: str | None = None
    allowed_updates: list[str] | None = None
    #: Proxy targets: pushed updates go to these in turn instead of ``url``.
    route: list[str] = field(default_factory=list)
    #: HTTP status of every delivery attempt (0: could not connect), oldest first.
    statuses: list[int] = field(default_factory=list)
    last_error: str | None = None
    in_flight: int = 0
    turn: itertools.count[int] = field(default_factory=itertools.count)


class WebhookMethods:
    """Mixed into FakeBotApi: Bot API webhook methods and the test-side delivery helpers."""

    webhook: Webhook
    _delivered: int
    _last_update_id: int

    async def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook.url = str(p.get("url") or "")
        self.webhook.secret = p.get("secret_token") or None
        self.webhook.allowed_updates = p.get("allowed_updates")
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook.url, self.webhook.secret = "", None
        return True

    def webhook_state(self) -> dict[str, Any]:
        """The registered webhook's part of getWebhookInfo."""
        info: dict[str, Any] = {"url": self.webhook.url, "max_connections": 40}
        if self.webhook.allowed_updates is not None:
            info["allowed_updates"] = self.webhook.allowed_updates
        if self.webhook.last_error:
            info["last_error_message"] = self.webhook.last_error
        return info

    def route_webhook(self, *urls: str) -> None:
        """Put a proxy in front of several instances: pushed updates go to ``urls`` in turn."""
        self.webhook.route = list(urls)

    async def post_update(
        self, update: dict[str, Any], url: str | None = None, secret: str | None = None
    ) -> int:
        """POST one update to ``url`` (default: the registered webhook) with ``secret`` in the
        header (default: the registered one; "" sends no header). Returns the HTTP status."""
        secret = self.webhook.secret if secret is None else secret
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(url or self.webhook.url, json=update, headers=headers) as resp,
            ):
                return resp.status
        except aiohttp.ClientError:
            return 0

    def _deliver_by_webhook(self, update: dict[str, Any]) -> None:
        """Post a pushed update to the bot, retrying a failure like Telegram (briefly)."""
        hook = self.webhook
        target = hook.route[next(hook.turn) % len(hook.route)] if hook.route else hook.url
        hook.in_flight += 1

        async def _go() -> None:
            try:
                for _ in range(ATTEMPTS):
                    status = await self.post_update(update, target)
                    hook.statuses.append(status)
                    if 200 <= status < 300:
                        return
                    hook.last_error = f"Wrong response from the webhook: {status}"
                    await asyncio.sleep(RETRY_AFTER)
            finally:
                hook.in_flight -= 1
                if hook.in_flight == 0:
                    self._delivered = self._last_update_id

        task = asyncio.get_running_loop().create_task(_go())
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Task[None]] = set()
