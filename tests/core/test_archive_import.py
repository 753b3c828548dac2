"""Archiving JSON dumps of messages.list pages, as the API wrote them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.archive_world import make_services, seed_conversation, seed_thread, server_raw
from threadtui.core.archive.dumps import DumpError, import_dump, looks_like_dump
from threadtui.core.archive.store import archive_info, load_transcript
from threadtui.core.store.registry import Registry
from threadtui.fakeapi import FakeAPI


@pytest.fixture
def registry(tmp_path: Path):
    with Registry(tmp_path / "registry.sqlite3") as registry:
        yield registry


async def api_pages(fake: FakeAPI, tmp_path: Path, thread_id: str, **query) -> list[dict]:
    """Every page of messages.list (or items.list) exactly as the server sent it."""
    services = make_services(fake, tmp_path / "client", fake.clock)
    backend = services.backend("convs" if thread_id.startswith("conv_") else "default")
    pages, after = [], None
    try:
        while True:
            page = await backend.list_messages(thread_id, limit=40, after=after, **query)
            pages.append(fake.requests[-1].response)
            if not page.has_more:
                return pages
            after = page.last_id
    finally:
        await services.aclose()


async def test_pages_newest_first_as_the_api_lists_them(
    registry: Registry, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_thread(fake, 100)
    pages = await api_pages(fake, tmp_path, thread.id)
    assert len(pages) == 3 and looks_like_dump(pages)
    imported = import_dump(registry, json.dumps(pages), source="dump.json")
    assert [(i.thread_id, i.kind, i.messages, i.added) for i in imported] == [
        (thread.id, "thread", 100, 100)
    ]
    loaded = load_transcript(registry, thread.id)
    assert loaded is not None and [m.raw for m in loaded[1]] == server_raw(fake, thread.id)
    info = archive_info(registry, thread.id)
    assert info is not None and info.whole and info.source == "import:dump.json"


async def test_pages_oldest_first_a_single_page_and_a_bare_list(
    registry: Registry, fake: FakeAPI, tmp_path: Path
) -> None:
    first, second, third = seed_thread(fake, 60), seed_thread(fake, 30), seed_thread(fake, 30)
    import_dump(registry, await api_pages(fake, tmp_path, first.id, order="asc"), source="a")
    (page,) = await api_pages(fake, tmp_path, second.id, order="asc")
    import_dump(registry, page, source="b")
    import_dump(registry, page["data"][::-1], source="c")  # same messages, newest first
    (page,) = await api_pages(fake, tmp_path, third.id)
    import_dump(registry, "\n".join(json.dumps(m) for m in page["data"]), source="d.jsonl")
    for thread in (first, second, third):
        loaded = load_transcript(registry, thread.id)
        assert loaded is not None and [m.raw for m in loaded[1]] == server_raw(fake, thread.id)


async def test_conversation_items_need_their_conversation(
    registry: Registry, fake: FakeAPI, tmp_path: Path
) -> None:
    conv = seed_conversation(fake, 50)
    pages = await api_pages(fake, tmp_path, conv.id)
    with pytest.raises(DumpError) as refused:
        import_dump(registry, pages, source="items.json")
    assert str(refused.value) == (
        "items.json holds conversation items, which don't name their conversation: say "
        "which conv_… ID they belong to."
    )
    assert archive_info(registry, conv.id) is None
    imported = import_dump(registry, pages, source="items.json", thread_id=conv.id)
    assert [(i.kind, i.messages) for i in imported] == [("conversation", 50)]
    loaded = load_transcript(registry, conv.id)
    assert loaded is not None and [m.raw for m in loaded[1]] == server_raw(fake, conv.id)


def test_a_dump_of_two_threads_archives_both(registry: Registry) -> None:
    def message(thread: str, n: int) -> dict:
        return {
            "id": f"msg_{thread}{n}",
            "object": "thread.message",
            "thread_id": f"thread_{thread}",
            "created_at": 1_700_000_000 + n,
            "role": "user",
            "content": [{"type": "text", "text": {"value": f"{thread} {n}", "annotations": []}}],
        }

    mixed = [message("A", 1), message("B", 1), message("A", 2)]
    imported = import_dump(registry, {"object": "list", "data": mixed}, source="mixed.json")
    assert [(i.thread_id, i.messages) for i in imported] == [("thread_A", 2), ("thread_B", 1)]
    loaded = load_transcript(registry, "thread_A")
    assert loaded is not None and [m.text for m in loaded[1]] == ["A 1", "A 2"]


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ("{not json", "bad.json is not JSON (Expecting property name enclosed in double quotes"),
        ('{"a": 1}\n{oops', "bad.json is neither JSON nor JSON Lines (line 2:"),
        ('{"threads": []}', "bad.json is not a dump of messages: expected a messages.list page"),
        ('{"object": "list", "data": []}', "bad.json holds no messages: nothing to archive."),
        ('{"data": [{"role": "user"}]}', "bad.json: item 1 is not a message (it has no id)."),
        (
            '[{"data": [{"id": "msg_1", "thread_id": "run_abc", "role": "user"}]}]',
            "bad.json: run_abc is a run ID, not a thread ID",
        ),
        (
            '{"threadtui_export": {"thread_id": "thread_x"}}',
            "bad.json is a damaged threadtui export (no header or no messages).",
        ),
    ],
)
def test_bad_files_get_one_sentence_naming_them(
    registry: Registry, data: str, sentence: str
) -> None:
    with pytest.raises(DumpError) as refused:
        import_dump(registry, data, source="bad.json")
    message = str(refused.value)
    assert message.startswith(sentence) and "\n" not in message
    assert registry.count() == 0


def test_an_explicit_id_must_be_a_thread_or_conversation(registry: Registry) -> None:
    with pytest.raises(DumpError, match=r"items\.json: asst_x is an assistant ID"):
        import_dump(
            registry, [{"id": "msg_1", "type": "message"}], source="items.json", thread_id="asst_x"
        )
