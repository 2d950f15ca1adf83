"""`casenotes export` and `casenotes participants list`, as an operator runs them."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from docx import Document
from pypdf import PdfReader

from storage.service import open_storage
from tests.bot.records_seed import seed_note
from tests.test_cli import env, run

__all__ = ["env"]
START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def seed(tmp: Path) -> tuple[int, str]:
    async def _seed() -> tuple[int, str]:
        st = await open_storage(f"sqlite+aiosqlite:///{tmp}/c.db", tmp / "keys.json")
        try:
            invite = await st.workers.create_invite()
            w = await st.workers.redeem_invite(invite.code, 77, "Kim Worker", "Europe/London")
            first = await seed_note(st, w.id, START, name="Zoë Nguyễn", summary="Housing talk")
            await seed_note(
                st,
                w.id,
                START + timedelta(days=7),
                summary="Sleep talk",
                participant_id=first.participant_id,
            )
            await st.addenda.add(w.id, first.id, "Correction", "Age was 35", START)
            assert first.participant_id is not None
            return w.id, first.participant_id
        finally:
            await st.close()

    return asyncio.run(_seed())


def test_export_writes_a_private_file_in_each_format(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    worker, pid = seed(env)
    code, out = run("participants", "list", "--worker", str(worker), "--search", "zoe")
    assert code == 0 and pid in out and "Zoë Nguyễn" in out
    code, out = run("export", "--participant", pid, "--format", "pdf", "--out", "rec.pdf")
    assert code == 0 and "2 sessions" in out, out
    assert stat.S_IMODE((env / "rec.pdf").stat().st_mode) == 0o600
    text = "\n".join(
        p.extract_text() for p in PdfReader(BytesIO((env / "rec.pdf").read_bytes())).pages
    )
    assert "Zoë Nguyễn" in text and "Housing talk" in text and "Sleep talk" in text
    assert "Age was 35" in text
    assert run("export", "--participant", pid, "--format", "docx", "--out", "rec.docx")[0] == 0
    body = "\n".join(p.text for p in Document(str(env / "rec.docx")).paragraphs)
    assert "Housing talk" in body and "Correction" in body
    assert run("export", "--participant", pid, "--format", "txt", "--out", "rec.txt")[0] == 0
    assert "Sleep talk" in (env / "rec.txt").read_text()


def test_export_refuses_to_overwrite_follow_a_link_or_guess(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    _, pid = seed(env)
    (env / "taken.pdf").write_text("keep me")
    code, out = run("export", "--participant", pid, "--out", "taken.pdf")
    assert code == 1 and "exists" in out and (env / "taken.pdf").read_text() == "keep me"
    (env / "link.pdf").symlink_to(env / "taken.pdf")
    code, out = run("export", "--participant", pid, "--out", "link.pdf", "--force")
    assert code == 1 and (env / "taken.pdf").read_text() == "keep me"
    code, out = run("export", "--participant", "nobody", "--out", "x.pdf")
    assert code == 1 and "no participant with id nobody" in out and not (env / "x.pdf").exists()
    code, out = run("export", "--participant", pid, "--format", "exe", "--out", "x.exe")
    assert code == 1 and "--format must be one of pdf, docx, txt" in out
