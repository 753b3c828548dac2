"""One message of the open thread: who, when, which run, then the body as Markdown.

Remote text never becomes markup: it is cleaned of escapes (core.sanitize) and handed to
Rich's Markdown renderer, which has no markup syntax of its own; headers are built as
plain `Text`. Links are printed with their URL instead of becoming terminal hyperlinks.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Static

from threadtui.api.models import Message, Part
from threadtui.core.text.sanitize import clean
from threadtui.core.text.timefmt import stamp

# Past this, a message is cut for display (copy and export keep it whole): rendering a
# megabyte of Markdown would freeze the pane.
DISPLAY_LIMIT = 20_000


def header_text(message: Message, assistant_names: dict[str, str], now: float) -> Text:
    role = clean(message.role)
    text = Text(role, style=f"bold {'cyan' if role == 'user' else 'green'}")
    extras = []
    if message.item_type != "message":
        extras.append(clean(message.item_type))
    if message.assistant_id:
        extras.append(clean(assistant_names.get(message.assistant_id) or message.assistant_id))
    if message.run_id:
        extras.append(clean(message.run_id))
    extras.append(stamp(message.created_at, now))
    if shown := [e for e in extras if e]:
        text.append(" · " + " · ".join(shown), style="dim")
    if message.status == "incomplete":
        reason = clean(message.incomplete_reason or "unknown reason")
        text.append(f"  ⚠ incomplete ({reason})", style="bold yellow")
    elif message.status == "in_progress":
        text.append("  … in progress", style="yellow")
    if message.is_refusal:
        text.append("  ⊘ refusal", style="bold red")
    return text


def as_markdown(body: str) -> RenderableType:
    # Imported here: rich.markdown (and markdown-it, pygments) is a tenth of the start-up
    # import; the main screen imports it after the first paint (MainScreen._warm_up).
    from rich.markdown import Markdown

    return Markdown(body, hyperlinks=False)


def part_renderables(part: Part, *, markdown: bool = True) -> list[RenderableType]:
    """Renderables for one part. People type plain text (their line breaks count);
    assistants answer in Markdown."""
    if part.kind == "text":
        body = clean(part.text)
        cut = len(body) - DISPLAY_LIMIT
        if cut > 0:
            body = body[:DISPLAY_LIMIT]
        out: list[RenderableType] = [as_markdown(body) if markdown else Text(body)]
        if cut > 0:
            out.append(
                Text(
                    f"… {cut:,} more characters not shown: copy (c) or export (e) the message to read them all.",
                    style="italic yellow",
                )
            )
        for number, note in enumerate(part.annotations, 1):
            kind = "cites" if note.kind == "file_citation" else "file"
            target = clean(note.title or note.target)
            out.append(Text(f"  [{number}] {clean(note.text)} {kind} {target}", style="dim"))
        return out
    if part.kind == "refusal":
        return [Text("Refused: ", style="bold red") + Text(clean(part.text))]
    if part.kind in ("image_file", "image_url", "input_image"):
        return [Text(f"[image: {clean(part.ref or '?')}]", style="italic magenta")]
    label = clean(part.kind)
    detail = clean(part.text) or clean(part.ref or "")
    return [Text(f"[{label}] ", style="italic magenta") + Text(detail[:DISPLAY_LIMIT])]


class MessageView(Static, can_focus=True):
    """A focusable message; the pane moves focus between them for copying."""

    DEFAULT_CSS = """
    MessageView {
        padding: 0 1;
        margin: 0 0 1 0;
        height: auto;
    }
    MessageView.role-user {
        border-left: outer $primary 50%;
    }
    MessageView.role-assistant {
        border-left: outer $success 50%;
    }
    MessageView.role-other {
        border-left: outer $warning 50%;
    }
    MessageView:focus {
        background: $boost;
        border-left: outer $accent;
    }
    MessageView.-match {
        border-left: outer $warning;
        background: $warning 15%;
    }
    """

    def __init__(self, message: Message, assistant_names: dict[str, str], now: float) -> None:
        super().__init__(
            markup=False,
            classes=f"role-{message.role if message.role in ('user', 'assistant') else 'other'}",
        )
        self.message = message
        self._assistant_names = assistant_names
        self._now = now

    def render(self) -> RenderableType:
        message = self.message
        parts: list[RenderableType] = [header_text(message, self._assistant_names, self._now)]
        markdown = message.role != "user"
        for part in message.parts:
            parts.extend(part_renderables(part, markdown=markdown))
        if message.attachments:
            files = ", ".join(clean(f) for f in message.attachments)
            parts.append(Text(f"attachments: {files}", style="dim"))
        if len(parts) == 1:
            parts.append(Text("(no content)", style="dim italic"))
        return Group(*parts)
