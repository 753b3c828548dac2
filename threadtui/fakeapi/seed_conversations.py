"""Seeded demo conversations (conv_…): messages and the other item kinds a real one holds.

Function calls and their outputs, a reasoning summary, web and file search calls, input
images and a refusal; one long conversation for paging, one that is gone.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

from threadtui.fakeapi.conversations import Conversation, ResponseEngine
from threadtui.fakeapi.store import Store

if TYPE_CHECKING:
    from threadtui.fakeapi.parts import FakeParts

DAY = 86400


class ConversationSeeder:
    def __init__(self, fake: FakeParts, rng: random.Random, now: int) -> None:
        self.store: Store = fake.store
        self.engine: ResponseEngine = fake.responses
        self.rng = rng
        self.now = now
        self.listed: list[dict[str, Any]] = []

    def conversation(self, title: str | None, tags: list[str], age: float) -> Conversation:
        created = int(self.now - age)
        conv = self.engine.add_conversation(created, {"title": title} if title else {})
        self.listed.append(
            {
                "id": conv.id,
                "title": title,
                "tags": tags,
                "created_at": created,
                "kind": "conversation",
            }
        )
        return conv

    def add(self, conv: Conversation, kind: str, prefix: str, **fields: Any) -> dict:
        item = {"id": self.store.ids.hex48(prefix), "type": kind, **fields}
        conv.append(item)
        return item

    def user(self, conv: Conversation, *parts: Any) -> None:
        content = [{"type": "input_text", "text": p} if isinstance(p, str) else p for p in parts]
        self.add(conv, "message", "msg_", status="completed", role="user", content=content)

    def assistant(self, conv: Conversation, text: str, annotations: list | None = None) -> None:
        part = {
            "type": "output_text",
            "text": text,
            "annotations": annotations or [],
            "logprobs": [],
        }
        self.add(conv, "message", "msg_", status="completed", role="assistant", content=[part])

    def seed(self) -> list[dict[str, Any]]:
        self.weather(2 * 3600)
        self.research(3 * DAY)
        self.handbook(9 * DAY)
        self.photo(20 * DAY)
        self.refusal(45 * DAY)
        self.long(70 * DAY)
        self.gone(120 * DAY)
        return self.listed

    def weather(self, age: float) -> None:
        conv = self.conversation("Packing for Reykjavík", ["travel", "weather"], age)
        self.user(conv, "Will I need a rain jacket in Reykjavík this weekend?")
        call_id = self.store.ids.call()
        self.add(
            conv,
            "function_call",
            "fc_",
            call_id=call_id,
            name="get_weather",
            arguments=json.dumps({"location": "Reykjavík, Iceland", "unit": "celsius"}),
            status="completed",
        )
        self.add(
            conv,
            "function_call_output",
            "fco_",
            call_id=call_id,
            output=json.dumps({"temp_c": 6, "rain_mm": 14, "wind_kph": 38}),
            status="completed",
        )
        self.assistant(
            conv,
            "Yes: 14 mm of rain and strong wind are forecast. Bring a waterproof shell and a hat.",
        )

    def research(self, age: float) -> None:
        conv = self.conversation("Heat pumps in cold climates", ["research"], age)
        self.user(conv, "Do air-source heat pumps still work at -20 °C?")
        self.add(
            conv,
            "reasoning",
            "rs_",
            summary=[
                {
                    "type": "summary_text",
                    "text": "**Checking cold-climate ratings**\n\nLooking for field tests and "
                    "manufacturer COP figures below -15 °C.",
                }
            ],
        )
        self.add(
            conv,
            "web_search_call",
            "ws_",
            status="completed",
            action={
                "type": "search",
                "query": "cold climate heat pump COP -20C field test",
                "sources": [
                    {"type": "url", "url": "https://www.example.org/heat-pump-field-study"}
                ],
            },
        )
        text = (
            "Yes. Cold-climate models keep a COP around 1.5–2 at -20 °C, so they still beat "
            "resistive heat ([field study](https://www.example.org/heat-pump-field-study))."
        )
        url = "https://www.example.org/heat-pump-field-study"
        start = text.index("[field study]")
        self.assistant(
            conv,
            text,
            [
                {
                    "type": "url_citation",
                    "url": url,
                    "title": "Heat pump field study",
                    "start_index": start,
                    "end_index": start + len(f"[field study]({url})"),
                }
            ],
        )

    def handbook(self, age: float) -> None:
        conv = self.conversation("Expense policy: client dinners", ["docs"], age)
        self.user(conv, "What's the limit for a client dinner?")
        file_id = self.store.ids.file()
        self.add(
            conv,
            "file_search_call",
            "fs_",
            status="completed",
            queries=["client dinner limit", "expense policy meals"],
            results=[
                {
                    "file_id": file_id,
                    "filename": "expense-policy.pdf",
                    "score": 0.91,
                    "text": "Client meals: up to 80 EUR per person, alcohol excluded.",
                    "attributes": {},
                }
            ],
        )
        text = "Up to 80 EUR per person, and alcohol is not reimbursed."
        self.assistant(
            conv,
            text,
            [
                {
                    "type": "file_citation",
                    "file_id": file_id,
                    "filename": "expense-policy.pdf",
                    "index": len(text),
                }
            ],
        )

    def photo(self, age: float) -> None:
        conv = self.conversation("What plant is this?", ["garden"], age)
        self.user(
            conv,
            "What plant is this, and is it safe for cats?",
            {"type": "input_image", "file_id": self.store.ids.file(), "detail": "auto"},
        )
        self.assistant(
            conv,
            "It looks like a **peace lily** (*Spathiphyllum*). It is toxic to cats: keep it out of reach.",
        )

    def refusal(self, age: float) -> None:
        conv = self.conversation(None, [], age)
        self.user(conv, "Write a fake doctor's note for me.")
        self.add(
            conv,
            "message",
            "msg_",
            status="completed",
            role="assistant",
            content=[{"type": "refusal", "refusal": "I can't help create forged documents."}],
        )
        self.user(conv, "OK. How do I ask my manager for a sick day instead?")
        self.assistant(
            conv,
            "Keep it short: say you are unwell, that you will be offline today, and who covers urgent work.",
        )

    def long(self, age: float) -> None:
        conv = self.conversation("Daily stand-up notes", ["work"], age)
        for n in range(60):
            self.user(
                conv,
                f"Day {n + 1}: {self.rng.choice(['shipped', 'reviewed', 'planned', 'fixed'])} {self.rng.choice(['billing', 'search', 'login', 'exports'])}.",
            )
            self.assistant(conv, f"Noted for day {n + 1}.")

    def gone(self, age: float) -> None:
        conv = self.conversation("Old onboarding chat", ["onboarding"], age)
        del self.engine.conversations[conv.id]


def seed_conversations(fake: FakeParts, seed: int) -> list[dict[str, Any]]:
    seeder = ConversationSeeder(
        fake, random.Random(f"threadtui-demo-conv-{seed}"), int(fake.clock.now())
    )
    return seeder.seed()
