"""The extraction worker: one child process per file, under CPU, memory and time limits.

The parent (`run`) starts `python -m hindsight.service.attachments.worker`, which first
limits itself (RLIMIT_CPU, RLIMIT_AS, a lower priority), then imports the parsers and reads
the file; a parser bug or a hostile file can cost at most those limits, and never the
server's memory or its event loop. The child writes its answer as JSON to a temp file (a
pipe would fill and block on a megabyte of text). The parent waits with `wait4`, which
also reports what the child cost: CPU seconds and peak RSS, the figures of issue 15.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10
    memory_bytes: int = 512 * MIB  # address space: the interpreter and pypdf take ~100 MB
    wall_seconds: float = 60.0


@dataclass(frozen=True)
class Outcome:
    text: str | None
    reason: str | None
    cpu_seconds: float
    peak_rss_bytes: int


class Cancelled(Exception):
    """The server is stopping: the child was killed, the file is still to be read."""


def run(
    path: Path, content_type: str, limits: Limits, *, cancel: threading.Event | None = None
) -> Outcome:
    """Extract in a child process; a child past a limit is killed and says why in `reason`.
    Raises Cancelled, the child killed, as soon as `cancel` is set."""
    command = [
        sys.executable,
        "-m",
        "hindsight.service.attachments.worker",
        str(path),
        content_type,
        str(limits.cpu_seconds),
        str(limits.memory_bytes),
    ]
    with tempfile.TemporaryFile() as answer:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=answer, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + limits.wall_seconds
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if cancel is not None and cancel.is_set():
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -signal.SIGKILL
                raise Cancelled(str(path))
            if time.monotonic() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                timed_out = True
                break
            time.sleep(_POLL_SECONDS)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        cpu = usage.ru_utime + usage.ru_stime
        # Linux keeps ru_maxrss across exec, so it starts at the forking server's own size;
        # the child's VmHWM (below) is its own peak. This is the fallback for a killed child.
        rss = usage.ru_maxrss * 1024
        answer.seek(0)
        raw = answer.read()
    if timed_out:
        return Outcome(
            None, f"reading its text took longer than {limits.wall_seconds:g} s", cpu, rss
        )
    if child.returncode == -signal.SIGXCPU or child.returncode == -signal.SIGKILL:
        return Outcome(
            None, f"reading its text took more than {limits.cpu_seconds} s of CPU", cpu, rss
        )
    try:
        found = json.loads(raw)
        return Outcome(found["text"], found["reason"], cpu, found["peak_rss_kib"] * 1024)
    except (ValueError, KeyError, TypeError):
        return Outcome(None, "its text cannot be read (the reader stopped)", cpu, rss)


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    # The soft CPU limit sends SIGXCPU (the default action ends the process); the hard
    # one, a second later, SIGKILL, should SIGXCPU be caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    os.nice(10)  # searches come first on a busy machine


def main(argv: list[str]) -> int:
    path, content_type, cpu_seconds, memory_bytes = argv
    _limit_self(int(cpu_seconds), int(memory_bytes))
    from hindsight.service.attachments import extract  # parsers load under the limits

    found = extract.extract(Path(path), content_type)
    answer = {"text": found.text, "reason": found.reason, "peak_rss_kib": _peak_rss_kib()}
    sys.stdout.write(json.dumps(answer))
    return 0


def _peak_rss_kib() -> int:
    """This process's peak resident memory since exec (VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
