"""Telegram HTML: escaping user text, and splitting long replies into valid messages.

Telegram measures a message after parsing (tags removed, entities decoded) in UTF-16 code
units and rejects the whole message for a tag cut in half or left open, so the splitter works
on tokens (a tag, an entity, a character) and closes and reopens formatting at every cut.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LIMIT = 4096
SEPARATOR = "\n\n"
TOKEN = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>|&#?[0-9A-Za-z]+;|.""", re.DOTALL)
TAG_NAME = re.compile(r"</?\s*([\w-]*)")


def esc(text: str) -> str:
    """Escape user text for Telegram HTML (quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Token:
    raw: str
    tag: str = ""  # the tag's name, for tags
    closing: bool = False
    char: str = ""  # the visible character, for text

    @property
    def width(self) -> int:
        return utf16_len(self.char)


def _tokens(block: str) -> list[_Token]:
    out: list[_Token] = []
    for match in TOKEN.finditer(block):
        raw = match.group(0)
        if raw.startswith("<") and len(raw) > 1:
            name = TAG_NAME.match(raw)
            out.append(_Token(raw, name.group(1).lower() if name else "", raw.startswith("</")))
        else:
            out.append(_Token(raw, char=html.unescape(raw) if raw.startswith("&") else raw))
    return out


def _after(stack: list[_Token], tokens: list[_Token]) -> list[_Token]:
    """The open tags after ``tokens``, given those open before them."""
    stack = list(stack)
    for t in tokens:
        if t.tag and not t.closing:
            stack.append(t)
        elif t.tag:
            if not stack or stack[-1].tag != t.tag:
                raise ValueError(f"unbalanced HTML: {t.raw!r} closes nothing open")
            stack.pop()
    return stack


def _render(tokens: list[_Token]) -> str:
    """The tokens as HTML, without elements that hold nothing."""
    out: list[_Token] = []
    for t in tokens:
        if t.closing and out and out[-1].tag == t.tag and not out[-1].closing:
            out.pop()
        else:
            out.append(t)
    return "".join(t.raw for t in out)


def _piece(opened: list[_Token], body: list[_Token]) -> tuple[str, list[_Token]]:
    """Reopen ``opened``, add ``body``, close whatever is still open; return it and the stack."""
    stack = _after(opened, body)
    closers = [_Token(f"</{t.tag}>", t.tag, True) for t in reversed(stack)]
    return _render(opened + body + closers), stack


def _split_block(tokens: list[_Token], limit: int) -> list[str]:
    """Cut one block into pieces of at most ``limit`` visible units."""
    pieces: list[str] = []
    stack: list[_Token] = []
    i = 0
    while i < len(tokens):
        body: list[_Token] = []
        width, ink, cut_line, cut_space = 0, False, None, None
        j = i
        while j < len(tokens):
            t = tokens[j]
            if t.char and t.char.isspace() and not ink:
                j += 1  # whitespace at the start of a piece would be invisible anyway
                continue
            if t.char and ink and width + t.width > limit:
                if t.char == "\n":  # the character that does not fit is the best place to cut
                    cut_line = (len(body), j)
                elif t.char.isspace():
                    cut_space = (len(body), j)
                break
            if t.char == "\n":
                cut_line = (len(body), j)
            elif t.char.isspace():
                cut_space = (len(body), j)
            width += t.width
            ink = ink or bool(t.char)
            body.append(t)
            j += 1
        cut = None if j == len(tokens) else cut_line or cut_space
        if cut is not None:
            body, j = body[: cut[0]], cut[1] + 1
        while j < len(tokens) and body and body[-1].char.isspace():
            body.pop()
        if ink:
            piece, stack = _piece(stack, body)
            pieces.append(piece)
        i = j
    return pieces


def split_html(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """Pack HTML blocks into messages of at most ``limit`` visible UTF-16 units.

    Breaks between blocks first, then at line ends, then at spaces, and only then anywhere
    between two characters; never inside a tag or an entity. Formatting open at a cut is
    closed at the end of the piece and reopened, with its attributes, at the start of the
    next. Blocks with no visible text are dropped, so no blocks give no messages.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 (one character may take two units)")
    out: list[tuple[str, int]] = []
    for block in blocks:
        tokens = _tokens(block)
        width = sum(t.width for t in tokens)
        if not any(t.char and not t.char.isspace() for t in tokens):
            continue
        # A block that fits is measured once (tokenising is most of this function's cost).
        parts = (
            [(block, width)]
            if width <= limit
            else [(p, sum(t.width for t in _tokens(p))) for p in _split_block(tokens, limit)]
        )
        for part, part_width in parts:
            if out and out[-1][1] + utf16_len(SEPARATOR) + part_width <= limit:
                text, before = out[-1]
                out[-1] = (text + SEPARATOR + part, before + utf16_len(SEPARATOR) + part_width)
            else:
                out.append((part, part_width))
    return [text for text, _ in out]
