"""/settings and /timezone: a worker's own preferences."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.service import reminders, templates
from bot.service.deps import Turn
from bot.service.replies import EXPIRED
from bot.telegram.access import workers_only
from bot.telegram.deliver import send_html
from bot.telegram.html import esc
from storage.records import WorkerRecord

COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def zone_named(typed: str) -> str:
    """The IANA zone a worker meant, whatever the case ('europe/dublin' -> 'Europe/Dublin')."""
    wanted = typed.strip().casefold()
    return next((z for z in available_timezones() if z.casefold() == wanted), typed.strip())


def _keyboard(pairs: list[tuple[str, str]], width: int) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _on(value: bool) -> str:
    return "on" if value else "off"


def _summary(worker: WorkerRecord, template: str) -> tuple[str, InlineKeyboardMarkup]:
    order = "day/month (21/11)" if worker.date_order == "DMY" else "month/day (11/21)"
    digest = _hhmm(worker.digest_minutes) if worker.digest_minutes is not None else "off"
    shown = "initials" if worker.lock_screen == "initials" else "no names"
    cards = f"{worker.card_minutes} min" if worker.tidy_chat else "Close (tidy-up is off)"
    text = (
        "<b>Your settings</b>\n"
        f"Timezone: {esc(worker.timezone)}\n"
        f"Dates: {order}\n"
        f"Note template: {esc(template)}\n"
        f"Chat tidy-up after saving: {_on(worker.tidy_chat)}\n"
        f"Cards you ask for (last session, notes, history) go after: {cards}\n"
        f"Follow-up reminders at: {_hhmm(worker.morning_minutes)}\n"
        f"Session reminders: day before {_on(worker.session_day_before)}, "
        f"hour before {_on(worker.session_hour_before)}\n"
        f"Daily digest: {digest}\n"
        f"Reminders on the lock screen: {shown}\n\n"
        "<i>For another timezone send /timezone Area/City.</i>"
    )
    keyboard = _keyboard(
        [
            ("Switch date order", "s|order"),
            ("Note template", "s|tpl"),
            (f"Turn tidy-up {'off' if worker.tidy_chat else 'on'}", "s|tidy"),
            (f"Cards go after {_next_card_minutes(worker.card_minutes)} min", "s|card"),
            ("Change timezone", "s|tz"),
            ("Reminder time", "s|am"),
            (f"Day-before reminders {_on(not worker.session_day_before)}", "s|eve"),
            (f"Hour-before reminders {_on(not worker.session_hour_before)}", "s|soon"),
            ("Daily digest", "s|dg"),
            (
                "Lock screen: show initials"
                if worker.lock_screen != "initials"
                else "Lock screen: no names",
                "s|ls",
            ),
        ],
        width=1,
    )
    return text, keyboard


MORNINGS = tuple(range(6 * 60, 11 * 60, 30))
DIGESTS = (7 * 60, 8 * 60, 9 * 60, 12 * 60, 17 * 60, 20 * 60)
#: The template button for "the organisation default" (never a template id: ids are a-z0-9_).
DEFAULT = "-"


#: How long a card shown on request stays before tidy-up takes it (minutes).
CARD_MINUTES = (5, 10, 30, 60)


def _next_card_minutes(current: int) -> int:
    """The next choice after ``current``, round and round."""
    later = [m for m in CARD_MINUTES if m > current]
    return later[0] if later else CARD_MINUTES[0]


def _minutes(text: str) -> int | None:
    return int(text) if text.isdigit() else None


async def _pick_time(query: CallbackQuery, which: str) -> None:
    """Offer the times to choose from (s|am|<minutes>, s|dg|<minutes> or s|dg|off)."""
    times = MORNINGS if which == "am" else DIGESTS
    pairs = [(_hhmm(m), f"s|{which}|{m}") for m in times]
    if which == "dg":
        pairs.append(("Off", "s|dg|off"))
        prompt = "When should the daily digest (/today) arrive?"
    else:
        prompt = "At what time should follow-up and day-before reminders arrive?"
    await _ask(query, prompt, _keyboard(pairs, 4))


async def _pick_template(query: CallbackQuery, turn: Turn) -> None:
    """Offer the templates (s|tpl|<id>, or s|tpl|- for the organisation default)."""
    pairs = [
        (f"✓ {o.label}" if o.chosen else o.label, f"s|tpl|{o.template_id or DEFAULT}")
        for o in templates.options(turn.deps, turn.worker)
    ]
    prompt = "Which template should your new notes use? A note already begun keeps its own."
    await _ask(query, prompt, _keyboard(pairs, 1))


async def _ask(query: CallbackQuery, prompt: str, keyboard: InlineKeyboardMarkup) -> None:
    """Put a question with its buttons in place of the settings summary."""
    with contextlib.suppress(TelegramError):
        await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(prompt, reply_markup=keyboard)


@workers_only
async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Show the worker's settings with buttons to change them."""
    text, keyboard = _summary(turn.worker, templates.describe(turn.deps, turn.worker))
    await send_html(context.bot, turn.chat_id, [text], keyboard)


