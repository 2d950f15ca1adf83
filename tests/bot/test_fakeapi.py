"""The fake Bot API answers like Telegram, over real HTTP (raw aiohttp and PTB's own Bot)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import FakeBotApi
from bot.telegram.html import esc
from tests.bot.harness import Person, matches

TOKEN = "123:TEST"
USER = {"id": 7, "is_bot": False, "first_name": "Sam"}
CHAT = 7
OTHER = 8
KEYBOARD = {
    "keyboard": [[{"text": "45 min"}, {"text": "1 hour"}], [{"text": "⏭ Skip"}]],
    "resize_keyboard": True,
    "one_time_keyboard": True,
    "input_field_placeholder": "How long?",
}
INLINE = {"inline_keyboard": [[{"text": "Resume", "callback_data": "r"}]]}
PARSE_ERROR = "Bad Request: can't parse entities: "


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as b:
        yield b


async def call(
    http: aiohttp.ClientSession, api: FakeBotApi, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST one Bot API method as JSON; return the status and the decoded body."""
    async with http.post(f"{api.base_url}{TOKEN}/{method}", json=params) as response:
        return response.status, await response.json()


async def send(
    http: aiohttp.ClientSession, api: FakeBotApi, text: str, chat_id: int = CHAT, **params: Any
) -> tuple[int, dict[str, Any]]:
    return await call(http, api, "sendMessage", chat_id=chat_id, text=text, **params)


# ---- a. confirmed updates are forgotten ---------------------------------------------------


async def test_an_offset_confirms_earlier_updates_for_good(api: FakeBotApi, http) -> None:
    api.user_message(USER, CHAT, "one")
    api.user_message(USER, CHAT, "two")
    _, body = await call(http, api, "getUpdates", offset=0)
    ids = [u["update_id"] for u in body["result"]]
    assert [u["message"]["text"] for u in body["result"]] == ["one", "two"]
    assert api.delivered_all()

    _, again = await call(http, api, "getUpdates")  # not confirmed yet: Telegram resends
    assert [u["update_id"] for u in again["result"]] == ids

    _, confirmed = await call(http, api, "getUpdates", offset=ids[-1] + 1)
    assert confirmed["result"] == []
    api.user_message(USER, CHAT, "three")
    _, restarted = await call(http, api, "getUpdates", offset=0)  # a new poller after a restart
    assert [u["message"]["text"] for u in restarted["result"]] == ["three"]


async def test_delivered_all_waits_for_the_newest_update(api: FakeBotApi, http) -> None:
    assert api.delivered_all()
    api.user_message(USER, CHAT, "hi")
    assert not api.delivered_all()
    await call(http, api, "getUpdates", offset=0)
    assert api.delivered_all()


# ---- b. HTML is checked like Telegram -----------------------------------------------------


async def test_html_is_stored_raw_and_returned_parsed(api: FakeBotApi, http) -> None:
    text = '<b>Bold</b> &amp; <i>it</i> <a href="https://x.org/?a=1&amp;b=2">link</a> &lt;3'
    status, body = await send(http, api, text, parse_mode="HTML")
    assert status == 200
    result = body["result"]
    assert result["text"] == "Bold & it link <3"
    assert [e["type"] for e in result["entities"]] == ["bold", "italic", "text_link"]
    assert result["entities"][2]["url"] == "https://x.org/?a=1&b=2"
    sent = api.visible(CHAT)[-1]
    assert sent.text == text
    assert sent.plain == "Bold & it link <3"


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("close</b>", "Unexpected end tag at byte offset 5"),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("é<b", "Unclosed start tag at byte offset 2"),
        ("a > b", 'unescaped ">" at byte offset 2 (use &gt;)'),
        ("fish & chips", 'unescaped "&" or unsupported entity at byte offset 5'),
        ("&nbsp;", 'unescaped "&" or unsupported entity at byte offset 0'),
        ("&amp", 'unescaped "&" or unsupported entity at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(
    api: FakeBotApi, http, text: str, description: str
) -> None:
    status, body = await send(http, api, text, parse_mode="HTML")
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith(PARSE_ERROR + description)
    assert api.visible(CHAT) == []


@pytest.mark.parametrize(
    "text",
    [
        "<strong>s</strong><em>e</em><ins>i</ins><s>s</s><strike>k</strike><del>d</del><u>u</u>",
        '<tg-spoiler>x</tg-spoiler> <span class="tg-spoiler">y</span>',
        '<pre><code class="language-python">x = 1</code></pre> <code>y</code>',
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &#128512; &#x41; &quot;',
        "<B>upper case tags</B> plain",
    ],
)
async def test_every_telegram_tag_is_accepted(api: FakeBotApi, http, text: str) -> None:
    status, body = await send(http, api, text, parse_mode="HTML")
    assert status == 200, body


