"""Issue 13, items 8 and 11: credentials in a base URL are refused without being repeated
(the HTTP library would send them as Authorization: Basic); any Authorization value a
server echoes is redacted before the deletion log stores it; a 64 KB URL, a URL with
spaces and a config.toml that starts with a BOM each get one sentence, not a traceback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.hardening.processes import Home
from tests.hardening.world import key_leaks, sentence_problems

USER, PASSWORD = "alice", "sk-urlPassw0rdZZ9Y8X7W6V5U4T3"
WITH_CREDENTIALS = f"http://{USER}:{PASSWORD}@127.0.0.1:9/v1"
THREAD = "thread_baseUrlSafetyAbCd"


def leaked(*texts: str) -> list[str]:
    marks = (PASSWORD, "urlPassw0rd", f"{USER}:")
    return [mark for text in texts for mark in (*marks, *key_leaks(text)) if mark in text]


def files_text(root: Path) -> str:
    return "".join(
        p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()
    )


def test_openai_base_url_with_credentials_is_refused_without_repeating_them(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("add", THREAD).code == 0
    cli.env["OPENAI_BASE_URL"] = WITH_CREDENTIALS
    result = cli("show", THREAD)
    assert result.code != 0
    assert "has a user name or password in it" in result.err
    assert sentence_problems(result.err) == []
    deleted = cli("delete", THREAD, "--yes")
    log = cli("deletions")
    assert leaked(result.out, result.err, deleted.out, deleted.err, log.out, log.err) == []
    assert leaked(files_text(tmp_path)) == []  # registry, deletion log, logs
    assert list(cli.fake.requests) == []  # refused before any request could carry them


def test_profile_add_refuses_credentials_and_writes_nothing(cli: Cli) -> None:
    result = cli("profile", "add", "work", "--base-url", WITH_CREDENTIALS)
    assert result.code != 0
    assert result.err.startswith("--base-url 'http://[credentials]@127.0.0.1:9/v1' has a user")
    assert leaked(result.out, result.err) == []
    assert not (cli.config_dir / "config.toml").exists()


def test_a_config_file_with_credentials_is_refused_on_reading(cli: Cli) -> None:
    cli.config_dir.mkdir()
    config = cli.config_dir / "config.toml"
    config.write_text(f'[profiles.work]\nbase_url = "{WITH_CREDENTIALS}"\n')
    result = cli("profile", "list")
    assert result.code != 0
    assert result.err.strip() == (
        f"{config}: profiles.work.base_url has a user name or password in it: give the URL "
        "without them (a key belongs in an environment variable, named by the profile's "
        "api_key_env)."
    )


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("http://127.0.0.1:9/" + "v" * 70_000, "is longer than 2,048 characters"),
        ("http://local host/v1", "has spaces or control characters in it"),
        (" http://127.0.0.1:9/v1", "has spaces or control characters in it"),
    ],
    ids=["70-kB", "space-in-host", "leading-space"],
)
def test_a_huge_or_spaced_base_url_is_one_sentence(cli: Cli, base_url: str, problem: str) -> None:
    assert cli("add", THREAD).code == 0
    cli.env["OPENAI_BASE_URL"] = base_url
    result = cli("show", THREAD)
    assert result.code != 0 and problem in result.err
    assert "Traceback" not in result.err and "Could not reach" not in result.err
    assert sentence_problems(result.err) == [] and len(result.err) < 400
    added = cli("profile", "add", "odd", "--base-url", base_url)
    assert added.code != 0 and problem in added.err and len(added.err) < 400


def test_a_config_file_starting_with_a_bom_is_read(cli: Cli) -> None:
    cli.config_dir.mkdir()
    (cli.config_dir / "config.toml").write_bytes(
        '\ufeff[profiles.work]\nbase_url = "http://127.0.0.1:9/v1"\n'.encode()
    )
    result = cli("profile", "list")
    assert result.code == 0, result.err
    assert "work: assistants on 127.0.0.1" in result.out
    added = cli("profile", "add", "other", "--base-url", "http://127.0.0.1:8/v1")
    assert added.code == 0, added.err
    assert "other: assistants" in cli("profile", "list").out


# -- a server that echoes the credentials it was sent ------------------------------------------
PROXY_TOKEN = "proxyT0kenNotAKeyShape"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every request 400 with an error naming the headers it got, as some proxies do."""

    def do_GET(self) -> None:
        headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
        message = f"Proxy-Authorization: {PROXY_TOKEN} refused; bad request (you sent {headers})"
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}})
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_POST = do_DELETE = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_authorization_values_a_server_echoes_never_reach_output_or_the_deletion_log(
    tmp_path: Path, echo_server: str
) -> None:
    home = Home(tmp_path)
    home.env["OPENAI_BASE_URL"] = echo_server
    assert home.run("add", THREAD).returncode == 0
    deleted = home.run("delete", THREAD, "--yes")
    log = home.run("deletions")
    assert "bad request" in deleted.stdout + deleted.stderr  # the server's words are shown...
    outputs = deleted.stdout + deleted.stderr + log.stdout + log.stderr
    for text in (outputs, files_text(tmp_path)):
        assert key_leaks(text) == [] and PROXY_TOKEN not in text  # ...without its secrets
