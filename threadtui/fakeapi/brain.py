"""The demo assistant: answers deterministically from the conversation, no model.

It acknowledges the last user message, quotes a short part of it, counts words and
messages, does simple arithmetic, and shows a Markdown list and a code block when asked
about code. Weather questions become a `get_weather` tool call.
"""

from __future__ import annotations

import ast
import json
import operator
import re

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_ARITH = re.compile(r"[-+*/%().\d\s^x×÷]{3,}")
_CODE_WORDS = re.compile(r"\b(code|python|function|script|bash|json|program|snippet)\b", re.I)
_PLACE = re.compile(r"\b(?:in|for|at)\s+([A-Z][\w'-]*(?:[ ,]+[A-Z][\w'-]*)*)")


def tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about 4 tokens per 3 words."""
    return max(1, round(len(text.split()) * 4 / 3))


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("exponent too large")
        return _OPS[type(node.op)](left, right)
    raise ValueError("not arithmetic")


def arithmetic(text: str) -> str | None:
    """'what is 12 * (3 + 4)?' -> '12 * (3 + 4) = 84'; None when there is no sum to do."""
    for match in _ARITH.finditer(text):
        expr = match.group(0).strip().rstrip("?.").replace("^", "**").replace("×", "*")
        expr = expr.replace("÷", "/").replace("x", "*")
        if not re.search(r"\d\s*(\*\*|[-+*/%])\s*[-(\d]", expr):
            continue
        try:
            value = _eval(ast.parse(expr, mode="eval"))
        except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, float):
            value = round(value, 6)
        return f"{match.group(0).strip().rstrip('?.')} = {value}"
    return None


def _quote(text: str, words: int = 8) -> str:
    parts = text.split()
    short = " ".join(parts[:words])
    return short + ("…" if len(parts) > words else "")


def reply(
    history: list[tuple[str, str]], assistant_name: str | None = None, noun: str = "thread"
) -> str:
    """The assistant's answer to a conversation given as (role, text) pairs, oldest first."""
    last_user = next((text for role, text in reversed(history) if role == "user"), "")
    count = len(history)
    words = len(last_user.split())
    lines = []
    greeting = f"{assistant_name} here. " if assistant_name else ""
    if last_user.strip():
        lines.append(f"{greeting}You wrote “{_quote(last_user)}” ({words} words).")
    else:
        lines.append(f"{greeting}I have nothing new to answer yet.")
    sum_line = arithmetic(last_user)
    if sum_line:
        lines.append(f"\nThe answer: **{sum_line}**.")
    if _CODE_WORDS.search(last_user):
        lines.append(
            "\nHere is how I would approach it:\n\n"
            "- read the input\n- do the work in one small function\n- print the result\n\n"
            "```python\n"
            "def main() -> None:\n"
            f'    print("{_quote(last_user, 4).replace(chr(34), chr(39))}")\n\n\n'
            'if __name__ == "__main__":\n'
            "    main()\n"
            "```"
        )
    lines.append(f"\nThis {noun} now has {count + 1} messages.")
    return "\n".join(lines)


def weather_call(history: list[tuple[str, str]]) -> tuple[str, str]:
    """The `get_weather` call a Weather Bot makes for the last user message."""
    last_user = next((text for role, text in reversed(history) if role == "user"), "")
    place = _PLACE.search(last_user)
    location = place.group(1).strip(" ,") if place else "San Francisco, CA"
    unit = "fahrenheit" if re.search(r"fahrenheit|°F", last_user, re.I) else "celsius"
    return "get_weather", json.dumps({"location": location, "unit": unit})


def after_tools(calls: list[dict], outputs: dict[str, str]) -> str:
    """An answer built from the tool outputs the client submitted."""
    lines = []
    for call in calls:
        fn = call["function"]
        try:
            args = json.loads(fn["arguments"])
        except ValueError:
            args = {}
        output = outputs.get(call["id"], "")
        where = args.get("location") if isinstance(args, dict) else None
        label = f"{fn['name']} for {where}" if where else fn["name"]
        lines.append(f"- {label}: {output}")
    return "Here is what I found:\n\n" + "\n".join(lines)