@workers_only
async def timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/timezone Area/City."""
    name = zone_named((context.args or [""])[0])
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        await send_html(
            context.bot, turn.chat_id, ["Please send a timezone like /timezone Europe/London."]
        )
        return
    after = await turn.storage.workers.update_settings(turn.worker.id, timezone=name)
    await reminders.settings_changed(turn.deps, turn.worker, after)
    await send_html(context.bot, turn.chat_id, [f"Timezone set to {esc(name)}."])


@workers_only
async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Buttons s|order, s|tidy, s|tz, s|tz|<zone>, s|tpl, s|tpl|<id>, and the times."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split("|")
    repo, worker = turn.storage.workers, turn.worker
    if parts[1:] == ["order"]:
        worker = await repo.update_settings(
            worker.id, date_order="MDY" if worker.date_order == "DMY" else "DMY"
        )
    elif parts[1:] == ["tidy"]:
        worker = await repo.update_settings(worker.id, tidy_chat=not worker.tidy_chat)
    elif parts[1:] == ["card"]:
        worker = await repo.update_settings(
            worker.id, card_minutes=_next_card_minutes(worker.card_minutes)
        )
    elif parts[1:] == ["tz"]:
        zones = _keyboard([(z, f"s|tz|{z}") for z in COMMON_ZONES], 2)
        await _ask(query, "Pick your timezone (or send /timezone Area/City):", zones)
        return
    elif len(parts) == 3 and parts[1] == "tz" and parts[2] in COMMON_ZONES:
        worker = await repo.update_settings(worker.id, timezone=parts[2])
    elif parts[1:] == ["tpl"]:
        await _pick_template(query, turn)
        return
    elif len(parts) == 3 and parts[1] == "tpl":
        picked = None if parts[2] == DEFAULT else parts[2]
        chosen = await templates.choose(turn.deps, worker, picked)
        if chosen is None:  # a template taken away since the list was shown, or forged
            with contextlib.suppress(TelegramError):
                await query.answer(EXPIRED)
            return
        worker = chosen
    elif parts[1:] in (["am"], ["dg"]):
        await _pick_time(query, parts[1])
        return
    elif len(parts) == 3 and parts[1] == "am" and _minutes(parts[2]) in MORNINGS:
        worker = await repo.update_settings(worker.id, morning_minutes=_minutes(parts[2]))
    elif (
        len(parts) == 3
        and parts[1] == "dg"
        and (parts[2] == "off" or _minutes(parts[2]) in DIGESTS)
    ):
        minutes = None if parts[2] == "off" else _minutes(parts[2])
        worker = await repo.update_settings(worker.id, digest_minutes=minutes)
    elif parts[1:] == ["eve"]:
        worker = await repo.update_settings(
            worker.id, session_day_before=not worker.session_day_before
        )
    elif parts[1:] == ["soon"]:
        worker = await repo.update_settings(
            worker.id, session_hour_before=not worker.session_hour_before
        )
    elif parts[1:] == ["ls"]:
        shown = "private" if worker.lock_screen == "initials" else "initials"
        worker = await repo.update_settings(worker.id, lock_screen=shown)
    else:
        with contextlib.suppress(TelegramError):
            await query.answer(EXPIRED)
        return
    await reminders.settings_changed(turn.deps, turn.worker, worker)
    text, keyboard = _summary(worker, templates.describe(turn.deps, worker))
    with contextlib.suppress(TelegramError):
        await query.answer("Saved.")
    with contextlib.suppress(TelegramError):  # a double tap: "message is not modified"
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
