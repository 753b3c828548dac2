"""The public Python API: threadtui.track() and threadtui.tracked()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import threadtui
from threadtui.core.finding.ids import WrongIdKind
from threadtui.core.settings.config import ConfigError, add_profile, profile_from_options


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("THREADTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("THREADTUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return tmp_path


def test_track_records_into_the_users_registry(home: Path) -> None:
    assert threadtui.track("thread_abc123", title="Support #1", tags=["support"]) is True
    assert threadtui.track(" thread_abc123 ", tags="vip") is False  # one tag, not three letters
    assert threadtui.track("conv_0a1b2c") is True
    assert (home / "data" / "registry.sqlite3").exists()
    rows = {t.id: t for t in threadtui.tracked()}
    assert set(rows) == {"thread_abc123", "conv_0a1b2c"}
    support = rows["thread_abc123"]
    assert (support.title, support.tags, support.kind, support.source, support.profile) == (
        "Support #1",
        ("support", "vip"),
        "thread",
        "track()",
        "default",
    )
    assert [t.id for t in threadtui.tracked(tag="vip")] == ["thread_abc123"]
    assert [t.id for t in threadtui.tracked(kind="conversation")] == ["conv_0a1b2c"]
    assert [t.id for t in threadtui.tracked(status="unknown")] == ["conv_0a1b2c", "thread_abc123"]


def test_without_a_profile_each_kind_goes_to_a_profile_that_speaks_its_api(home: Path) -> None:
    config = home / "config" / "config.toml"
    add_profile(
        config,
        profile_from_options("selfhosted", kind="assistants", base_url="https://llm.example/v1"),
        make_default=True,
    )
    add_profile(config, profile_from_options("openai", kind="conversations"))
    threadtui.track("thread_Kind1")
    threadtui.track("conv_0a1b2c3d")
    threadtui.track("conv_0a1b2c3e", profile="selfhosted")  # an explicit profile wins
    from threadtui.core.settings.config import load_config

    kinds = {p.name: p.kind for p in load_config(config, env={}).profiles.values()}
    tracked = {t.id: t.profile for t in threadtui.tracked()}
    assert tracked["thread_Kind1"] == "selfhosted"
    assert kinds[tracked["conv_0a1b2c3d"]] == "conversations"  # not the Assistants default
    assert tracked["conv_0a1b2c3e"] == "selfhosted"


def test_track_explains_wrong_ids_and_unknown_profiles(home: Path) -> None:
    with pytest.raises(WrongIdKind, match="run_197Fyd… is a run ID, not a thread ID"):
        threadtui.track("run_197FydHLaBK7OX61jFXoI4GC")
    with pytest.raises(ValueError, match="not a complete ID"):
        threadtui.track("thread_abc…")
    with pytest.raises(ConfigError, match="There is no profile 'work'"):
        threadtui.track("thread_abc123", profile="work")
    add_profile(
        home / "config" / "config.toml",
        profile_from_options("work", kind="assistants", base_url="https://llm.example.com/v1"),
    )
    threadtui.track("thread_abc123", profile="work")
    assert [t.profile for t in threadtui.tracked()] == ["work"]
    assert threadtui.tracked(profile="default") == []


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_importing_and_tracking_load_neither_openai_nor_textual(home: Path) -> None:
    result = run_python(
        """
        import sys
        import threadtui
        threadtui.track("thread_abc123")
        threadtui.tracked()
        print(sorted(m for m in ("openai", "textual", "httpx2") if m in sys.modules))
        """,
        dict(os.environ),
    )
    assert result.stdout.strip() == "[]"


def test_eight_processes_tracking_at_once_lose_nothing(home: Path) -> None:
    """Eight processes start together on a registry that does not exist yet; each tracks
    250 IDs, one call each, with a tag shared by all and one of its own."""
    go = home / "go"
    workers = []
    for n in range(8):
        code = f"""
            import pathlib, time
            import threadtui
            ready, go = pathlib.Path({str(home / f"ready{n}")!r}), pathlib.Path({str(go)!r})
            ready.touch()
            while not go.exists():  # start together: the test says when
                time.sleep(0.005)
            for i in range(250):
                threadtui.track(f"thread_p{n}n{{i:04d}}", title="from {n}", tags=["all", "p{n}"])
            threadtui.track("thread_shared1", tags=["p{n}"])
        """
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", textwrap.dedent(code)],
                env=dict(os.environ),
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    while not all((home / f"ready{n}").exists() for n in range(8)):
        if any(w.poll() is not None for w in workers):
            break
        os.sched_yield()
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    rows = {t.id: t for t in threadtui.tracked()}
    expected = {f"thread_p{n}n{i:04d}" for n in range(8) for i in range(250)} | {"thread_shared1"}
    assert set(rows) == expected
    assert all(rows[f"thread_p{n}n0100"].title == f"from {n}" for n in range(8))
    assert rows["thread_shared1"].tags == tuple(sorted(f"p{n}" for n in range(8)))
    assert len(threadtui.tracked(tag="all")) == 2000
