"""Export to Markdown, JSON and JSON Lines, and JSON back into the archive."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from tests.core.archive_world import (
    HOSTILE,
    make_services,
    seed_audit_thread,
    seed_conversation,
    server_raw,
)
from threadtui.clock import ManualClock
from threadtui.core.archive.dumps import import_dump
from threadtui.core.archive.export import FROM_ARCHIVE, FROM_SERVER, NothingToExport, export_thread
from threadtui.core.archive.store import archive_thread, load_transcript
from threadtui.core.chat.session import ThreadSession
from threadtui.core.services import Services
from threadtui.core.store.registry import Registry
from threadtui.fakeapi import FakeAPI


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_markdown_is_what_an_auditor_reads(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    services.track(thread.id, title="Retention audit")
    out = tmp_path / "exports" / "new"
    done = await export_thread(services, thread.id, "md", out)
    assert (done.path, done.message_count, done.origin) == (out / f"{thread.id}.md", 5, FROM_SERVER)
    text = done.path.read_text()
    assert text.startswith("# Retention audit\n")
    assert f"- Thread: `{thread.id}`" in text and "- Created: 2023-11-14T22:13:20Z" in text
    assert "- Metadata: team = ops" in text
    assert "## user · 2023-11-14T22:13:30Z\n" in text
    assert re.search(
        r"## assistant · 2023-11-14T22:13:31Z · Policy Bot \(asst_\w+\) · run_Audit1", text
    )
    assert "Citations:\n- 【4:0†source】 → file-Policy01" in text
    assert "[image: file-Chart01]" in text and "[attachment: file-Contract01]" in text
    assert "> **Refused:** I can't help with that." in text
    assert "**Incomplete (max_tokens):** this message was cut short." in text
    assert text.count("```") % 2 == 0  # the cut-short code block is closed
    for message in fake.store.threads[thread.id].messages:
        assert f"`{message['id']}`" in text
    assert (mode(done.path), mode(out)) == (0o600, 0o700)


async def test_hostile_text_does_not_survive_into_markdown(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    text = (await export_thread(services, thread.id, "md", tmp_path)).path.read_text()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert "␛]52;c;ZXZpbA==" in text and "⟨9B⟩" in text and "⟨U+202E⟩" in text


async def test_json_loses_nothing_and_is_inert_on_a_terminal(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    path = (await export_thread(services, thread.id, "json", tmp_path)).path
    raw_bytes = path.read_bytes()
    assert b"\x1b" not in raw_bytes and "\x9b".encode() not in raw_bytes
    assert "\u202e".encode() not in raw_bytes
    document = json.loads(raw_bytes)
    header = document["threadtui_export"]
    assert header["format"] == "threadtui.transcript" and header["thread_id"] == thread.id
    assert (header["message_count"], header["complete"], header["gaps"]) == (5, True, [])
    assert document["thread"] == fake.store.threads[thread.id].obj
    assert document["messages"] == server_raw(fake, thread.id)
    assert document["messages"][2]["content"][0]["text"]["value"] == HOSTILE


async def test_jsonl_is_one_api_message_per_line(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    path = (await export_thread(services, thread.id, "jsonl", tmp_path)).path
    lines = path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == server_raw(fake, thread.id)


async def test_export_then_import_gives_back_the_same_transcript(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    path = (await export_thread(services, thread.id, "json", tmp_path)).path
    with Registry(tmp_path / "elsewhere" / "registry.sqlite3") as other:
        imported = import_dump(other, path.read_text(), source=path.name)
        assert [(i.thread_id, i.kind, i.messages, i.added) for i in imported] == [
            (thread.id, "thread", 5, 5)
        ]
        loaded = load_transcript(other, thread.id)
        original = load_transcript(services.registry, thread.id)
        assert loaded is not None and original is not None
        assert loaded[0].raw == original[0].raw
        assert [m.raw for m in loaded[1]] == [m.raw for m in original[1]]
        assert loaded[1] == original[1]  # the records too: parts, citations, run IDs
        # Importing it again adds nothing.
        assert import_dump(other, json.loads(path.read_text()), source="again")[0].added == 0


async def test_a_conversation_exports_and_imports_like_a_thread(
    services: Services, fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    conv = seed_conversation(fake, 6)
    services.track(conv.id, profile_name="convs")
    session = ThreadSession(services.backend_for(conv.id), conv.id)
    services.thread_opened(conv.id, await session.newest())
    await session.backend.add_message(conv.id, "What did I ask?")
    run = await session.backend.start_run(conv.id, model="gpt-4o-mini")
    while not run.is_terminal:
        fake_clock.advance(5)
        run = await session.backend.get_run(conv.id, run.id)
    services.run_finished(conv.id, run, await session.messages_of_run(run.id))
    path = (await export_thread(services, conv.id, "json", tmp_path)).path
    document = json.loads(path.read_text())
    assert document["threadtui_export"]["kind"] == "conversation"
    assert document["messages"] == server_raw(fake, conv.id)
    reply = document["messages"][-1]["id"]
    assert document["threadtui_export"]["run_ids"] == {reply: run.id}
    with Registry(tmp_path / "elsewhere" / "registry.sqlite3") as other:
        import_dump(other, document, source=path.name)
        loaded = load_transcript(other, conv.id)
        assert loaded is not None and loaded[0].kind == "conversation"
        assert [m.raw for m in loaded[1]] == server_raw(fake, conv.id)
        assert loaded[1][-1].run_id == run.id


async def test_redact_removes_emails_phones_and_keys_and_keeps_ids(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    for fmt in ("md", "json", "jsonl"):
        done = await export_thread(services, thread.id, fmt, tmp_path, redact=True)
        text = done.path.read_text()
        assert done.redacted == "1 email, 1 key, 1 phone"
        for secret in ("jane.doe@example.com", "555-0132", "sk-proj-AbCdEf1234567890ghIJkl"):
            assert secret not in text
        assert "[redacted email 1]" in text and "[redacted phone 1]" in text
        for message in fake.store.threads[thread.id].messages:
            for kept in (message["id"], thread.id, message["run_id"] or thread.id):
                assert kept in text
        assert "file-Contract01" in text and "file-Policy01" in text


async def test_an_existing_file_is_never_overwritten(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    first = await export_thread(services, thread.id, "md", tmp_path)
    before = first.path.read_bytes()
    second = await export_thread(services, thread.id, "md", tmp_path)
    assert second.renamed and second.path == tmp_path / f"{thread.id}-1.md"
    assert first.path.read_bytes() == before


async def test_gone_and_offline_exports_come_from_the_archive(
    services: Services, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    await archive_thread(services, thread.id)
    fake.store.delete_thread(thread.id)

    gone = await export_thread(services, thread.id, "md", tmp_path)
    assert gone.origin == FROM_ARCHIVE and gone.message_count == 5
    assert "not found: exported the archived copy." in gone.note
    assert fake.requests[-1].status == 404
    fake.requests.clear()
    offline = await export_thread(services, thread.id, "json", tmp_path, offline=True)
    assert offline.origin == FROM_ARCHIVE and len(fake.requests) == 0
    assert json.loads(offline.path.read_text())["messages"][0]["id"]

    with pytest.raises(NothingToExport, match="never archived"):
        await export_thread(services, "thread_NeverSeen", "md", tmp_path)
    with pytest.raises(NothingToExport, match="not in the local archive"):
        await export_thread(services, "thread_NeverSeen", "md", tmp_path, offline=True)
