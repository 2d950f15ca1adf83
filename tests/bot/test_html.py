"""Escaping and splitting Telegram HTML: every piece passes the fake server's checker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fakeapi.html_check import check_html, parse_html, utf16_len
from bot.telegram.html import esc, split_html

LINK = '<a href="https://example.org/?a=1&amp;b=2">'
CODE = '<code class="language-py">'


def styled(html: str) -> list[tuple[str, frozenset[str]]]:
    """Each visible non-space character with the formatting (tag, argument) it carries."""
    parsed = parse_html(html)
    out: list[tuple[str, frozenset[str]]] = []
    unit = 0
    for ch in parsed.text:
        tags = frozenset(
            f"{e.tag}={e.argument}"
            for e in parsed.entities
            if e.offset <= unit < e.offset + e.length
        )
        if not ch.isspace():
            out.append((ch, tags))
        unit += utf16_len(ch)
    return out


def check_split(blocks: list[str], limit: int) -> list[str]:
    """Split, check every piece like Telegram, and check nothing visible was lost or restyled."""
    pieces = split_html(blocks, limit)
    for piece in pieces:
        check_html(piece, limit)
    expected = [c for block in blocks for c in styled(block)]
    assert [c for piece in pieces for c in styled(piece)] == expected
    return pieces


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("<b>not bold</b>", "&lt;b&gt;not bold&lt;/b&gt;"),
        ("\"quoted\" 'too'", "\"quoted\" 'too'"),
        ("&amp;", "&amp;amp;"),
    ],
)
def test_esc(text: str, escaped: str) -> None:
    assert esc(text) == escaped
    assert check_html(escaped) == text


@pytest.mark.parametrize(
    ("blocks", "limit", "pieces"),
    [
        (["one", "two"], 20, ["one\n\ntwo"]),
        (["one", "two"], 8, ["one\n\ntwo"]),
        (["one", "two"], 7, ["one", "two"]),
        (["<b>Title</b>", "body"], 11, ["<b>Title</b>\n\nbody"]),
        (["first line\nsecond line"], 15, ["first line", "second line"]),
        (["a b c d e f"], 5, ["a b c", "d e f"]),
        (["abcdefgh"], 3, ["abc", "def", "gh"]),
        (["<b>bold words here</b>"], 10, ["<b>bold words</b>", "<b>here</b>"]),
        (["<i>x</i> <b>abcd efgh</b>"], 6, ["<i>x</i> <b>abcd</b>", "<b>efgh</b>"]),
        (["<b>ab<i>cdef</i>gh</b>"], 3, ["<b>ab<i>c</i></b>", "<b><i>def</i></b>", "<b>gh</b>"]),
        ([f"{LINK}a link text</a>"], 6, [f"{LINK}a link</a>", f"{LINK}text</a>"]),
        ([f"{CODE}x = 1</code>"], 3, [f"{CODE}x =</code>", f"{CODE}1</code>"]),
        (["a &amp; b &lt; c"], 5, ["a &amp; b", "&lt; c"]),
        (["&amp;&amp;&amp;&amp;"], 3, ["&amp;&amp;&amp;", "&amp;"]),
        (["😀😀😀"], 5, ["😀😀", "😀"]),
        (["a\n\n\n\nb"], 2, ["a", "b"]),
        (["a  \n\n  b c"], 3, ["a", "b c"]),
        (["", "   ", "<b> </b>"], 10, []),
        (["x" * 4096], 4096, ["x" * 4096]),
        (["&amp;" * 4097], 4096, ["&amp;" * 4096, "&amp;"]),
    ],
)
def test_split_html(blocks: list[str], limit: int, pieces: list[str]) -> None:
    assert check_split(blocks, limit) == pieces


def test_a_limit_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_html(["ab"], 1)


def test_unbalanced_blocks_are_refused_when_they_must_be_cut() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        split_html(["<b>one two</i>"], 4)


ALPHABET = st.sampled_from([*"abc xyz\n\n  <>&\"'é😀", "&amp;", "\u200d"])
TAGS = st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler", "a"])


def wrap(tag: str, inner: str) -> str:
    return f"{LINK}{inner}</a>" if tag == "a" else f"<{tag}>{inner}</{tag}>"


text = st.lists(ALPHABET, max_size=40).map(lambda chars: esc("".join(chars)))
html = st.recursive(
    text,
    lambda inner: st.one_of(
        st.tuples(TAGS, inner).map(lambda t: wrap(*t)),
        st.lists(inner, min_size=2, max_size=4).map("".join),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(html, max_size=5), limit=st.integers(min_value=2, max_value=40))
def test_split_pieces_always_pass_telegram(blocks: list[str], limit: int) -> None:
    for block in blocks:
        check_html(block + "x", limit=10**6)  # the generator makes valid HTML
    check_split(blocks, limit)
