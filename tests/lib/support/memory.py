"""A process's memory as the kernel counts it (/proc/PID/status), for the tests that show
the gateway's memory stays bounded whatever it is sent."""

from __future__ import annotations

from pathlib import Path


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field}")


def rss(pid: int) -> int:
    """The process's resident memory in bytes (VmRSS)."""
    return _status(pid, "VmRSS")


def peak_rss(pid: int) -> int:
    """The most resident memory the process has had since it started or since
    `reset_peak_rss` (VmHWM): what a short spike took, freed or not."""
    return _status(pid, "VmHWM")


def reset_peak_rss(pid: int) -> None:
    """Start counting the peak afresh from the process's resident memory now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