async def test_without_parse_mode_text_is_taken_literally(api: FakeBotApi, http) -> None:
    status, body = await send(http, api, "a < b & <b>c")
    assert status == 200 and body["result"]["text"] == "a < b & <b>c"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("&amp;" * 4096, True),  # 20480 characters sent, 4096 visible
        ("<b>" + "x" * 4096 + "</b>", True),
        ("x" * 4097, False),
        ("😀" * 2048, True),  # 4096 UTF-16 code units
        ("😀" * 2048 + "x", False),
    ],
)
async def test_length_is_measured_after_parsing_in_utf16(
    api: FakeBotApi, http, text: str, ok: bool
) -> None:
    status, body = await send(http, api, text, parse_mode="HTML")
    if ok:
        assert status == 200
    else:
        assert (status, body["description"]) == (400, "Bad Request: message is too long")


@pytest.mark.parametrize("text", ["", "<b> </b>", "\n\n"])
async def test_empty_text_is_rejected(api: FakeBotApi, http, text: str) -> None:
    status, body = await send(http, api, text, parse_mode="HTML")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_captions_are_checked_too(api: FakeBotApi, http) -> None:
    status, body = await call(
        http, api, "sendDocument", chat_id=CHAT, document="x", caption="<b>x", parse_mode="HTML"
    )
    assert status == 400 and body["description"].startswith(PARSE_ERROR)
    status, body = await call(http, api, "sendDocument", chat_id=CHAT, caption="x" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    status, body = await call(
        http, api, "sendPhoto", chat_id=CHAT, caption="<i>ok</i>", parse_mode="HTML"
    )
    assert status == 200 and body["result"]["caption"] == "ok"
    assert api.visible(CHAT)[-1].kind == "photo"


async def test_edits_are_checked(api: FakeBotApi, http) -> None:
    _, body = await send(http, api, "first")
    mid = body["result"]["message_id"]
    status, body = await call(
        http, api, "editMessageText", chat_id=CHAT, message_id=mid, text="x &", parse_mode="HTML"
    )
    assert status == 400 and body["description"].startswith(PARSE_ERROR)
    assert api.visible(CHAT)[-1].text == "first"


# ---- c. reply keyboards stick to the chat -------------------------------------------------


async def test_a_reply_keyboard_stays_until_removed(api: FakeBotApi, http) -> None:
    assert api.reply_keyboard(CHAT) == []
    status, body = await send(http, api, "How long was the session?", reply_markup=KEYBOARD)
    assert status == 200 and "reply_markup" not in body["result"]  # only inline ones come back
    assert api.reply_keyboard(CHAT) == ["45 min", "1 hour", "⏭ Skip"]
    current = api.current_keyboard(CHAT)
    assert current is not None
    assert current.rows == [["45 min", "1 hour"], ["⏭ Skip"]]
    assert current.placeholder == "How long?" and current.one_time and current.resize
    question = api.visible(CHAT)[-1]
    assert question.keyboard == ["45 min", "1 hour", "⏭ Skip"] and question.buttons == []

    await send(http, api, "No markup")
    await send(http, api, "Inline", reply_markup=INLINE)
    assert api.reply_keyboard(CHAT) == ["45 min", "1 hour", "⏭ Skip"]
    assert api.visible(CHAT)[-1].buttons == [("Resume", "r")]
    assert api.visible(CHAT)[-1].keyboard == []
    assert api.reply_keyboard(OTHER) == []

    await send(http, api, "Saved.", reply_markup={"remove_keyboard": True})
    assert api.reply_keyboard(CHAT) == [] and api.current_keyboard(CHAT) is None


async def test_ptb_sends_a_reply_keyboard(api: FakeBotApi, bot: Bot) -> None:
    markup = ReplyKeyboardMarkup(
        [["Today", "Yesterday"], ["✖ Cancel"]],
        one_time_keyboard=True,
        resize_keyboard=True,
        input_field_placeholder="When?",
    )
    sent = await bot.send_message(CHAT, "<b>When</b> was it?", "HTML", reply_markup=markup)
    assert sent.text == "When was it?" and sent.text_html == "<b>When</b> was it?"
    assert api.reply_keyboard(CHAT) == ["Today", "Yesterday", "✖ Cancel"]
    current = api.current_keyboard(CHAT)
    assert current is not None and current.placeholder == "When?"


async def test_an_edit_cannot_carry_a_reply_keyboard(api: FakeBotApi, http) -> None:
    _, body = await send(http, api, "x")
    status, body = await call(
        http,
        api,
        "editMessageText",
        chat_id=CHAT,
        message_id=body["result"]["message_id"],
        text="y",
        reply_markup=KEYBOARD,
    )
    assert (status, body["description"]) == (400, "Bad Request: inline keyboard expected")


# ---- d. Telegram's errors -----------------------------------------------------------------

NOT_MODIFIED = "Bad Request: message is not modified: specified new message content and reply"


async def test_an_edit_that_changes_nothing_is_rejected(api: FakeBotApi, http) -> None:
    _, body = await send(http, api, "<b>Q</b>", parse_mode="HTML", reply_markup=INLINE)
    mid = body["result"]["message_id"]
    edit = {"chat_id": CHAT, "message_id": mid, "parse_mode": "HTML"}

    status, body = await call(
        http, api, "editMessageText", text="<strong>Q</strong>", reply_markup=INLINE, **edit
    )
    assert status == 400 and body["description"].startswith(NOT_MODIFIED)
    status, body = await call(http, api, "editMessageText", text="<b>Q</b>", **edit)
    assert status == 200  # dropping the keyboard is a change
    assert api.find(CHAT, mid).buttons == []  # type: ignore[union-attr]

    status, body = await call(
        http, api, "editMessageReplyMarkup", chat_id=CHAT, message_id=mid, reply_markup=INLINE
    )
    assert status == 200
    status, body = await call(
        http, api, "editMessageReplyMarkup", chat_id=CHAT, message_id=mid, reply_markup=INLINE
    )
    assert status == 400 and body["description"].startswith(NOT_MODIFIED)


async def test_a_callback_query_is_answered_once(api: FakeBotApi, http, bot: Bot) -> None:
    _, body = await send(http, api, "Resume?", reply_markup=INLINE)
    api.user_taps(USER, CHAT, body["result"]["message_id"], "r")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    assert query.message.text == "Resume?"
    assert await query.answer("Resumed")
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()
    status, body = await call(http, api, "answerCallbackQuery", callback_query_id="nope")
    assert (status, body["description"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_a_blocked_user_gives_forbidden(api: FakeBotApi, http, bot: Bot) -> None:
    api.block(CHAT)
    status, body = await send(http, api, "Reminder")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await bot.send_document(CHAT, b"data", filename="n.txt")
    await bot.send_message(OTHER, "still fine")
    api.unblock(CHAT)
    await bot.send_message(CHAT, "back")
    assert [m.text for m in api.visible(CHAT)] == ["back"]


async def test_deleting_a_missing_message(api: FakeBotApi, http) -> None:
    _, body = await send(http, api, "x")
    mid = body["result"]["message_id"]
    status, body = await call(http, api, "deleteMessages", chat_id=CHAT, message_ids=[mid, 1, 2])
    assert status == 200 and body["result"] is True
    assert api.visible(CHAT) == []
    status, body = await call(http, api, "deleteMessage", chat_id=CHAT, message_id=mid)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


# ---- e. faults, per method and per chat ---------------------------------------------------


async def test_a_fault_for_one_chat_leaves_others_alone(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 429, times=2, retry_after=3, chat_id=CHAT)
    await bot.send_message(OTHER, "unaffected")
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "limited")
        assert caught.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]
    await bot.send_message(CHAT, "through")
    assert [m.text for m in api.visible(CHAT)] == ["through"]


async def test_a_global_fault_applies_to_every_chat(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 500)
    with pytest.raises(Exception, match="Internal Server Error"):
        await bot.send_message(OTHER, "x")
    await bot.send_message(CHAT, "fine")
    api.fail("sendMessage", 400, chat_id=CHAT)
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "x")


