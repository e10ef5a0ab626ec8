"""A throwaway PostgreSQL server for the index tests, from Debian's `postgresql` package.

The cluster lives in a temporary folder on a free port and dies with the tests. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` user that the
Debian package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from support.chain import free_port, wait_for_port


def unusable_reason() -> str | None:
    """Why no throwaway PostgreSQL server can run here, or None when one can."""
    if binaries() is None:
        return "PostgreSQL is not installed: `apt-get install postgresql` (make system-packages)"
    # Inside a user namespace that maps only our own id to root (tools/offline.sh for a
    # user other than root), we look like root but cannot become `postgres`, and the
    # server refuses to run as root.
    uid_map = Path("/proc/self/uid_map")
    if os.geteuid() == 0 and uid_map.exists() and uid_map.read_text().split() != ["0", "0", "4294967295"]:
        return "PostgreSQL cannot start inside this user namespace (run the tests as root, or outside it)"
    return None


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    # Debian keeps them out of PATH, under the major version.
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, and there is no `postgres` user to run the server as") from None
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yields the URL of its `postgres` database."""
    with postgres_cluster() as cluster:
        yield cluster.url


@dataclass
class Cluster:
    """A running throwaway cluster, which a test may stop and start again (same port, same data)."""

    url: str
    start: Callable[[], None]
    stop: Callable[[], None]


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Start a cluster of its own, for a test that stops the server."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed")
    prefix = _as_server_user()
    scratch = Path(tempfile.mkdtemp(prefix="crowdfund-pg-"))
    if prefix:
        shutil.chown(scratch, "postgres", "postgres")
    data = scratch / "data"
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        # A test cluster: durability is not wanted, speed is.
        options = f"-p {port} -k {scratch} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

        log = str(scratch / "log")

        def start() -> None:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
            wait_for_port(port)

        def stop() -> None:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")

        start()
        yield Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", start, stop)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(scratch, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database on the server; returns its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
