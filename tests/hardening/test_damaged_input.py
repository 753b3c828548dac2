"""Damaged input files and half-written escape sequences: what is readable is kept."""

from __future__ import annotations

import gzip
import json

from threadtui.core.text.sanitize import clean


def test_an_unterminated_escape_sequence_does_not_swallow_the_lines_after_it() -> None:
    text = "\x1b]0;title without end\nsecond line\n\x1bPdcs too\nthird line"
    assert clean(text).split("\n") == [
        "␛]0;title without end",
        "second line",
        "␛Pdcs too",
        "third line",
    ]


def test_a_gzip_log_cut_short_imports_the_ids_before_the_cut(cli, tmp_path) -> None:
    lines = "".join(f"created thread_cut{n:06d}AbCdEf\n" for n in range(5000))
    whole = gzip.compress(lines.encode())
    cut = tmp_path / "app.log.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    result = cli("import", "--json", str(cut))
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert 0 < summary["added"] < 5000
    assert "ends early" in summary["files"][0]["note"]
    listed = {row["id"] for row in json.loads(cli("list", "--json").out)}
    assert listed == {f"thread_cut{n:06d}AbCdEf" for n in range(summary["added"])}
    only_magic = tmp_path / "magic.gz"
    only_magic.write_bytes(b"\x1f\x8b")
    assert cli("import", str(only_magic)).code == 0
