"""Bad input ends in one error line and a non-zero exit status, never a traceback.

Each case is a real run of the script (a subprocess), so what is checked is exactly what
a user sees on the terminal.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single error line of a failed run; fails on a traceback or several errors."""
    everything = done.stdout + done.stderr
    assert "Traceback" not in everything, everything
    errors = [line for line in done.stderr.splitlines() if line.lower().startswith("error")]
    assert len(errors) == 1, done.stderr
    return errors[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_serve_on_a_busy_port(run: Cli, busy_port: int) -> None:
    done = run.script("sandbox", "serve", "--port", str(busy_port), expect=1)
    line = one_error_line(done)
    assert f"cannot listen on 127.0.0.1:{busy_port}" in line
    assert "in use" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--rate-limit", "fast"], "'--rate-limit': expected a positive number"),
        (["--rate-limit", "-3"], "'--rate-limit': expected a positive number"),
        (["--rate-limit", "inf"], "'--rate-limit': expected a positive number"),
        (["--db", "/nonexistent/dir/x.db"], "directory /nonexistent/dir does not exist"),
        (["--port", "99999"], "'--port': 99999 is not in the range"),
        (["--max-body", "0"], "'--max-body': 0 is not in the range"),
        (["--user", "no-colon"], "expected NAME:SECRET"),
        (["--host", "no-such-host.invalid"], "cannot listen on no-such-host.invalid"),
        (["--require-signature"], "--require-signature needs --trust-cert"),
    ],
)
def test_bad_serve_options(run: Cli, args: list[str], expected: str) -> None:
    done = run.script("sandbox", "serve", "--port", "0", *args, expect=2)
    assert expected in one_error_line(done)


def test_a_db_that_cannot_be_opened(run: Cli, tmp_path: Path) -> None:
    (tmp_path / "a-directory.db").mkdir()
    done = run.script("sandbox", "serve", "--port", "0", "--db", str(tmp_path), expect=2)
    assert "'--db'" in one_error_line(done)
    not_sqlite = tmp_path / "text.db"
    not_sqlite.write_text("this is not a database, just text long enough to be read\n" * 20)
    done = run.script("sandbox", "serve", "--port", "0", "--db", str(not_sqlite), expect=1)
    assert f"cannot open the --db file {not_sqlite}" in one_error_line(done)


@pytest.fixture
def latin1_ids(tmp_path: Path) -> Path:
    path = tmp_path / "ids.txt"
    path.write_bytes("abc-H566GG\nKöln-1\n".encode("latin-1"))
    return path


def test_get_many_from_a_file_that_is_not_utf8(run: Cli, latin1_ids: Path) -> None:
    done = run.script("accounts", "get-many", "--from-file", str(latin1_ids), expect=2)
    line = one_error_line(done)
    assert f"{latin1_ids} is not UTF-8 text (byte 0xf6 at offset 12)" in line
    done = run.script("envelope", "accounts", "get-many", "--from-file", str(latin1_ids), expect=2)
    assert "is not UTF-8 text" in one_error_line(done)


def test_get_many_from_stdin_that_is_not_utf8(run: Cli) -> None:
    result = run("accounts", "get-many", "--from-file", "-", input=b"\xff\n", expect=2)
    assert "Traceback" not in result.output
    assert "stdin is not UTF-8 text (byte 0xff at offset 0)" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--plot", "/nonexistent/dir/x.png"], "directory /nonexistent/dir does not exist"),
        (["--plot", "chart.svg"], "give a FILE ending in .png"),
    ],
)
def test_bad_plot_paths_are_refused_before_sending(
    run: Cli, args: list[str], expected: str
) -> None:
    done = run.script("mft", "daily", "--month", "10", "--year", "2026", *args, expect=2)
    assert expected in one_error_line(done)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--audit", "sqlite:////nonexistent/dir/a.db"], "cannot open SQLite audit store"),
        (["--audit", "ftp://x/a.db"], "unknown audit store scheme"),
        (["--rate-limit", "fast"], "'fast' is not a valid float range"),
        (["--config", "/"], "cannot read config file /"),
    ],
)
def test_bad_global_options(run: Cli, args: list[str], expected: str) -> None:
    done = run.script(*args, "plans", "list", expect=2 if "--audit" not in args else 1)
    assert expected in one_error_line(done)


def test_an_id_file_that_does_not_exist(run: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "none.txt"
    done = run.script("accounts", "get-many", "--from-file", str(missing), expect=2)
    assert "No such file or directory" in one_error_line(done)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "base URL 'notaurl' must be http:// or https:// with a host"),
        ("ftp://host", "base URL 'ftp://host' must be http:// or https://"),
        ("http://[::1", "base URL 'http://[::1' is not a valid URL"),
        ("http://127.0.0.1:99999", "is not a valid URL: Port out of range"),
        ("http://u:s3cr3t-in-url@[::1", "base URL 'http://***@[::1' is not a valid URL"),
        ("http://h/x?a=1", "must not have a query or fragment"),
    ],
)
def test_bad_base_urls(run: Cli, url: str, expected: str) -> None:
    done = run.script("plans", "list", env={"BOOMI_BASE_URL": url}, expect=2)
    line = one_error_line(done)
    assert expected in line
    assert "s3cr3t" not in done.stderr
