"""config.toml values of the wrong type or shape, and a base URL that is not a URL: one
sentence naming the file and the key, exit 1, the file byte-identical, and what does not
need the setting (listing the registry) still works."""

from __future__ import annotations

import pytest

from tests.hardening import figures

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# (what is wrong, config.toml text, the words the sentence must name)
BROKEN = {
    "read_only as text": ('[profiles.a]\nread_only = "yes"\n', "profiles.a.read_only"),
    "base_url a number": ("[profiles.a]\nbase_url = 3\n", "profiles.a.base_url"),
    "kind unknown": ('[profiles.a]\nkind = "chat"\n', "profiles.a.kind"),
    "profiles a string": ('profiles = "a"\n', "profiles"),
    "profile a list": ("profiles = {a = [1]}\n", "profiles.a"),
    "unknown setting": ('[profiles.a]\napi_key = "sk-x"\n', "profiles.a.api_key"),
    "key binding a number": ("[keys]\ndelete = 5\n", "keys.delete"),
    "theme a table": ("[theme]\nname = 1\n", "theme"),
    "default_profile missing": ('default_profile = "nope"\n', "default_profile"),
    "default_profile a bool": ("default_profile = true\n", "default_profile"),
    "bad TOML": ("[profiles.a\nkind = 1\n", "not valid TOML"),
    "not UTF-8": (b"[profiles.a]\nbase_url = '\xff'\n", "cannot be read"),
    "empty profile name": ('[profiles.""]\nkind = "assistants"\n', "profile name"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_config_is_one_sentence_and_left_as_it_was(cli, case: str) -> None:
    text, named = BROKEN[case]
    data = text if isinstance(text, bytes) else text.encode()
    figures.config_case(case, lambda: _broken_config(cli, data, named))


def _broken_config(cli, data: bytes, named: str) -> dict:
    cli.config_dir.mkdir(parents=True)
    config = cli.config_dir / "config.toml"
    config.write_bytes(data)
    results = [cli("list"), cli("add", "thread_abcdefghijkl"), cli("profile", "add", "b")]
    for result in results:
        assert result.code == 1
        assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
        assert str(config) in result.err and named in result.err, result.err
    assert config.read_bytes() == data
    return {"file_kept": True}


def test_a_base_url_that_is_not_a_url_fails_where_it_is_used(cli, fake) -> None:
    """OPENAI_BASE_URL or a profile's base_url like "http://[bad": listing works, commands
    that connect say which setting to fix, `profile add` refuses to write it."""
    cli.env["OPENAI_BASE_URL"] = "http://[bad"
    assert cli("add", "thread_abcdefghijkl").code == 0
    assert cli("list").code == 0
    shown = cli("show", "thread_abcdefghijkl")
    assert shown.code == 1 and shown.err.count("\n") == 1
    assert "OPENAI_BASE_URL" in shown.err and "is not a URL" in shown.err
    refused = cli("profile", "add", "x", "--base-url", "https://host:port/v1")
    assert refused.code == 1 and "is not a URL" in refused.err
    assert not (cli.config_dir / "config.toml").exists()

    cli.config_dir.mkdir(parents=True)
    config = cli.config_dir / "config.toml"
    config.write_text('default_profile = "x"\n[profiles.x]\nbase_url = "ftp://files.example"\n')
    before = config.read_bytes()
    cli.env["OPENAI_BASE_URL"] = fake.base_url
    assert cli("add", "thread_onprofilexAbCdEf").code == 0  # tracked under x, the default
    assert cli("list").code == 0
    checked = cli("check", "thread_onprofilexAbCdEf")
    assert checked.code == 1 and str(config) in checked.err and "https://" in checked.err
    assert config.read_bytes() == before
