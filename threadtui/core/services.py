"""The one object behind both the CLI and the TUI: settings, registry, backends, clock.

Everything here is cheap to create: the registry opens on first use and `openai` is
imported only when the first backend is built. When `http_transport` is set (the demo and
the tests), every backend talks through it, so the fake API sits under the real SDK.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from threadtui.api.errors import AuthFailed, ReadOnly
from threadtui.core.finding.ids import kind_of, require_made, require_trackable, short
from threadtui.core.settings.config import (
    API_OF_KIND,
    Config,
    ConfigError,
    Profile,
    base_url_problem,
    load_config,
    shown_base_url,
)
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import Registry, TrackedThread
from threadtui.core.store.thread_index import IndexRow, ThreadIndex
from threadtui.errors import read_only_refusal

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.api.models import Message, Run, ThreadInfo
    from threadtui.clock import Clock

READ_ONLY_MESSAGE = read_only_refusal("nothing was sent or deleted.")


class Services:
    """Settings, the registry and one backend per profile, shared by every screen and command."""

    def __init__(
        self,
        locations: Locations,
        config: Config,
        *,
        env: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        http_transport: Any = None,
        read_only: bool = False,
        profile_name: str | None = None,
    ) -> None:
        self.locations = locations
        self.config = config
        self.env: Mapping[str, str] = os.environ if env is None else env
        if clock is None:
            from threadtui.clock import SystemClock  # imports asyncio: keep `list` fast

            clock = SystemClock()
        self.clock: Clock = clock
        self.http_transport = http_transport
        self.session_read_only = read_only
        self.profile_name = config.profile(profile_name).name  # ConfigError when unknown
        self._registry: Registry | None = None
        self._backends: dict[str, Backend] = {}
        self._assistant_names: dict[str, dict[str, str]] = {}
        self._oldest_loaded: dict[str, str] = {}  # thread -> oldest message a screen shows

    @classmethod
    def load(
        cls,
        *,
        config_dir: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Services:
        """Resolve the locations, read config.toml, and build the services on them."""
        env = os.environ if env is None else env
        locations = Locations.resolve(config_dir, data_dir, env)
        return cls(locations, load_config(locations.config_file, env), env=env, **options)

    # -- settings --------------------------------------------------------------------------
    def profile(self, name: str | None = None) -> Profile:
        """The named profile, or the session's (--profile, else the config's default)."""
        return self.config.profile(name or self.profile_name)

    @property
    def read_only(self) -> bool:
        """True when --read-only was given or the session's profile is read-only."""
        return self.is_read_only()

    def is_read_only(self, profile_name: str | None = None) -> bool:
        return self.session_read_only or self.profile(profile_name).read_only

    def has_key(self, profile_name: str | None = None) -> bool:
        return self.profile(profile_name).api_key(self.env) is not None

    def api_keys(self) -> list[str]:
        """Every profile's key that is set: what logs and crash reports must redact."""
        return [key for p in self.config.profiles.values() if (key := p.api_key(self.env))]

    def setup_hint(self, profile_name: str | None = None) -> str:
        """One sentence on how to give the profile a key."""
        profile = self.profile(profile_name)
        return (
            f"No API key for profile {profile.name!r}: set {profile.api_key_env} in the "
            "environment, or add a profile with `threadtui profile add NAME --api-key-env VAR`."
        )

    # -- the registry ----------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry, opened on first use (StorageError when it cannot be)."""
        if self._registry is None:
            self._registry = Registry(self.locations.registry_file, now=self.clock.now)
        return self._registry

    def profile_for(self, thread_id: str) -> str:
        """The profile a thread is tracked under, else the one a new ID goes to."""
        tracked = self.registry.get(thread_id)
        return tracked.profile if tracked else self.profile_for_new(thread_id)

    def profile_for_new(self, thread_id: str, profile_name: str | None = None) -> str:
        """The profile a newly seen ID belongs to: `profile_name` when given; else the
        session's when it speaks the ID's API; else the first profile that does."""
        if profile_name is not None:
            return self.profile(profile_name).name
        return self.config.profile_for_id(thread_id, self.profile_name).name

    def track(
        self,
        thread_id: str,
        *,
        title: str = "",
        tags: Iterable[str] = (),
        source: str = "tui",
        profile_name: str | None = None,
    ) -> str:
        """Track an ID the user typed (WrongIdKind when it is not a thread/conversation ID).

        Returns a sentence saying what happened.
        """
        thread_id, tags = thread_id.strip(), tuple(tags)
        if self.add_tracked(
            thread_id, title=title, tags=tags, source=source, profile_name=profile_name
        ):
            return f"Tracking {thread_id}."
        return f"{thread_id} was tracked already" + (": added the tags." if tags else ".")

    def add_tracked(
        self,
        thread_id: str,
        *,
        title: str = "",
        tags: Iterable[str] = (),
        source: str,
        profile_name: str | None = None,
    ) -> bool:
        """Track an ID (WrongIdKind when it is not a thread/conversation ID) under
        `profile_name`, else the profile that speaks its API; True when it was new.

        An ID tracked already gets the tags merged and an empty title filled, nothing else.
        """
        thread_id, _ = require_trackable(thread_id)
        return self.registry.add(
            thread_id,
            kind=kind_of(thread_id),
            profile=self.profile_for_new(thread_id, profile_name),
            title=title,
            tags=tuple(tags),
            source=source,
        )

    def untrack(self, thread_ids: Iterable[str]) -> list[str]:
        """Forget threads locally; the server is not touched."""
        return self.registry.untrack(thread_ids)

    def set_title_tags(
        self,
        thread_id: str,
        title: str,
        tags: Iterable[str],
        *,
        shown_title: str,
        shown_tags: Iterable[str],
    ) -> tuple[str, ...]:
        """Save what the user changed from what the form showed (`shown_…`), merged with
        what changed meanwhile elsewhere (another process, the CLI); returns the tags the
        thread has that the user did not type, i.e. kept from elsewhere."""
        tags, shown = tuple(tags), set(shown_tags)
        self.registry.update(
            thread_id,
            add_tags=[t for t in tags if t not in shown],
            remove_tags=[t for t in shown if t not in tags],
            **({"title": title} if title != shown_title else {}),
        )
        saved = self.registry.get(thread_id)
        return tuple(t for t in saved.tags if t not in tags) if saved else ()

    def message_count(self, thread_id: str) -> int | None:
        tracked = self.registry.get(thread_id)
        return tracked.message_count if tracked else None

    def thread_index(self) -> ThreadIndex:
        """Every tracked thread, for the sidebar. Threads on a server that retired the API
        show as "retired" (not gone: they may live on elsewhere, and are archived)."""
        summaries, joined_tags = self.registry.summaries()
        tags = {thread_id: _split_tags(joined) for thread_id, joined in joined_tags.items()}
        get, untagged = tags.get, ()
        # SUMMARY_COLUMNS are IndexRow's fields but tags, in order; the index takes its
        # rows as plain tuples.
        rows: list[tuple] = [
            (thread_id, kind, profile, title, get(thread_id, untagged), *rest)
            for thread_id, kind, profile, title, *rest in summaries
        ]
        return ThreadIndex(self._retired_shown(rows))

    def thread_index_head(self, rows: int) -> ThreadIndex:
        """The first `rows` threads by recent activity and the count of all: what the
        sidebar shows first (an indexed LIMIT query, a millisecond at 100,000 threads)
        while `thread_index()` loads the rest (most of a second there)."""
        head = [tuple(index_row(t)) for t in self.registry.tracked(order="activity", limit=rows)]
        return ThreadIndex(self._retired_shown(head), total=self.registry.count())

    def _retired_shown(self, rows: list[tuple]) -> list[tuple]:
        from threadtui.core.finding.servers import retired_profiles

        retired = retired_profiles(self.registry)
        return [_as_shown(r, retired) for r in rows] if retired else rows

    def index_row(self, thread_id: str) -> IndexRow | None:
        tracked = self.registry.get(thread_id)
        if tracked is None:
            return None
        return IndexRow._make(self._retired_shown([index_row(tracked)])[0])

    def mark_gone(self, thread_id: str, reason: str) -> None:
        self.registry.set_status(thread_id, "gone", reason)

    def thread_opened(
        self, thread_id: str, newest: Sequence[Message], *, whole: ThreadInfo | None = None
    ) -> None:
        """Record an open: when, that the thread is live, and its latest activity; `newest`
        (oldest first) goes to the archive. With `whole` (the thread, by `threadtui show`),
        `newest` is every message: counted, and archived as the whole thread."""
        now = self.clock.now()
        changes: dict[str, Any] = {
            "last_opened_at": now,
            "status": "live",
            "status_reason": "",
            "checked_at": now,
        }
        times = [m.created_at for m in newest if m.created_at]
        if times:
            changes["last_activity_at"] = max(times)
        assistant = next((m.assistant_id for m in reversed(newest) if m.assistant_id), None)
        if assistant:
            changes["last_assistant_id"] = assistant
        if whole is not None:
            changes["message_count"] = len(newest)
        self.registry.update(thread_id, **changes)
        if whole is None:
            self._archive_loaded(thread_id, newest, newest=True)
            return
        from threadtui.core.archive.store import ArchiveStore

        ArchiveStore(self.registry, now=self.clock.now).save(
            thread_id,
            newest,
            oldest=True,
            newest=True,
            thread=whole,
            profile=self.profile_for(thread_id),
            source="show",
        )

    def thread_page_loaded(self, thread_id: str, older: Sequence[Message]) -> None:
        """An older page arrived (oldest first): the archive keeps it, joined to the one after."""
        self._archive_loaded(thread_id, older, precedes=self._oldest_loaded.get(thread_id))

    def _archive_loaded(
        self,
        thread_id: str,
        messages: Sequence[Message],
        *,
        newest: bool = False,
        precedes: str | None = None,
        run: bool = False,
    ) -> None:
        """Keep what a screen loaded in the transcript archive (`core.archive`)."""
        from threadtui.core.archive.store import save_loaded

        if not run:  # the oldest message on screen: what the next older page comes before
            self._oldest_loaded.pop(thread_id, None)
            if messages:
                self._oldest_loaded[thread_id] = messages[0].id
        if not messages:
            return
        save_loaded(
            self.registry,
            thread_id,
            messages,
            profile=self.profile_for(thread_id),
            newest=newest,
            precedes=precedes,
            now=self.clock.now,
        )

    def remember_assistant(self, thread_id: str, assistant_id: str) -> None:
        self.registry.update(thread_id, last_assistant_id=assistant_id)

    def remembered_assistant(self, thread_id: str) -> str | None:
        tracked = self.registry.get(thread_id)
        return tracked.last_assistant_id if tracked else None

    def run_finished(self, thread_id: str, run: Run, new: Sequence[Message]) -> None:
        """A run ended after one user message: count both, note the time and the assistant.

        The run's messages (oldest first) go to the archive, after a possible hole: the
        user's message is not among them.
        """
        self._archive_loaded(thread_id, new, newest=True, run=True)
        tracked = self.registry.get(thread_id)
        if tracked is None:
            return
        changes: dict[str, Any] = {"last_activity_at": self.clock.now()}
        if run.assistant_id:
            changes["last_assistant_id"] = run.assistant_id
        if tracked.message_count is not None:
            changes["message_count"] = tracked.message_count + 1 + len(new)
        self.registry.update(thread_id, **changes)

    # -- the remote side -------------------------------------------------------------------
    def backend(self, profile_name: str | None = None) -> Backend:
        """The backend for a profile, built once; AuthFailed naming the variable when no key."""
        profile = self.profile(profile_name)
        backend = self._backends.get(profile.name)
        if backend is None:
            if problem := base_url_problem(profile.base_url):
                implicit = self.config.implicit_default and profile.name == "default"
                where = "OPENAI_BASE_URL" if implicit else self.config.path
                raise ConfigError(
                    f"Profile {profile.name!r} has base_url {shown_base_url(profile.base_url or '')}"
                    f", which {problem}: fix it in {where}."
                )
            key = profile.api_key(self.env)
            if key is None:
                raise AuthFailed(self.setup_hint(profile.name))
            from threadtui.api import open_backend
            from threadtui.api.backend import Connection

            backend = open_backend(
                Connection(
                    kind=profile.kind,
                    api_key=key,
                    # Explicit, so the SDK never swaps in OPENAI_BASE_URL behind our back.
                    base_url=profile.base_url or "https://api.openai.com/v1",
                    organization=profile.organization,
                    project=profile.project,
                    timeout=float(profile.timeout),
                    http_transport=self.http_transport,
                    read_only=self.is_read_only(profile.name),
                ),
                clock=self.clock,
            )
            self._backends[profile.name] = backend
        return backend

    def backend_for(self, thread_id: str) -> Backend:
        """The backend of the profile a thread is tracked under (else the session's).

        ConfigError when the ID's kind and the profile's API don't match.
        """
        profile = self.profile(self.profile_for(thread_id))
        wanted = API_OF_KIND[kind_of(thread_id)]
        if profile.kind != wanted:
            noun = "a conversation" if wanted == "conversations" else "an Assistants thread"
            raise ConfigError(
                f"{short(thread_id, 16)} is {noun}, but profile {profile.name!r} speaks the "
                f"{profile.kind} API: track it under a profile of kind {wanted} (threadtui "
                f"profile add NAME --kind {wanted})."
            )
        return self.backend(profile.name)

    async def assistant_names(self, profile_name: str | None = None) -> dict[str, str]:
        """asst_… ID -> name for a profile's assistants (fetched once)."""
        name = self.profile(profile_name).name
        if name not in self._assistant_names:
            page = await self.backend(name).list_assistants(limit=100)
            self._assistant_names[name] = {a.id: a.name for a in page.items if a.name}
        return self._assistant_names[name]

    async def create_thread(self, profile_name: str | None = None) -> str:
        """A new empty thread on the server, tracked from now on."""
        profile = self.profile(profile_name)
        if self.is_read_only(profile.name):
            raise ReadOnly(READ_ONLY_MESSAGE)
        info = await self.backend(profile.name).create_thread()
        require_made(info.id, info.kind, profile.host)
        self.registry.add_many(
            [
                TrackedThread(
                    info.id,
                    info.kind,
                    profile.name,
                    created_at=info.created_at,
                    status="live",
                    checked_at=self.clock.now(),
                    source="tui",
                    message_count=0,
                    metadata=info.metadata,
                )
            ]
        )
        return info.id

    async def delete_thread(
        self,
        thread_id: str,
        *,
        archive: bool = True,
        progress: Callable[[str, int], None] | None = None,
    ) -> Literal["deleted", "gone"]:
        """Archive (unless `archive=False`), delete on the server, log, untrack.

        The one path of every delete (`core.deletions.delete_thread`). "gone" when the
        server had no such thread; a failure is logged and then raised (ApiError, or
        ConfigError when the profile cannot reach it); ReadOnly before anything is done.
        `progress(thread_id, messages fetched)` follows the archive's fetching.
        """
        from threadtui.core.auditing.deletions import delete_thread

        entry = await delete_thread(self, thread_id, archive=archive, progress=progress)
        if entry.error is not None:
            raise entry.error
        return "gone" if entry.outcome == "gone" else "deleted"

    def close(self) -> None:
        """Close the registry and drop the backends: for after the event loop has ended.

        Prefer `aclose()` inside the loop that used the backends (e.g. the TUI on unmount).
        """
        self._backends.clear()
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    async def aclose(self) -> None:
        """Close every backend's HTTP client and the registry."""
        backends, self._backends = list(self._backends.values()), {}
        for backend in backends:
            await backend.aclose()
        self.close()


def _split_tags(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split("\x1f"))) if joined else ()


def _as_shown(row: tuple, retired: set[str]) -> tuple:
    """A sidebar row (IndexRow's fields) with "retired" for its status when its profile's
    server retired the API, unless the thread is gone."""
    if row[2] in retired and row[5] != "gone":
        return (*row[:5], "retired", *row[6:])
    return row


def index_row(tracked: TrackedThread) -> IndexRow:
    """What the sidebar needs of a tracked thread."""
    return IndexRow(
        id=tracked.id,
        kind=tracked.kind,
        profile=tracked.profile,
        title=tracked.title,
        tags=tracked.tags,
        status=tracked.status,
        added_at=tracked.added_at,
        created_at=tracked.created_at,
        last_activity_at=tracked.last_activity_at,
    )