async def test_a_slow_fault_still_succeeds(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", status=200, delay=0.3, chat_id=CHAT)
    await bot.send_message(CHAT, "slow")
    assert api.visible(CHAT)[-1].text == "slow"


async def test_calls_are_counted_per_chat(api: FakeBotApi, http, bot: Bot) -> None:
    tap_me = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(CHAT, "q", reply_markup=tap_me)
    await bot.edit_message_text("q2", chat_id=CHAT, message_id=sent.message_id)
    await bot.send_message(OTHER, "other")
    api.user_taps(USER, CHAT, sent.message_id, "a")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    await update.callback_query.answer()
    await bot.delete_messages(CHAT, [sent.message_id])

    assert [c.method for c in api.chat_scoped_calls(CHAT)] == [
        "sendMessage",
        "editMessageText",
        "deleteMessages",
    ]
    assert len(api.chat_scoped_calls()) == 4
    assert [c.method for c in api.calls_for(CHAT)] == [
        "sendMessage",
        "editMessageText",
        "answerCallbackQuery",
        "deleteMessages",
    ]
    assert [c.method for c in api.calls_for(OTHER)] == ["sendMessage"]


# ---- the harness: a tiny real Application, driven by Person ---------------------------------


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    markup = ReplyKeyboardMarkup(
        [["45 min", "1 hour"], ["⏭ Skip", "✖ Cancel"]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="How long?",
    )
    await update.effective_message.reply_text("<b>How long?</b>", "HTML", reply_markup=markup)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    resume = InlineKeyboardMarkup([[InlineKeyboardButton("✓ Resume", callback_data="resume")]])
    await message.reply_text(
        f"Got: {esc(message.text)}", "HTML", reply_markup=ReplyKeyboardRemove()
    )
    await message.reply_text("Carry on?", reply_markup=resume)


async def _tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Resumed")
    await query.edit_message_text(f"Pressed: {query.data}")


@contextlib.asynccontextmanager
async def tiny_bot(api: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A real PTB Application polling the fake server: /ask, any text, a button."""
    app = Application.builder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("ask", _ask))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _answer))
    app.add_handler(CallbackQueryHandler(_tapped))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.mark.parametrize(
    ("label", "wanted", "hit"),
    [
        ("Skip", "Skip", True),
        ("⏭ Skip", "Skip", True),
        ("⏭ Skip", "⏭ Skip", True),
        ("✓ Anxiety", "Anxiety", True),
        ("💾 Save note", "Save note", True),
        ("45 min", "min", False),
        ("Skip it", "it", False),
        ("⏭ Skip", "Ski", False),
    ],
)
def test_label_matching(label: str, wanted: str, hit: bool) -> None:
    assert matches(label, wanted) is hit


async def test_person_taps_reply_and_inline_buttons(api: FakeBotApi) -> None:
    sam = Person(api, CHAT)
    async with tiny_bot(api):
        await sam.say("/ask")
        assert sam.keyboard() == ["45 min", "1 hour", "⏭ Skip", "✖ Cancel"]
        calls = await sam.tap("Skip")  # a reply button: the label goes out as a message
        assert [m.text for m in api.visible(CHAT) if not m.from_bot] == ["/ask", "⏭ Skip"]
        assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
        assert sam.keyboard() == []
        assert sam.last().plain == "Carry on?"

        calls = await sam.tap("Resume")  # an inline button: a callback query
        assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
        assert sam.last().text == "Pressed: resume"
        with pytest.raises(AssertionError, match="no button 'Nothing'"):
            await sam.tap("Nothing")
        await sam.say("a < b")
        got = sam.bot_messages()[-2]
        assert (got.text, got.plain) == ("Got: a &lt; b", "Got: a < b")


async def test_a_restarted_bot_does_not_see_old_updates(api: FakeBotApi) -> None:
    sam = Person(api, CHAT)
    async with tiny_bot(api):
        await sam.say("first")
    async with tiny_bot(api):
        await sam.say("second")
    said = [m.plain for m in sam.bot_messages() if m.plain.startswith("Got")]
    assert said == ["Got: first", "Got: second"]


# ---- the terminal demo's view of the chat -------------------------------------------------


async def test_the_demo_terminal_letters_reply_and_inline_buttons(api: FakeBotApi, http) -> None:
    from bot.demo import DEMO_USER_ID, Terminal  # imported here: bot/ may be mid-rewrite

    out: list[str] = []
    terminal = Terminal(api, out.append)

    async def bot_says(text: str, **params: Any) -> None:
        out.clear()
        status, body = await send(http, api, text, DEMO_USER_ID, parse_mode="HTML", **params)
        assert status == 200, body
        terminal.show_changes()

    def user_sent() -> str:
        return [m.text for m in api.messages[DEMO_USER_ID] if not m.from_bot][-1]

    await bot_says("<b>How long</b> was it? &lt;1h?", reply_markup=KEYBOARD)
    assert out == [
        "",
        "  bot │ How long was it? <1h?",
        "  kbd │ [a] 45 min  [b] 1 hour  [c] ⏭ Skip",
        "      │ (How long?)",
    ]
    terminal.send("3")  # a number is an answer, never a button
    assert user_sent() == "3"
    terminal.send("c")
    assert user_sent() == "⏭ Skip"

    await bot_says("Resume your draft?", reply_markup=INLINE)
    assert out[-1] == "      │ [d] Resume"
    terminal.send("d")
    _, body = await call(http, api, "getUpdates")
    assert body["result"][-1]["callback_query"]["data"] == "r"

    await bot_says("Keyboard gone.", reply_markup={"remove_keyboard": True})
    assert out[-1] == "  now │ [a] Resume"  # the letters moved, so the list is shown again
    terminal.send("9")
    assert user_sent() == "9"
    terminal.send(" some answer ")
    assert user_sent() == "some answer"
