"""config.toml: defaults from the environment, parsing, and adding profiles without clobbering."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from threadtui.core.settings.config import (
    ConfigError,
    Profile,
    add_profile,
    load_config,
    profile_from_options,
)

HAND_WRITTEN = """\
# My threadtui settings -- hand edited, please keep my comments.
theme   =   "textual-dark"   # dark is easier on the eyes

[keys]
delete = "ctrl+d"   # d is too easy to hit

# Work server: the old Assistants deployment.
[profiles.work]
kind = "assistants"
base_url = "https://llm.example.com/v1"
api_key_env = "WORK_KEY"

# Everything after this is mine too.
[profiles.audit]
base_url = "https://llm.example.com/v1"
read_only = true
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN)
    return path


def test_without_a_file_the_default_profile_comes_from_openai_variables(tmp_path: Path) -> None:
    env = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": "https://llm.example.com/v1",
        "OPENAI_ORG_ID": "org-1",
        "OPENAI_PROJECT_ID": "proj_1",
    }
    config = load_config(tmp_path / "missing.toml", env)
    profile = config.profile()
    assert (profile.name, profile.kind, profile.host) == (
        "default",
        "assistants",
        "llm.example.com",
    )
    assert (profile.organization, profile.project) == ("org-1", "proj_1")
    assert profile.api_key(env) == "sk-test"
    assert config.implicit_default


def test_api_openai_com_defaults_to_conversations_because_assistants_is_retired(
    tmp_path: Path,
) -> None:
    profile = load_config(tmp_path / "missing.toml", {}).profile()
    assert (profile.kind, profile.host, profile.base_url) == (
        "conversations",
        "api.openai.com",
        None,
    )
    assert profile.api_key({}) is None
    assert profile.api_key({"OPENAI_API_KEY": ""}) is None


def test_profiles_settings_and_keys_are_read(config_file: Path) -> None:
    config = load_config(config_file, {"WORK_KEY": "sk-work"})
    assert list(config.profiles) == ["default", "work", "audit"]
    work = config.profile("work")
    assert work.api_key({"WORK_KEY": "sk-work"}) == "sk-work"
    assert config.profile("audit").read_only
    assert config.profile("audit").kind == "assistants"  # not api.openai.com
    assert config.keys == {"delete": "ctrl+d"}
    assert config.theme == "textual-dark"
    assert config.default_profile == "default"


def test_an_unknown_profile_name_says_how_to_add_it(config_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"no profile 'nope'.*threadtui profile add nope"):
        load_config(config_file, {}).profile("nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[profiles.work\nkind = 1\n", r"not valid TOML \(.*line 1"),
        (
            '[profiles.work]\nread_only = "yes"\n',
            r"profiles\.work\.read_only must be true or false",
        ),
        ("[profiles.work]\nbase_url = 42\n", r"profiles\.work\.base_url must be text"),
        ('[profiles.work]\nkind = "chat"\n', r"profiles\.work\.kind is 'chat'"),
        (
            '[profiles.work]\napi_key = "sk-oops"\n',
            r"profiles\.work\.api_key is not a profile setting",
        ),
        ('default_profile = "gone"\n', r"default_profile is 'gone'"),
        ('keys = ["ctrl+d"]\n', r"keys must be a table"),
        ("[profiles.work]\ntimeout = 0\n", r"profiles\.work\.timeout must be a number of seconds"),
        ('[profiles.work]\ntimeout = "5"\n', r"profiles\.work\.timeout must be a number"),
        ("[profiles.work]\ntimeout = inf\n", r"profiles\.work\.timeout must be a number"),
    ],
)
def test_a_bad_file_is_one_sentence_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_config(path, {})
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message and "sk-oops" not in message


def test_adding_a_profile_keeps_every_byte_of_the_hand_written_file(config_file: Path) -> None:
    added = Profile(
        "local", "assistants", base_url="http://127.0.0.1:8000/v1", api_key_env="LOCAL_KEY"
    )
    config = add_profile(config_file, added, env={})
    text = config_file.read_text()
    assert text.startswith(HAND_WRITTEN)
    assert config.profile("local") == added
    assert load_config(config_file, {}).profile("local") == added
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


def test_an_existing_profile_is_not_overwritten_without_replace(config_file: Path) -> None:
    before = config_file.read_bytes()
    with pytest.raises(ConfigError, match=r"'work' already exists .*--replace"):
        add_profile(config_file, Profile("work", base_url="http://elsewhere/v1"), env={})
    assert config_file.read_bytes() == before


def test_replace_swaps_only_that_table_and_keeps_the_comments(config_file: Path) -> None:
    new = profile_from_options("work", base_url="http://new.example/v1", project="proj_2")
    add_profile(config_file, new, replace=True, env={})
    text = config_file.read_text()
    assert 'https://llm.example.com/v1"\napi_key_env' not in text
    for kept in (
        "# My threadtui settings",
        "# Work server",
        "# Everything after this",
        "# d is too easy",
    ):
        assert kept in text
    config = load_config(config_file, {})
    assert config.profile("work") == new
    assert config.profile("audit").read_only


def test_make_default_sets_default_profile_at_the_top_level(config_file: Path) -> None:
    add_profile(
        config_file, Profile("local", base_url="http://127.0.0.1/v1"), make_default=True, env={}
    )
    assert load_config(config_file, {}).default_profile == "local"
    add_profile(
        config_file, Profile("other", base_url="http://127.0.0.1/v1"), make_default=True, env={}
    )
    text = config_file.read_text()
    assert text.count("default_profile") == 1
    assert load_config(config_file, {}).default_profile == "other"


def test_a_new_file_is_created_private_with_a_comment_about_keys(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    add_profile(path, Profile("work", base_url="http://x/v1", api_key_env="WORK_KEY"), env={})
    assert "never stored" in path.read_text()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_config(path, {}).profile("work").api_key_env == "WORK_KEY"


def test_a_layout_it_cannot_append_to_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('profiles = { work = { base_url = "http://x/v1" } }\n')
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="add the profile by hand"):
        add_profile(path, Profile("local", base_url="http://y/v1"), env={})
    assert path.read_bytes() == before


def test_dotted_binding_ids_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nthreadtui.delete = "ctrl+d"\n"threadtui.quit" = "ctrl+q"\n')
    assert load_config(path, {}).keys == {"threadtui.delete": "ctrl+d", "threadtui.quit": "ctrl+q"}


def test_the_readme_example_config_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in readme.split("```toml\n")[1:]]
    example = next(b for b in blocks if "[profiles." in b)
    path = tmp_path / "config.toml"
    path.write_text(example)
    config = load_config(path, {})
    assert config.default_profile == "legacy"
    assert config.profile().api_key({"LEGACY_KEY": "sk-x"}) == "sk-x"


def test_a_profile_timeout_bounds_each_call_of_its_backend(tmp_path: Path) -> None:
    from threadtui.core.services import Services

    path = tmp_path / "config.toml"
    path.write_text('[profiles.slow]\nbase_url = "http://127.0.0.1:9/v1"\ntimeout = 2.5\n')
    assert load_config(path, {}).profile("slow").timeout == 2.5
    services = Services.load(
        config_dir=tmp_path, data_dir=tmp_path / "data", env={"OPENAI_API_KEY": "sk-test-0000"}
    )
    connection = services.backend("slow").connection
    assert connection.timeout == 2.5 and connection.deadline == 2.5 * 3
