"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, start, yield a URL, stop.

Usage::

    from tests.pgcluster import pg_cluster

    with pg_cluster() as pg:          # skips the test when PostgreSQL is missing
        psycopg.connect(pg.url)       # (fails instead when CI=true)

initdb refuses to run as root, so under uid 0 the server binaries run as the
``postgres`` system user (created by Debian's postgresql package) via runuser/su.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


@dataclass(frozen=True)
class PgCluster:
    """A running cluster: ``url`` is a libpq URL of the test database over TCP."""

    url: str
    host: str
    port: int
    socket_dir: str
    dbname: str
    user: str
    data_dir: str

    def url_for(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def socket_url(self) -> str:
        """The same database through the unix socket (``?host=/socket/dir``)."""
        return f"postgresql://{self.user}@/{self.dbname}?host={self.socket_dir}&port={self.port}"


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL server binaries (or no way to run them) on this machine."""


def find_bin_dir() -> Path:
    """Directory holding initdb and pg_ctl: PATH first, then /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    )
    for directory in candidates:
        if os.access(Path(directory, "initdb"), os.X_OK) and os.access(
            Path(directory, "pg_ctl"), os.X_OK
        ):
            return Path(directory)
    raise PostgresUnavailable("initdb/pg_ctl not found in PATH or /usr/lib/postgresql/*/bin")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and no 'postgres' user exists") from None
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", subprocess.list2cmdline(argv)]


def _run(argv: list[str], *, timeout: float = 60) -> None:
    result = subprocess.run(
        _as_server_user(argv), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}")


@contextmanager
def postgres_cluster(dbname: str = "audit") -> Iterator[PgCluster]:
    """Start a cluster; raises PostgresUnavailable when it cannot be run here."""
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="pgcluster-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        _as_server_user(["true"])  # fails early without a postgres user
        user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o755)
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
        )
        port = 0
        for _attempt in range(3):
            port = _free_port()
            options = (
                f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            try:
                _run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-o",
                        options,
                        "-l",
                        str(root / "server.log"),
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ]
                )
                started = True
                break
            except RuntimeError:
                # Someone took the port between the probe and the start: try another.
                time.sleep(0.2)
        if not started:
            log = (root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start:\n{log}")
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                SUPERUSER,
                dbname,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield PgCluster(
            url=f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{dbname}",
            host="127.0.0.1",
            port=port,
            socket_dir=str(sockets),
            dbname=dbname,
            user=SUPERUSER,
            data_dir=str(data),
        )
    finally:
        if started:
            with suppress(RuntimeError, subprocess.TimeoutExpired):
                _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def check_available() -> Path:
    """The server binaries' directory; PostgresUnavailable when they can't be run here."""
    bin_dir = find_bin_dir()
    _as_server_user(["true"])
    return bin_dir


@contextmanager
def pg_cluster(dbname: str = "audit") -> Iterator[PgCluster]:
    """postgres_cluster for pytest: skip when unavailable, fail instead when CI=true."""
    from required import missing

    try:
        check_available()
    except PostgresUnavailable as exc:
        missing(f"PostgreSQL ({exc})", "apt-get install postgresql")
    with postgres_cluster(dbname) as cluster:
        yield cluster
