"""Telegram's HTML parse mode, checked the way the Bot API does it (tdlib's parser).

Stricter than Telegram in one way, on purpose: a bare ``>`` or an ``&`` that does not start a
valid entity is rejected, where Telegram would pass it through. Both mean a missing ``esc()``,
and the next user's ``<`` would break the whole message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span", "tg-emoji"}
)
HEX = frozenset("0123456789abcdefABCDEF")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
#: Synonyms Telegram treats as one entity type.
CANONICAL = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s", "span": "tg-spoiler"}
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
SPACE = " \t\n\r\f\v"


@dataclass(frozen=True)
class Entity:
    """One formatting entity: its tag, where it sits in the visible text, its argument."""

    tag: str
    offset: int
    length: int
    argument: str = ""


@dataclass
class Parsed:
    """The visible text and its entities, offsets and lengths in UTF-16 code units."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _entity_error(message: str) -> ValueError:
    return ValueError(f"Bad Request: can't parse entities: {message}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.out: list[str] = []
        self.units = 0

    def at(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < len(self.text) else ""

    def error(self, message: str, pos: int, tail: str = "") -> ValueError:
        """Telegram's error, pointing at ``pos`` as a UTF-8 byte offset."""
        offset = len(self.text[:pos].encode("utf-8"))
        return _entity_error(f"{message} at byte offset {offset}{tail}")

    def entity(self) -> str:
        """Decode the entity at ``i`` (which is '&') and move past it."""
        start, text = self.i, self.text
        end = text.find(";", start)
        name = text[start + 1 : end] if end > 0 else ""
        value = None
        if len(name) > 8:  # tdlib's limit on a numeric reference; no named one is longer
            pass
        elif name.startswith("#x") and len(name) > 2 and set(name[2:]) <= HEX:
            value = int(name[2:], 16)
        elif name.startswith("#") and name[1:].isdigit() and name[1:].isascii():
            value = int(name[1:])
        elif name in NAMED:
            self.i = end + 1
            return NAMED[name]
        if value is None or not 0 < value < 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            tail = " (use &amp; &lt; &gt; &quot; or &#N;)"
            raise self.error('unescaped "&" or unsupported entity', start, tail)
        self.i = end + 1
        return chr(value)

    def emit(self, ch: str) -> None:
        self.out.append(ch)
        self.units += utf16_len(ch)

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while self.at() != ">":
            while self.at() and self.at() in SPACE:
                self.i += 1
            if self.at() == ">":
                break
            if not self.at():
                raise self.error("Unclosed start tag", begin)
            name_start = self.i
            while self.at() and self.at() not in SPACE and self.at() not in "=>":
                self.i += 1
            name = self.text[name_start : self.i]
            if not name:
                raise self.error(f'Empty attribute name in the tag "{tag}"', begin)
            while self.at() and self.at() in SPACE:
                self.i += 1
            if self.at() != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                what = f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
                raise self.error(what, begin)
            self.i += 1
            while self.at() and self.at() in SPACE:
                self.i += 1
            if not self.at():
                raise self.error(f'Unclosed start tag "{tag}"', begin)
            attrs[name] = self.attribute_value(begin)
        return attrs

    def attribute_value(self, begin: int) -> str:
        quote = self.at()
        if quote not in "'\"":
            start = self.i
            while self.at() and (self.at().isalnum() or self.at() in ".-"):
                self.i += 1
            if not self.at():
                raise self.error("Unclosed start tag", begin)
            if self.at() not in SPACE and self.at() != ">":
                raise self.error("Unexpected end of name token", start)
            return self.text[start : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.at() and self.at() != quote:
            if self.at() == "&":
                value.append(self.entity())
            else:
                value.append(self.at())
                self.i += 1
        if not self.at():
            raise self.error("Unclosed start tag", begin)
        self.i += 1
        return "".join(value)

    def start_tag(self, stack: list[tuple[str, str, int]]) -> None:
        begin = self.i
        self.i += 1
        while self.at() and self.at() not in SPACE and self.at() != ">":
            self.i += 1
        if not self.at():
            raise self.error("Unclosed start tag", begin)
        tag = self.text[begin + 1 : self.i].lower()
        if tag not in TAGS:
            raise self.error(f'Unsupported start tag "{tag}"', begin)
        attrs = self.attributes(tag, begin)
        self.i += 1  # the '>'
        argument = ""
        if tag == "a":
            argument = attrs.get("href", "")
        elif tag == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        elif tag == "tg-emoji":
            argument = attrs.get("emoji-id", "")
            if not argument.isdigit():
                raise self.error('Tag "tg-emoji" must have a numeric "emoji-id"', begin)
        elif tag == "blockquote" and "expandable" in attrs:
            argument = "expandable"
        elif tag == "code":
            argument = attrs.get("class", "")
        stack.append((tag, argument, self.units))

    def end_tag(self, stack: list[tuple[str, str, int]], entities: list[Entity]) -> None:
        begin = self.i
        if not stack:
            raise self.error("Unexpected end tag", begin)
        self.i += 2
        while self.at() and self.at() not in SPACE and self.at() != ">":
            self.i += 1
        name = self.text[begin + 2 : self.i].lower()
        while self.at() and self.at() in SPACE:
            self.i += 1
        if self.at() != ">":
            raise self.error("Unclosed end tag", begin)
        self.i += 1
        tag, argument, offset = stack.pop()
        if name and name != tag:
            found = f', expected "</{tag}>", found "</{name}>"'
            raise self.error("Unmatched end tag", begin, found)
        if self.units > offset:
            entities.append(Entity(CANONICAL.get(tag, tag), offset, self.units - offset, argument))

    def run(self) -> Parsed:
        stack: list[tuple[str, str, int]] = []
        entities: list[Entity] = []
        while self.i < len(self.text):
            c = self.at()
            if c == "&":
                self.emit(self.entity())
            elif c == ">":
                raise self.error('unescaped ">"', self.i, " (use &gt;)")
            elif c != "<":
                self.emit(c)
                self.i += 1
            elif self.at(1) == "/":
                self.end_tag(stack, entities)
            else:
                self.start_tag(stack)
        if stack:
            raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
        entities.sort(key=lambda e: (e.offset, -e.length))
        return Parsed("".join(self.out), entities)


def parse_html(text: str) -> Parsed:
    """Parse Telegram HTML into visible text and entities; raise ValueError like the Bot API."""
    return _Parser(text).run()


def parse(text: str, parse_mode: str | None) -> Parsed:
    """The visible text and entities of a message sent with ``parse_mode`` (None: as is)."""
    if (parse_mode or "").upper() == "HTML":
        return parse_html(text)
    return Parsed(text)


def check_length(visible: str, limit: int = MESSAGE_LIMIT, caption: bool = False) -> None:
    """Raise ValueError like the Bot API for an empty message or one over ``limit``."""
    if caption:
        if utf16_len(visible.strip()) > limit:
            raise ValueError("Bad Request: message caption is too long")
        return
    if not visible.strip():
        raise ValueError("Bad Request: message text is empty")
    if utf16_len(visible) > limit:
        raise ValueError("Bad Request: message is too long")


def check_html(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Check a message text in HTML parse mode as Telegram would; return its visible text."""
    visible = parse_html(text).text
    check_length(visible, limit)
    return visible
