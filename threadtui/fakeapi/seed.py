"""Seeded demo data that looks like real use (`FakeAPI(seed=N)`).

Five assistants; about forty threads from minutes to ~18 months old and 1 to 60
messages long, one with ~3,000 messages, one that is gone from the server, one whose last
run failed, one waiting in `requires_action`, citations, file paths, images, attachments,
a refusal, code blocks, an incomplete reply and text full of markup. Timestamps are
relative to the fake's clock; IDs and text depend only on the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from threadtui.fakeapi import brain
from threadtui.fakeapi.plans import RunPlan
from threadtui.fakeapi.store import Thread, text_part

if TYPE_CHECKING:
    from threadtui.fakeapi.parts import FakeParts

DAY = 86400
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a place.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City and country"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
        "strict": False,
    },
}

ASSISTANTS: dict[str, dict[str, Any]] = {
    "support": dict(
        name="Support Bot",
        model="gpt-4o-mini",
        description="Answers billing and account questions.",
        instructions="You are a friendly support agent for Acme Cloud. Be brief.",
        tools=[],
    ),
    "geo": dict(
        name="Geography Expert",
        model="gpt-4o",
        description="Places, maps and travel.",
        instructions="You are a geography teacher. Give facts with numbers.",
        tools=[],
    ),
    "code": dict(
        name="Code Helper",
        model="gpt-4o",
        description="Writes and runs small programs.",
        instructions="You write correct, small programs and explain them.",
        tools=[{"type": "code_interpreter"}],
    ),
    "weather": dict(
        name="Weather Bot",
        model="gpt-4o-mini",
        description="Looks up the weather.",
        instructions="Use get_weather for every weather question.",
        tools=[WEATHER_TOOL],
    ),
    "docs": dict(
        name="Docs Librarian",
        model="gpt-4.1-mini",
        description="Answers from the company handbook.",
        instructions="Answer only from the attached documents and cite them.",
        tools=[{"type": "file_search"}],
    ),
}

CODE_PY = """Here is a small script that reads the CSV and totals each column:

```python
import csv
from collections import Counter

def totals(path: str) -> Counter:
    counts: Counter = Counter()
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            for key, value in row.items():
                counts[key] += float(value or 0)
    return counts

print(totals("sales.csv"))
```

Run it with `python totals.py`; empty cells count as 0."""

CODE_BASH = """Use a loop with parameter expansion:

```bash
for f in *.jpeg; do
  mv -- "$f" "${f%.jpeg}.jpg"
done
```

Add `-n` to `mv` first if you want to be sure nothing is overwritten."""

CODE_JSON = """A minimal schema for an order:

```json
{
  "type": "object",
  "required": ["id", "items", "total"],
  "properties": {
    "id": {"type": "string"},
    "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    "total": {"type": "number", "minimum": 0}
  }
}
```

