"""Importing IDs into the registry: the log set, exports, dumps, bad input, batches."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from threadtui.core.archive.store import load_transcript
from threadtui.core.finding.importer import ImportProgress, PastedText, import_sources
from threadtui.core.services import Services
from threadtui.core.settings.config import add_profile, profile_from_options
from threadtui.core.store.registry import BATCH, Registry
from threadtui.core.store.registry_toml import export_text

LOGS = Path(__file__).parent.parent / "data" / "logs"
EXPECTED = json.loads((LOGS / "expected.json").read_text(encoding="utf-8"))
LOG_FILES = [LOGS / name for name in sorted(EXPECTED["files"])]
ENV = {"OPENAI_API_KEY": "sk-test-key-not-real", "OPENAI_BASE_URL": "http://fake.local/v1"}


@pytest.fixture
def services(tmp_path: Path):
    services = Services.load(config_dir=tmp_path / "config", data_dir=tmp_path / "data", env=ENV)
    yield services
    services.close()


def tracked_ids(registry: Registry) -> set[str]:
    return {t.id for t in registry.tracked()}


def test_the_log_set_is_tracked_exactly_and_a_second_run_adds_nothing(services: Services) -> None:
    summary = import_sources(services, LOG_FILES)
    expected = EXPECTED["all"]
    assert tracked_ids(services.registry) == set(expected["ids"])
    assert (summary.added, summary.already) == (len(expected["ids"]), 0)
    assert summary.truncated == expected["truncated"]
    assert summary.completed == {  # cut IDs that are the start of one ID found in full
        "thread_f6MSpC9VRYOS1J": "thread_f6MSpC9VRYOS1JkVNROgM6SR",
        "thread_PHBZE0OiFW876y": "thread_PHBZE0OiFW876ygBIcDguUQ5",
        "thread_LxMw0k1V": "thread_LxMw0k1VSPj3SW5u4LL7tygS",
    }
    assert {o.label: o.count for o in summary.others.values()} == expected["others"]
    # Each ID is credited to the file it was first seen in, and says so in the registry.
    per_file = {f.name: f.added for f in summary.files}
    assert per_file == {
        str(LOGS / "api_requests.log"): 6,
        str(LOGS / "app.log"): 4,
        str(LOGS / "cut_lines.jsonl"): 2,
        str(LOGS / "events.jsonl"): 4,
        str(LOGS / "notes.md"): 0,
        str(LOGS / "threads.csv"): 2,
    }
    first = services.registry.get("thread_SjEoUsgfygATodZv526CNq3n")
    assert first is not None and first.source == "import:api_requests.log"
    assert first.kind == "thread" and first.status == "unknown"
    conv = services.registry.get("conv_605cdf6b8933605a627290690a270635c6cd4108f5acacf3")
    assert conv is not None and conv.kind == "conversation"
    # Nothing but threads and conversations was tracked.
    assert all(i.startswith(("thread_", "conv_")) for i in tracked_ids(services.registry))

    again = import_sources(services, LOG_FILES)
    assert (again.added, again.already) == (0, len(expected["ids"]))


def test_the_summary_explains_what_was_not_imported(services: Services) -> None:
    summary = import_sources(services, [LOGS / "notes.md"])
    lines = summary.lines()
    assert lines[0] == "Tracked 7 new threads from 1 source; 0 were tracked already."
    assert (
        "3 IDs were cut short and not imported (thread_6Yq…, thread_Ab3De…, thread_LxMw0k1V…): "
        "find them in full." in lines
    )
    assert (
        "Not imported: 1 run ID. run_197Fyd… is a run ID, not a thread ID: look for the "
        "thread_ ID next to it." in lines
    )
    data = summary.as_dict()
    assert data["added"] == 7 and data["truncated"]["count"] == 3
    assert {o["kind"]: o["count"] for o in data["other_kinds"]} == {
        "assistant": 1,
        "run": 1,
        "message": 1,
    }


def test_dry_run_writes_nothing_and_counts_the_same(services: Services) -> None:
    import_sources(services, [LOGS / "app.log"])
    dry = import_sources(services, LOG_FILES, dry_run=True)
    assert (dry.added, dry.already) == (14, 4)
    assert dry.lines()[0].startswith("Would track 14 new threads")
    assert len(tracked_ids(services.registry)) == 4


def test_tags_go_on_new_and_tracked_ids(services: Services) -> None:
    services.track("thread_D1hdJFT5q1dv1cExdAO0NHl9", title="Kept", tags=["mine"])
    import_sources(services, [LOGS / "app.log"], tags=["from-logs"])
    kept = services.registry.get("thread_D1hdJFT5q1dv1cExdAO0NHl9")
    assert kept is not None and kept.tags == ("from-logs", "mine") and kept.title == "Kept"
    assert services.registry.count(tag="from-logs") == 4


def test_conversations_go_to_a_conversations_profile(services: Services, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    for name, kind in (("local", "assistants"), ("openai", "conversations")):
        profile = profile_from_options(name, kind=kind, base_url="http://fake.local/v1")
        add_profile(config, profile, make_default=name == "local", env=ENV)
    services = Services.load(config_dir=tmp_path / "config", data_dir=tmp_path / "d2", env=ENV)
    try:
        import_sources(services, [LOGS / "app.log"])
        profiles = {t.id[:5]: t.profile for t in services.registry.tracked()}
        assert profiles == {"threa": "local", "conv_": "openai"}
        import_sources(services, [LOGS / "threads.csv"], profile="openai")
        assert services.registry.get("thread_qh0LDgJyq04SUxPA97jTNRTd").profile == "openai"  # type: ignore[union-attr]
    finally:
        services.close()


def test_a_registry_export_keeps_titles_and_tags(services: Services, tmp_path: Path) -> None:
    other = Registry(tmp_path / "other.sqlite3")
    other.add("thread_abc123", kind="thread", profile="default", title="Refunds", tags=["billing"])
    other.add("conv_0a1b2c", kind="conversation", profile="default", title="Onboarding")
    export = tmp_path / "threads.toml"
    export.write_text(export_text(other.tracked(order="added")), encoding="utf-8")
    other.close()
    services.track("thread_abc123")
    summary = import_sources(services, [export, PastedText("and thread_new999 too")])
    assert summary.files[0].format == "registry export"
    assert (summary.files[0].added, summary.files[0].already) == (1, 1)
    assert (summary.added, summary.already) == (2, 1)
    refunds = services.registry.get("thread_abc123")
    assert refunds is not None and (refunds.title, refunds.tags) == ("Refunds", ("billing",))
    assert services.registry.get("conv_0a1b2c").title == "Onboarding"  # type: ignore[union-attr]
    assert services.registry.get("thread_new999").source == "import:pasted"  # type: ignore[union-attr]


def test_a_broken_export_is_still_searched_for_ids(services: Services, tmp_path: Path) -> None:
    broken = tmp_path / "old.toml"
    broken.write_text('version = 1\n[[thread]]\nid = "thread_abc123"\ncolour = "red"\n')
    summary = import_sources(services, [broken])
    assert summary.files[0].format == "text" and "unknown field 'colour'" in summary.files[0].note
    assert tracked_ids(services.registry) == {"thread_abc123"}


def test_unreadable_sources_are_reported_and_the_rest_imported(
    services: Services, tmp_path: Path
) -> None:
    summary = import_sources(services, [tmp_path / "missing.log", tmp_path, LOGS / "app.log"])
    errors = [f.error for f in summary.unreadable]
    assert errors == [
        f"{tmp_path / 'missing.log'} cannot be read (No such file or directory): nothing was "
        "imported from it.",
        f"{tmp_path} is a folder: give the files in it (e.g. {tmp_path}/*.log).",
    ]
    assert summary.added == 4


def test_binary_and_gzip_input(services: Services, tmp_path: Path) -> None:
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\xff\xfe\x00thread_abc123\x00\x80\x81 conv_0a1b\xc3")
    packed = tmp_path / "old.log.gz"
    packed.write_bytes(gzip.compress((LOGS / "app.log").read_bytes()))
    summary = import_sources(services, [binary, packed])
    assert summary.files[0].replaced == 5
    assert summary.files[1].note == "read as gzip." and summary.files[1].added == 4
    assert (
        f"{binary}: 5 bytes were not text and were replaced; IDs were looked for in the rest."
        in summary.lines()
    )
    assert {"thread_abc123", "conv_0a1b"} <= tracked_ids(services.registry)


def test_progress_reports_bytes_and_stopping_keeps_whole_batches(
    services: Services, tmp_path: Path
) -> None:
    big = tmp_path / "big.log"
    ids = [f"thread_big{n:07d}" for n in range(3 * BATCH + 17)]
    with big.open("w") as out:
        for n, thread_id in enumerate(ids):
            out.write(f"{n} INFO {thread_id} " + "x" * 2000 + "\n")  # ~6 MB: several reads
    seen: list[ImportProgress] = []

    def stop_after_two_reads() -> bool:
        return len(seen) >= 2

    summary = import_sources(
        services, [big], progress=seen.append, should_stop=stop_after_two_reads
    )
    assert summary.cancelled and summary.lines()[0].endswith("run it again to finish.")
    size = big.stat().st_size
    assert [p.total_bytes for p in seen] == [size, size]
    assert seen[0].done_bytes < seen[1].done_bytes < size
    # Exactly what was read went in, in order: a prefix of the file's IDs.
    tracked = tracked_ids(services.registry)
    assert tracked == set(ids[: len(tracked)]) and 0 < len(tracked) < len(ids)
    rest = import_sources(services, [big])
    assert (rest.added, rest.already) == (len(ids) - len(tracked), len(tracked))


def test_a_messages_dump_is_found(services: Services, tmp_path: Path) -> None:
    page = {
        "object": "list",
        "data": [
            {
                "id": "msg_xtrJgQP5SfsBn1QbdNlSHh0W",
                "object": "thread.message",
                "created_at": 1763647332,
                "thread_id": "thread_D1hdJFT5q1dv1cExdAO0NHl9",
                "role": "user",
                "content": [{"type": "text", "text": {"value": "Refund?", "annotations": []}}],
                "assistant_id": None,
                "run_id": None,
                "attachments": [],
                "metadata": {},
            }
        ],
        "first_id": "msg_xtrJgQP5SfsBn1QbdNlSHh0W",
        "last_id": "msg_xtrJgQP5SfsBn1QbdNlSHh0W",
        "has_more": False,
    }
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(page, indent=2))
    summary = import_sources(services, [dump])
    report = summary.files[0]
    assert (report.format, report.archived, report.archived_messages) == ("messages dump", 1, 1)
    assert f"{dump}: archived 1 transcript (1 new messages)." in summary.lines()
    assert tracked_ids(services.registry) == {"thread_D1hdJFT5q1dv1cExdAO0NHl9"}
    archived = load_transcript(services.registry, "thread_D1hdJFT5q1dv1cExdAO0NHl9")
    assert archived is not None and [m.text for m in archived[1]] == ["Refund?"]
    assert import_sources(services, [dump]).files[0].archived_messages == 0


def test_a_dump_the_archive_refuses_still_gives_its_ids(services: Services, tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text(
        '{"object": "list", "data": [{"object": "thread.message", "thread_id": '
        '"thread_D1hdJFT5q1dv1cExdAO0NHl9", "id": "msg_x1"'
    )
    report = import_sources(services, [cut]).files[0]
    assert report.format == "messages dump" and report.archived == 0
    assert report.note.startswith("cut.json is not JSON")
    assert report.note.endswith("Its IDs were imported; its messages were not archived.")
    assert tracked_ids(services.registry) == {"thread_D1hdJFT5q1dv1cExdAO0NHl9"}
