"""`threadtui --demo` and `threadtui fake-api`: the app wired to the built-in fake API.

The only module outside `threadtui.fakeapi` that imports it (import-linter checks this):
the core, API and TUI layers never know the fake exists.

`--demo` runs the whole app on the fake, in a throwaway data dir.

Nothing touches the user's files or any server: the fake is mounted under the real SDK
in-process, the registry lives in a temporary folder removed on exit, and the "key" is a
placeholder that exists only in this process's memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from threadtui.clock import Clock, SystemClock
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import TrackedThread

DEMO_PROFILE = "demo"
DEMO_CONVERSATIONS_PROFILE = "demo-conversations"
DEMO_KEY_ENV = "THREADTUI_DEMO_KEY"
DEMO_SEED = 1


@dataclass
class Demo:
    services: Services
    fake: object  # threadtui.fakeapi.FakeAPI
    folder: Path

    def cleanup(self) -> None:
        self.services.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_demo(
    *, clock: Clock | None = None, folder: Path | None = None, read_only: bool = False
) -> Demo:
    """Seed a fake API and a registry tracking its threads."""
    from threadtui.fakeapi import FakeAPI

    clock = clock or SystemClock()
    fake = FakeAPI(clock=clock, seed=DEMO_SEED)
    folder = folder or Path(tempfile.mkdtemp(prefix="threadtui-demo-"))
    locations = Locations(folder / "config", folder / "data", folder / "logs")
    profiles = {
        DEMO_PROFILE: Profile(
            DEMO_PROFILE, "assistants", base_url=fake.base_url, api_key_env=DEMO_KEY_ENV
        ),
        DEMO_CONVERSATIONS_PROFILE: Profile(
            DEMO_CONVERSATIONS_PROFILE,
            "conversations",
            base_url=fake.base_url,
            api_key_env=DEMO_KEY_ENV,
            default_model="gpt-4o-mini",
        ),
    }
    config = Config(profiles, DEMO_PROFILE)
    env = {**os.environ, DEMO_KEY_ENV: "sk-demo-placeholder"}
    services = Services(
        locations,
        config,
        env=env,
        clock=clock,
        http_transport=fake.transport(),
        read_only=read_only,
    )
    services.registry.add_many(
        TrackedThread(
            seeded["id"],
            kind=seeded["kind"],
            profile=DEMO_PROFILE if seeded["kind"] == "thread" else DEMO_CONVERSATIONS_PROFILE,
            title=seeded.get("title") or "",
            tags=tuple(seeded.get("tags") or ()),
            created_at=seeded.get("created_at"),
            last_activity_at=seeded.get("last_activity_at") or seeded.get("created_at"),
            source="demo",
        )
        for seeded in fake.demo_threads()
    )
    return Demo(services, fake, folder)


def serve_fake_api(*, host: str, port: int, seed: int) -> None:
    """Serve the fake API over HTTP on loopback until Ctrl+C (`threadtui fake-api`)."""
    from threadtui.fakeapi.server import serve

    serve(host=host, port=port, seed=seed)
