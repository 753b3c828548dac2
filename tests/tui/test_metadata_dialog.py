"""The metadata dialog against the fake: local title, note and tags; remote pairs added,
edited and removed; the API's limits checked as you type so nothing invalid is sent;
refusals; hostile remote text kept intact; read-only sessions."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from threadtui.clock import ManualClock
from threadtui.demo import Demo, start_demo
from threadtui.tui.dialogs.metadata import MetadataChange, MetadataDialog, PairRow
from threadtui.tui.messages import ThreadsChanged

from .conftest import flat, thread_id, wait_until
from .feature_host import NOT_YET, FeatureHost
from .screen import screen_text

THREAD = "/threads/{thread_id}"
TITLE = "Refund policy question"  # remote metadata: title and tags


def posts(demo: Demo) -> list:
    return demo.fake.requests.matching("POST", THREAD)


async def opened(pilot) -> MetadataDialog:
    dialog = pilot.app.feature
    await wait_until(pilot, lambda: dialog.remote is not None)
    await pilot.pause()
    return dialog


def rows(dialog: MetadataDialog) -> list[tuple[str, str]]:
    return [tuple(box.value for box in row.query(Input)) for row in dialog.query(PairRow)]


async def test_edit_local_fields_and_add_a_pair_then_save_once(demo):
    target = thread_id(demo, TITLE)
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await opened(pilot)
        assert "Remote, on fake.local" in screen_text(app) and "2 of 16 pairs" in screen_text(app)
        assert rows(dialog) == [("title", TITLE), ("tags", "support,billing")]
        await pilot.press("ctrl+u", *"Refunds", "tab", *"ask", "tab")
        await pilot.press("end", *", vip")
        await pilot.press("ctrl+n", *"team", "tab", *"bill")
        assert "3 of 16 pairs" in screen_text(app)
        await pilot.press("enter")  # Enter on the last field saves
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        await pilot.pause()
    wanted = {"title": TITLE, "tags": "support,billing", "team": "bill"}
    [sent] = posts(demo)
    assert sent.json == {"metadata": wanted}
    assert app.dismissed == MetadataChange(target, local=True, remote=wanted)
    tracked = demo.services.registry.get(target)
    assert (tracked.title, tracked.note) == ("Refunds", "ask")
    assert set(tracked.tags) == {"billing", "support", "vip"}
    assert tracked.metadata == wanted
    [changed] = app.received
    assert isinstance(changed, ThreadsChanged) and changed.thread_ids == (target,)


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        (
            "k" * 65,
            "v",
            "Invalid 'metadata': key too long. Expected a key with maximum length 64, but got "
            "a key with length 65 instead.",
        ),
        (
            "note",
            "v" * 513,
            "Invalid 'metadata.note': string too long. Expected a string with maximum length "
            "512, but got a string with length 513 instead.",
        ),
        ("", "orphan", "Pair 3 has a value but no key: give it a key or remove it."),
        ("title", "again", "The key “title” is used twice: each key can have one value."),
    ],
    ids=["long-key", "long-value", "no-key", "twice"],
)
async def test_what_the_api_would_refuse_is_said_as_you_type_and_never_sent(
    demo, key, value, complaint
):
    app = FeatureHost(lambda: MetadataDialog(demo.services, thread_id(demo, TITLE)))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await opened(pilot)
        await pilot.press("ctrl+n")
        row = dialog.query(PairRow).last()
        row.query_one(".key", Input).value = key
        row.query_one(".value", Input).value = value
        await pilot.pause()
        assert complaint in flat(app)
        assert dialog.query_one("#save").disabled
        await pilot.press("enter")  # in the last field: would save
        await pilot.pause()
        assert app.dismissed is NOT_YET
        row.query_one(".key", Input).value = "fine"
        row.query_one(".value", Input).value = "ok"
        await pilot.pause()
        assert complaint not in flat(app)
        assert not dialog.query_one("#save").disabled
    assert posts(demo) == []


async def test_a_seventeenth_pair_is_refused_in_the_apis_words(demo):
    target = thread_id(demo, TITLE)
    full = {f"k{number}": "v" for number in range(16)}
    await demo.services.backend_for(target).update_metadata(target, full)
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await opened(pilot)
        assert "16 of 16 pairs" in screen_text(app)
        await pilot.press("ctrl+n", "k", "tab", "v")
        assert "17 of 16 pairs" in screen_text(app)
        assert (
            "Invalid 'metadata': too many properties. Expected an object with at most 16 "
            "properties, but got an object with 17 properties instead."
        ) in flat(app)
        assert dialog.query_one("#save").disabled
        await pilot.press("ctrl+r")  # removes the pair being edited
        await pilot.pause()
        assert "16 of 16 pairs" in screen_text(app)
        assert "too many properties" not in flat(app)
        assert not dialog.query_one("#save").disabled


async def test_removing_a_pair_sends_the_rest(demo):
    target = thread_id(demo, TITLE)
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await opened(pilot)
        await pilot.click(".remove")  # the first pair: title
        await pilot.pause()
        assert rows(dialog) == [("tags", "support,billing")]
        await pilot.click("#save")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
    [sent] = posts(demo)
    assert sent.json == {"metadata": {"tags": "support,billing"}}
    assert app.dismissed == MetadataChange(target, local=False, remote={"tags": "support,billing"})


async def test_a_refusal_is_one_sentence_and_nothing_changes(demo):
    target = thread_id(demo, TITLE)
    demo.fake.inject("403", method="POST", times=None)
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await opened(pilot)
        await pilot.press("ctrl+u", *"New", "ctrl+n", *"team", "tab", *"bill")
        await pilot.click("#save")
        await wait_until(pilot, lambda: "Nothing was changed." in flat(app))
        assert "belongs to another organization or project" in flat(app)
        assert app.dismissed is NOT_YET
        assert rows(dialog)[-1] == ("team", "bill")  # what was typed is still there
        assert dialog.query_one("#title", Input).value == "New"
    assert demo.services.registry.get(target).title == TITLE


async def test_hostile_remote_text_is_shown_inert_and_kept_as_it_was(demo):
    target = thread_id(demo, TITLE)
    hostile = "[bold red]x[/bold red] \x1b[31mred\x1b]8;;https://e.example\x07"
    await demo.services.backend_for(target).update_metadata(target, {"note": hostile})
    demo.fake.requests.clear()
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(120, 30)) as pilot:
        dialog = await opened(pilot)
        assert "[bold red]x[/bold red] ␛[31mred␛]8;;https://e.example" in screen_text(app)
        await pilot.press("ctrl+n", *"team", "tab", *"billing", "enter")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        assert dialog.remote == {"note": hostile}
    [sent] = posts(demo)
    assert sent.json == {"metadata": {"note": hostile, "team": "billing"}}


async def test_nothing_changed_or_esc_sends_nothing(demo):
    app = FeatureHost(lambda: MetadataDialog(demo.services, thread_id(demo, TITLE)))
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.click("#save")
        await wait_until(pilot, lambda: app.dismissed is None)
    app = FeatureHost(lambda: MetadataDialog(demo.services, thread_id(demo, TITLE)))
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+u", *"Oops", "escape")
        await wait_until(pilot, lambda: app.dismissed is None)
    assert posts(demo) == []
    assert app.received == []
    assert demo.services.registry.get(thread_id(demo, TITLE)).title == TITLE


async def test_read_only_shows_the_remote_pairs_and_saves_only_local_fields(tmp_path):
    demo = start_demo(clock=ManualClock(), folder=tmp_path / "demo", read_only=True)
    try:
        target = thread_id(demo, TITLE)
        app = FeatureHost(lambda: MetadataDialog(demo.services, target))
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await opened(pilot)
            text = flat(app)
            assert "Read-only (the profile or --read-only): the remote metadata is shown" in text
            assert "title Refund policy question" in text and "tags support,billing" in text
            assert not dialog.query(PairRow) and not dialog.query_one("#add").display
            await pilot.press("ctrl+n")  # no adding either
            assert not dialog.query(PairRow)
            await pilot.press("ctrl+u", *"Audited", "enter", "enter", "enter")
            await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        assert app.dismissed == MetadataChange(target, local=True, remote=None)
        assert demo.services.registry.get(target).title == "Audited"
        assert [r.method for r in demo.fake.requests] == ["GET"]
    finally:
        demo.cleanup()


async def test_a_gone_thread_says_so_and_still_saves_its_local_fields(demo):
    target = thread_id(demo, "Onboarding checklist (old)")
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "can't be changed now" in flat(app))
        assert "was not found" in flat(app)
        await pilot.press("ctrl+n")  # nothing to add pairs to
        assert not app.feature.query(PairRow)
        await pilot.press("ctrl+u", *"Gone", "enter", "enter", "enter")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
    assert app.dismissed == MetadataChange(target, local=True, remote=None)
    assert demo.services.registry.get(target).title == "Gone"
    assert posts(demo) == []
