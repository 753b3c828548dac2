"""Lone surrogates: JSON can carry half a UTF-16 pair ("\\ud800"); no UTF-8 file, terminal
or SQLite column can hold one. The fake must be able to serve them, and threadtui must
store and show them (as U+FFFD) instead of crashing on the first write."""

from __future__ import annotations

import json

import pytest

from tests.hardening.hostile import BY_NAME
from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HALVES = BY_NAME["lone_surrogates"].text  # "before \ud800 middle \udfff after \udc00\ud83d"
SHOWN = "before \ufffd middle \ufffd after \ufffd\ufffd"


def thread_with_halves(fake: FakeAPI) -> str:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"title": HALVES})
    fake.store.add_message(
        thread, role="user", content=[text_part(HALVES)], created_at=1_700_000_001
    )
    return thread.id


async def test_the_fake_serves_lone_surrogates_as_json_escapes(fake: FakeAPI) -> None:
    thread_id = thread_with_halves(fake)
    backend = AssistantsBackend(
        Connection(
            api_key="sk-x-12345678",
            base_url=fake.base_url,
            http_transport=fake.transport(),
            max_retries=0,
        )
    )
    try:
        page = await backend.list_messages(thread_id)
    finally:
        await backend.aclose()
    assert fake.requests[-1].status == 200
    assert len(page.items) == 1


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_show_stores_and_prints_them_as_replacement_characters(cli, fake, fmt, tty) -> None:
    thread_id = thread_with_halves(fake)
    cli("add", thread_id)
    result = cli("show", thread_id, "--format", fmt, tty=tty)
    assert result.code == 0, result.err
    result.out.encode("utf-8")  # printable at all
    if fmt == "json":
        document = json.loads(result.out)
        assert document["messages"][0]["content"][0]["text"]["value"] == SHOWN
    else:
        assert SHOWN in result.out


def test_archive_export_and_search_keep_the_message(cli, fake, tmp_path) -> None:
    thread_id = thread_with_halves(fake)
    cli("add", thread_id)
    assert cli("archive", thread_id).code == 0
    for fmt in ("md", "json", "jsonl"):
        result = cli("export", thread_id, "--format", fmt, "-o", str(tmp_path / "out"))
        assert result.code == 0, result.err
        assert SHOWN in (tmp_path / "out" / f"{thread_id}.{fmt}").read_text(encoding="utf-8")
    found = cli("search", "middle")
    assert found.code == 0 and thread_id in found.out


def test_a_dump_file_with_lone_surrogates_is_archived(cli, fake, tmp_path) -> None:
    page = {
        "object": "list",
        "data": [
            {
                "id": "msg_half1",
                "object": "thread.message",
                "created_at": 1_700_000_001,
                "thread_id": "thread_HalvesAbCdEfGhIjKlMnOp12",
                "role": "user",
                "content": [{"type": "text", "text": {"value": HALVES, "annotations": []}}],
            }
        ],
        "has_more": False,
    }
    dump = tmp_path / "page.json"
    dump.write_text(json.dumps(page))  # ensure_ascii: "\ud800" as the API would send it
    result = cli("import", str(dump))
    assert result.code == 0, result.err
    assert "thread_HalvesAbCdEfGhIjKlMnOp12" in cli("list").out
    assert (
        cli(
            "export", "thread_HalvesAbCdEfGhIjKlMnOp12", "--offline", "-o", str(tmp_path / "x")
        ).code
        == 0
    )
    assert SHOWN in (tmp_path / "x" / "thread_HalvesAbCdEfGhIjKlMnOp12.md").read_text(
        encoding="utf-8"
    )


def test_server_text_in_errors_loses_them_too() -> None:
    from threadtui.api.sdk_errors import server_text

    assert server_text(HALVES).split() == ["before", "middle", "after"]


# Bytes that are not UTF-8 on a command line reach Python as lone surrogates
# (surrogateescape): `threadtui add ID --title $'bad\xffbyte'`.
NOT_UTF8 = "bad\udcffbyte"


def test_a_command_line_that_is_not_utf8_is_stored_not_a_crash(cli) -> None:
    thread_id = "thread_NotUtf8AbCdEfGhIjKlMnOp"
    added = cli("add", thread_id, "--title", NOT_UTF8, "--tag", NOT_UTF8)
    assert added.code == 0, added.err
    assert cli("meta", thread_id, "--note", NOT_UTF8).code == 0
    rows = json.loads(cli("list", "--json", "--tag", NOT_UTF8).out)
    assert [r["title"] for r in rows] == ["bad\ufffdbyte"]
    assert rows[0]["note"] == "bad\ufffdbyte" and rows[0]["tags"] == ["bad\ufffdbyte"]
    assert cli("list", "--search", NOT_UTF8).code == 0
    assert cli("search", NOT_UTF8).code == 1  # nothing archived: one sentence, no crash