Keep money as integer cents if you can."""

# (title or None, assistant key, tags, [(user, assistant), ...]) for the hand-written threads.
TOPICS: list[tuple[str | None, str, list[str], list[tuple[str, str]]]] = [
    (
        "Refund policy question",
        "support",
        ["support", "billing"],
        [
            (
                "How do I get a refund for an annual plan?",
                "Annual plans can be refunded within **30 days** of purchase. Open *Billing → "
                "Invoices*, pick the invoice and choose **Request refund**.",
            ),
            (
                "It has been 35 days. Any chance?",
                "Past 30 days we can offer a prorated credit instead. I have flagged your "
                "account so the billing team can apply it.",
            ),
        ],
    ),
    (
        "Password reset loop",
        "support",
        ["support", "account"],
        [
            (
                "The reset link keeps sending me back to the login page.",
                "That usually means an old session cookie. Try:\n\n1. Sign out everywhere\n"
                "2. Clear cookies for acme.example\n3. Open the newest reset email only",
            ),
        ],
    ),
    (
        "Capital cities quiz",
        "geo",
        ["quiz"],
        [
            (
                "What is the capital of Australia?",
                "Canberra, not Sydney: it was chosen in 1908 as a compromise.",
            ),
            ("And of Canada?", "Ottawa, on the Ottawa River, capital since 1857."),
            (
                "Brazil?",
                "Brasília, inaugurated in 1960 and planned by Lúcio Costa and Oscar Niemeyer.",
            ),
        ],
    ),
    (
        "Longest rivers in Africa",
        "geo",
        ["rivers"],
        [
            (
                "List the three longest rivers in Africa.",
                "| River | Length |\n|---|---|\n| Nile | 6,650 km |\n| Congo | 4,700 km |\n| Niger | 4,180 km |",
            ),
        ],
    ),
    (
        "Parse a CSV in Python",
        "code",
        ["python"],
        [("How do I total every column of a CSV file in Python?", CODE_PY)],
    ),
    (
        "Bash: rename files in bulk",
        "code",
        ["bash"],
        [("How do I rename all .jpeg files to .jpg?", CODE_BASH)],
    ),
    (
        "JSON schema for an order",
        "code",
        ["json"],
        [("Write a JSON schema for an order with items and a total.", CODE_JSON)],
    ),
    (
        "Plan a weekend in Kyoto",
        "geo",
        ["travel"],
        [
            (
                "Two days in Kyoto in November: what should I see?",
                "- Day 1: Fushimi Inari at dawn, then Kiyomizu-dera and Gion\n"
                "- Day 2: Arashiyama bamboo grove, Tenryū-ji, and Tōfuku-ji for the maples",
            ),
        ],
    ),
    (
        "Invoice missing VAT number",
        "support",
        ["billing"],
        [
            (
                "My invoice has no VAT number on it.",
                "Add it under *Settings → Billing details*; new invoices will show it and I can "
                "reissue the last one.",
            ),
        ],
    ),
    (
        None,
        "support",
        [],
        [("hello?", "Hi! How can I help you today?")],
    ),
    (
        "Time zones in Australia",
        "geo",
        [],
        [
            (
                "How many time zones does Australia have?",
                "Three standard ones (AWST, ACST, AEST), five in summer.",
            )
        ],
    ),
]

FOLLOW_UPS = [
    "Can you say that more briefly?",
    "Thanks. What about next month?",
    "Could you give me an example?",
    "How much would that cost for a team of 12?",
    "What is 17 * 23?",
    "Is there a way to automate this with a script?",
    "Which option would you pick?",
    "Can you put that in a list?",
    "What happens if I do nothing?",
    "Does this work on Windows too?",
]
SUBJECTS = [
    "API rate limits",
    "Team seats",
    "Data export",
    "SSO setup",
    "Webhook retries",
    "Storage quota",
    "Invoice currency",
    "Mobile app login",
    "Deleting my account",
    "Usage dashboard",
    "Trial extension",
    "Audit log access",
    "Nile delta geography",
    "Mountains of Peru",
    "Regex for emails",
    "SQL join question",
    "Cron syntax",
    "Sorting a dict by value",
    "Weather in Madrid",
    "Handbook: travel policy",
    "Handbook: expenses",
    "Latency spikes",
    "Migrating to v2",
    "Translation request",
    "Docker build cache",
]


@dataclass
class Seeder:
    fake: FakeParts
    rng: random.Random
    now: int
    assistants: dict[str, dict] = field(default_factory=dict)
    listed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def store(self):
        return self.fake.store

    # -- building blocks ----------------------------------------------------------------
    def thread(
        self, title: str | None, tags: list[str], age: float, *, remote_title: bool = True
    ) -> Thread:
        created = int(self.now - age)
        metadata = {"title": title} if title and remote_title else {}
        if tags and remote_title:
            metadata["tags"] = ",".join(tags)
        thread = self.store.add_thread(created_at=created, metadata=metadata)
        self.listed.append(
            {"id": thread.id, "title": title, "tags": tags, "created_at": created, "kind": "thread"}
        )
        return thread

    def user(self, thread: Thread, text: str, t: float, **extra: Any) -> dict:
        content = extra.pop("content", None) or [text_part(text)]
        return self.store.add_message(
            thread, role="user", content=content, created_at=int(t), **extra
        )

    def exchange(self, thread: Thread, who: str, t: float, plan: RunPlan) -> Any:
        """One run of `who` on the thread, created at `t` and played to its end."""
        run = self.fake.engine.create_run(thread, self.assistants[who], t, plan, {})
        self.fake.engine.advance(thread, run, t + plan.finish_after + 0.5)
        return run

    def reply_plan(self, text: str, **kw: Any) -> RunPlan:
        return RunPlan(reply=text, start_after=1, finish_after=3 + len(text) // 200, **kw)

    def ages(self, count: int) -> list[float]:
        """From five minutes to ~18 months, spread geometrically, slightly shuffled."""
        lo, hi = 300.0, 540.0 * DAY
        out = [lo * (hi / lo) ** (n / (count - 1)) for n in range(count)]
        return [a * self.rng.uniform(0.85, 1.0) for a in out]

    # -- the threads ----------------------------------------------------------------------
    def seed(self) -> list[dict[str, Any]]:
        for key, spec in ASSISTANTS.items():
            self.assistants[key] = self.store.add_assistant(created_at=self.now - 600 * DAY, **spec)
        ages = self.ages(40)
        specials = [
            self.citations,
            self.chart,
            self.attachments,
            self.refusal,
            self.incomplete,
            self.failed,
            self.requires_action,
            self.weather_done,
            self.markup,
            self.huge,
            self.gone,
        ]
        # Specials take fixed slots spread over the ages; the rest are topics and fillers.
        special_slots = {1: 6, 3: 8, 5: 0, 8: 5, 11: 2, 14: 3, 17: 1, 20: 7, 24: 4, 28: 9, 33: 10}
        topics = iter(TOPICS)
        subjects = iter(SUBJECTS)
        for slot, age in enumerate(ages):
            if slot in special_slots:
                specials[special_slots[slot]](age)
                continue
            topic = next(topics, None)
            if topic is not None:
                self.topic(age, *topic)
            else:
                self.filler(age, next(subjects))
        return self.listed

    def topic(self, age: float, title: str | None, who: str, tags: list[str], turns: list) -> None:
        thread = self.thread(title, tags, age, remote_title=self.rng.random() < 0.7)
        t = thread.obj["created_at"] + 5
        gap = min(900.0, age / (2 * len(turns) + 2))
        for question, answer in turns:
            self.user(thread, question, t)
            plan = self.reply_plan(answer)
            if who == "code" and "```python" in answer:
                plan.tool_steps = [
                    {
                        "type": "code_interpreter",
                        "code_interpreter": {
                            "input": "print(totals('sales.csv'))",
                            "outputs": [{"type": "logs", "logs": "Counter({'amount': 1234.5})"}],
                        },
                    }
                ]
            self.exchange(thread, who, t + 1, plan)
            t += gap

    def filler(self, age: float, subject: str) -> None:
        """A thread of 1-60 messages about `subject`, answered by the demo assistant."""
        who = "geo" if "geograph" in subject.lower() or "Mountains" in subject else "support"
        if subject.startswith(("Regex", "SQL", "Cron", "Sorting", "Docker")):
            who = "code"
        if subject.startswith("Handbook"):
            who = "docs"
        if subject.startswith("Weather"):
            who = "weather"
        count = self.rng.choice([1, 2, 4, 6, 10, 16, 24, 40, 60])
        count = max(1, min(count, int((age - 10) / 10)))  # young threads are short
        titled = self.rng.random() < 0.6
        thread = self.thread(subject if titled else None, [], age, remote_title=titled)
        t = thread.obj["created_at"] + 5
        gap = max(8.0, min(600.0, age / (count + 2)))
        history: list[tuple[str, str]] = []
        for n in range(count):
            if n % 2 == 0:
                text = (
                    f"Question about {subject.lower()}." if n == 0 else self.rng.choice(FOLLOW_UPS)
                )
                self.user(thread, text, t)
                history.append(("user", text))
            else:
                if who == "weather":
                    answer = "It is 24°C and sunny in Madrid, with a light breeze from the west."
                    plan = self.reply_plan(answer)
                    plan.tool_steps = [
                        {
                            "type": "function",
                            "function": {
                                "name": "get_weather",
                                "arguments": '{"location": "Madrid, Spain", "unit": "celsius"}',
                                "output": '{"temp_c": 24, "sky": "sunny"}',
                            },
                        }
                    ]
                else:
                    answer = brain.reply(history, self.assistants[who]["name"])
                    plan = self.reply_plan(answer)
                self.exchange(thread, who, t, plan)
                history.append(("assistant", answer))
            t += gap

    def citations(self, age: float) -> None:
        thread = self.thread("Docs: data retention policy", ["docs", "compliance"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "How long do we keep customer logs?", t)
        handbook, policy = self.store.ids.file(), self.store.ids.file()
        text = (
            "Customer logs are kept for **30 days** and then deleted【4:0†source】. Backups "
            "that contain them roll off after a further 7 days【4:1†source】."
        )
        annotations = []
        for marker, file_id in (("【4:0†source】", handbook), ("【4:1†source】", policy)):
            start = text.index(marker)
            annotations.append(
                {
                    "type": "file_citation",
                    "text": marker,
                    "start_index": start,
                    "end_index": start + len(marker),
                    "file_citation": {"file_id": file_id},
                }
            )
        plan = self.reply_plan(text, annotations=annotations)
        plan.tool_steps = [
            {
                "type": "file_search",
                "file_search": {
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                    "results": [
                        {"file_id": handbook, "file_name": "handbook.pdf", "score": 0.92},
                        {"file_id": policy, "file_name": "retention-policy.md", "score": 0.81},
                    ],
                },
            }
        ]
        self.exchange(thread, "docs", t + 1, plan)
        # A follow-up with code and a citation, so one thread shows both.
        t += 60
        self.user(thread, "Show me the query that purges them.", t)
        text = (
            "The nightly job runs this, per the retention policy【5:0†source】:\n\n"
            "```sql\nDELETE FROM customer_logs\n WHERE created_at < now() - interval '30 days';\n```\n\n"
            "Run it with `--dry-run` first to see how many rows it would remove."
        )
        start = text.index("【5:0†source】")
        note = {
            "type": "file_citation",
            "text": "【5:0†source】",
            "start_index": start,
            "end_index": start + len("【5:0†source】"),
            "file_citation": {"file_id": policy},
        }
        self.exchange(thread, "docs", t + 1, self.reply_plan(text, annotations=[note]))

    def chart(self, age: float) -> None:
        thread = self.thread("Chart of monthly sales", ["python", "charts"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "Plot monthly sales from the attached CSV as a bar chart.", t)
        image, download = self.store.ids.file(), self.store.ids.file()
        link = "sandbox:/mnt/data/monthly_sales.png"
        text = f"Here is the chart. March was the best month.\n\n[Download the chart]({link})"
        start = text.index(link)
        plan = self.reply_plan(text)
        plan.tool_steps = [
            {
                "type": "code_interpreter",
                "code_interpreter": {
                    "input": "import pandas as pd\ndf = pd.read_csv('sales.csv')\ndf.plot.bar(x='month', y='total')",
                    "outputs": [{"type": "image", "image": {"file_id": image}}],
                },
            }
        ]
        self.exchange(thread, "code", t + 1, plan)
        reply = thread.messages[-1]
        reply["content"] = [
            {"type": "image_file", "image_file": {"file_id": image, "detail": "auto"}},
            text_part(
                text,
                [
                    {
                        "type": "file_path",
                        "text": link,
                        "start_index": start,
                        "end_index": start + len(link),
                        "file_path": {"file_id": download},
                    }
                ],
            ),
        ]

    def attachments(self, age: float) -> None:
        thread = self.thread("Upload contract for review", ["legal"], age)
        t = thread.obj["created_at"] + 5
        contract = self.store.ids.file()
        self.user(
            thread,
            "Please check the termination clause in this contract.",
            t,
            attachments=[{"file_id": contract, "tools": [{"type": "file_search"}]}],
        )
        self.exchange(
            thread,
            "docs",
            t + 1,
            self.reply_plan(
                "Either side may end the contract with 60 days' written notice (section 12.2)."
            ),
        )
        self.user(
            thread,
            "Here is a photo of the signed page.",
            t + 120,
            content=[
                text_part("Here is a photo of the signed page."),
                {
                    "type": "image_file",
                    "image_file": {"file_id": self.store.ids.file(), "detail": "low"},
                },
            ],
        )
        self.exchange(
            thread,
            "docs",
            t + 121,
            self.reply_plan("Thanks: both signatures and the date are there."),
        )

    def refusal(self, age: float) -> None:
        thread = self.thread("Locked out of a coworker's account", ["support"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "Give me the admin password for my coworker's account.", t)
        self.exchange(thread, "support", t + 1, self.reply_plan("x"))
        thread.messages[-1]["content"] = [
            {
                "type": "refusal",
                "refusal": "I'm sorry, but I can't help with accessing someone else's account.",
            }
        ]

    def incomplete(self, age: float) -> None:
        thread = self.thread("Essay: history of cartography", ["writing"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "Write a 3,000-word essay on the history of cartography.", t)
        text = (
            "## From clay tablets to satellites\n\nThe oldest surviving maps were scratched into "
            "clay in Babylon around 600 BCE. Ptolemy's *Geography* gave Europe coordinates; "
            "the Mercator projection of 1569 made navigation by straight lines possible, and"
        )
        plan = RunPlan(outcome="incomplete", reply=text + text, start_after=1, finish_after=20)
        self.exchange(thread, "geo", t + 1, plan)

    def failed(self, age: float) -> None:
        thread = self.thread("Batch job failed", ["python", "ops"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "Why does my nightly batch job exit with code 137?", t)
        self.exchange(
            thread,
            "code",
            t + 1,
            self.reply_plan(
                "Exit code 137 means the process was killed (128 + SIGKILL), usually by the OOM killer."
            ),
        )
        self.user(thread, "Can you run my script and check its memory use?", t + 300)
        self.exchange(thread, "code", t + 301, RunPlan(outcome="failed", error_code="server_error"))

    def requires_action(self, age: float) -> None:
        # Always recent: a run waits for tool outputs only until it expires (10 minutes).
        thread = self.thread("Weather in Oslo tomorrow", ["weather"], 90)
        t = thread.obj["created_at"] + 5
        self.user(
            thread,
            "What's the weather in Oslo tomorrow? I need to know if I should bring boots.",
            t,
        )
        plan = RunPlan(outcome="requires_action", start_after=1, finish_after=2)
        run = self.fake.engine.create_run(
            thread, self.assistants["weather"], self.now - 60, plan, {}
        )
        self.fake.engine.advance(thread, run, self.now - 55)

    def weather_done(self, age: float) -> None:
        thread = self.thread("Weather in Lisbon", ["weather"], age)
        t = thread.obj["created_at"] + 5
        self.user(thread, "Weather in Lisbon, Portugal?", t)
        plan = RunPlan(outcome="requires_action", start_after=1, finish_after=2)
        run = self.fake.engine.create_run(thread, self.assistants["weather"], t + 1, plan, {})
        self.fake.engine.advance(thread, run, t + 4)
        call = run.obj["required_action"]["submit_tool_outputs"]["tool_calls"][0]
        output = '{"temp_c": 19, "sky": "partly cloudy"}'
        self.fake.engine.submit_tool_outputs(
            thread, run, [{"tool_call_id": call["id"], "output": output}], t + 8
        )
        self.fake.engine.advance(thread, run, t + 20)

    def markup(self, age: float) -> None:
        thread = self.thread("Markup in pasted logs", ["support"], age)
        t = thread.obj["created_at"] + 5
        pasted = (
            "My log shows [bold red]ERROR[/bold red] and \x1b[31mred text\x1b[0m, then "
            "[link=https://example.com]click[/link] and a bell\x07. What does it mean?"
        )
        self.user(thread, pasted, t)
        self.exchange(
            thread,
            "support",
            t + 1,
            self.reply_plan(
                "Those are terminal colour codes and markup from your logger; the error itself is `ECONNRESET`."
            ),
        )

    def huge(self, age: float) -> None:
        """~3,000 messages: a support chat log imported from another tool."""
        thread = self.thread("Customer chat log (import)", ["support", "import"], age)
        t = float(thread.obj["created_at"] + 5)
        gap = min(120.0, age / 3100)
        prompt = 0
        for n in range(1500):
            question = f"[{n + 1}] {FOLLOW_UPS[n % len(FOLLOW_UPS)]}"
            self.user(thread, question, t)
            answer = f"Reply {n + 1}: noted. " + (
                "Here is a short summary so far." if n % 7 == 0 else "Anything else?"
            )
            prompt += brain.tokens(question) + 10
            completion = brain.tokens(answer)
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
            self.exchange(
                thread,
                "support",
                t + 1,
                RunPlan(reply=answer, start_after=1, finish_after=3, usage=usage),
            )
            prompt += completion
            t += gap

    def gone(self, age: float) -> None:
        """Tracked locally, but the server has forgotten it: every request 404s."""
        thread = self.thread("Onboarding checklist (old)", ["onboarding"], age)
        self.store.delete_thread(thread.id)


def seed_demo(fake: FakeParts, seed: int) -> list[dict[str, Any]]:
    """Fill `fake` with the demo data for `seed`; returns the threads for demo_threads()."""
    from threadtui.fakeapi.seed_conversations import seed_conversations

    seeder = Seeder(fake, random.Random(f"threadtui-demo-{seed}"), int(fake.clock.now()))
    return seeder.seed() + seed_conversations(fake, seed)
