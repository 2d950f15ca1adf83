"""A long text sent in several messages, then Done; new messages add to an earlier answer.

The buffer holds the ``parts`` sent since the question was shown and, after the worker taps
Replace it, ``replace``. Until then, whatever is sent is added after the text already there.
"""

from __future__ import annotations

from typing import Any

from conversations.context import STALE, PromptParts, StepResult
from conversations.fields import Invalid, parse_text
from conversations.template import Choice, Field

REPLACE = Choice("c:replace", "Replace it")
ADDING = "Anything you send is added to the current text. Tap Replace it to start over."
REPLACING = "Anything you send replaces the current text."
SEPARATOR = "\n\n"


def _earlier(draft: dict[str, Any], f: Field) -> str:
    value = draft["answers"].get(f.key)
    return value if isinstance(value, str) else ""


def _replacing(draft: dict[str, Any]) -> bool:
    return bool(draft["buffer"].get("replace"))


def _joined(draft: dict[str, Any], f: Field, parts: list[str]) -> str:
    """The answer these parts make: after the earlier text, or instead of it."""
    base = "" if _replacing(draft) else _earlier(draft, f)
    return SEPARATOR.join(p for p in (base, *parts) if p)


def remark(draft: dict[str, Any], f: Field) -> str | None:
    """Say what was received so far and whether it will add to or replace the earlier text."""
    parts = draft["buffer"].get("parts", [])
    earlier = bool(_earlier(draft, f))
    if not parts:
        return (REPLACING if _replacing(draft) else ADDING) if earlier else None
    size = len(SEPARATOR.join(parts))
    if not earlier:
        return f"Got it ({size:,} characters so far). Send more, or tap Done."
    how = "to replace the current text" if _replacing(draft) else "to add to the current text"
    return f"Got it ({size:,} characters so far, {how}). Send more, or tap Done."


def take(draft: dict[str, Any], f: Field, text: str | None, token: str | None) -> StepResult:
    """Collect one more part, switch to replacing, or (on Done) file the text."""
    answers, parts = draft["answers"], draft["buffer"].get("parts", [])
    if token == "nav:done":
        if parts:
            answers[f.key] = _joined(draft, f, parts)
        elif f.required and not answers.get(f.key):
            raise Invalid("Please send at least one message first, then tap Done.")
        else:
            answers.setdefault(f.key, None)
        draft["buffer"] = {}
        return StepResult()
    if token == REPLACE.token:
        if not _earlier(draft, f):
            raise Invalid(STALE)
        draft["buffer"]["replace"] = True
        return StepResult(stay=True, remark=remark(draft, f))
    if token is not None or text is None:
        raise Invalid("Please type your answer, then tap Done.")
    part = parse_text(text, f.max_length)
    total = len(_joined(draft, f, [*parts, part]))
    if total > f.max_length:
        fix = "shorten this part and send it again"
        if _earlier(draft, f) and not _replacing(draft):
            fix = "shorten this part, or tap Replace it to start over"
        raise Invalid(
            f"That would make {total:,} characters; the limit here is {f.max_length:,}. "
            f"Please {fix}."
        )
    draft["buffer"]["parts"] = [*parts, part]
    return StepResult(stay=True, remark=remark(draft, f))


def keep_parts(draft: dict[str, Any], f: Field) -> None:
    """File the parts sent so far (as Done would), so leaving the question loses nothing."""
    parts = draft["buffer"].get("parts", [])
    if parts:
        draft["answers"][f.key] = _joined(draft, f, parts)


def prompt(draft: dict[str, Any], f: Field, current: str | None) -> PromptParts:
    """Describe the question, offering Replace it while there is earlier text to replace."""
    parts = draft["buffer"].get("parts", [])
    offer = (REPLACE,) if _earlier(draft, f) and not _replacing(draft) else ()
    return PromptParts(
        f.key,
        f.prompt,
        f.help,
        offer,
        current=current,
        remark=remark(draft, f),
        allow_done=True,
        allow_keep=f.key in draft["answers"] and not parts,
        allow_skip=not f.required,
        field_type=f.type,
    )
