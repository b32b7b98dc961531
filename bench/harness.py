"""Benchmark harness: time commands, run contenders side by side, print ratios; peak RSS; MB/s.

Times are wall-clock around `subprocess.run` (so they include ~2 ms of Python spawn overhead,
the same for every contender). Contenders run interleaved, one iteration of each in turn, so
noise from other load on the machine spreads evenly instead of landing on one of them.
Benchmarks print; they never assert.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

Argv = Sequence[str]
CommandSpec = Argv | Callable[[int], Argv]


class CommandFailed(Exception):
    def __init__(self, argv: Argv, returncode: int, stderr: str):
        self.argv, self.returncode, self.stderr = list(argv), returncode, stderr
        tail = " | ".join(stderr.strip().splitlines()[-3:])
        super().__init__(f"`{' '.join(self.argv)}` exited with {returncode}" + (f": {tail}" if tail else ""))


def time_once(argv: Argv, *, env: Mapping[str, str] | None = None, timeout: float = 120) -> float:
    """Run `argv` once (stdin and stdout /dev/null) and return its wall time in ms.
    Raises CommandFailed on a non-zero exit.

    stderr goes to a temp file, not a pipe: a process the command leaves behind (a container's
    init after `create`) would hold a pipe open and make the wait hang until it exits.

    The wait is a blocking waitpid, with the timeout on a timer thread: `subprocess.run(...,
    timeout=)` polls with sleeps that grow to 50 ms, which rounded every run longer than
    ~100 ms up to the next 50 ms step.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter_ns()
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env=env)
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            proc.kill()
        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        elapsed = (time.perf_counter_ns() - start) / 1e6
        if expired.is_set():
            raise subprocess.TimeoutExpired(list(argv), timeout)
        if proc.returncode != 0:
            err.seek(0)
            raise CommandFailed(argv, proc.returncode, err.read().decode(errors="replace"))
    return elapsed


@dataclass
class Stats:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    @property
    def max(self) -> float:
        return max(self.samples_ms)

    def __str__(self) -> str:
        return f"median {self.median:.2f} ms, min {self.min:.2f}, max {self.max:.2f} (n={len(self.samples_ms)})"


def _argv(command: CommandSpec, i: int) -> Argv:
    return command(i) if callable(command) else command


def measure(
    command: CommandSpec,
    *,
    runs: int = 10,
    warmup: int = 2,
    setup: Callable[[int], None] | None = None,
    teardown: Callable[[int], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> Stats:
    """Run `command` `warmup` times untimed, then `runs` times timed; returns the timings.

    `command` is an argv or a function of the iteration number (warm-ups included, from 0) that
    returns one, e.g. for unique container ids. `setup(i)` and `teardown(i)` run around each
    iteration, untimed; teardown runs even when the command fails.
    """
    samples = []
    for i in range(warmup + runs):
        if setup:
            setup(i)
        try:
            ms = time_once(_argv(command, i), env=env)
        finally:
            if teardown:
                teardown(i)
        if i >= warmup:
            samples.append(ms)
    return Stats(samples)


@dataclass
class Contender:
    """One side of a comparison.

    requires: executables that must be installed (else skipped: "not installed")
    check:    returns a reason to skip (e.g. a probe run failed), or None
    note:     printed under the table (what differs from the others)
    """

    name: str
    command: CommandSpec
    setup: Callable[[int], None] | None = None
    teardown: Callable[[int], None] | None = None
    requires: Sequence[str] = ()
    check: Callable[[], str | None] | None = None
    env: Mapping[str, str] | None = None
    note: str = ""


@dataclass
class Result:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    skipped: str | None = None
    note: str = ""

    @property
    def stats(self) -> Stats | None:
        return Stats(self.samples_ms) if self.samples_ms and not self.skipped else None


def which(name: str) -> str | None:
    """shutil.which, also looking in the sbin dirs (runc lives in /usr/sbin on Debian)."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def run_contenders(
    contenders: Sequence[Contender],
    *,
    runs: int = 10,
    warmup: int = 2,
    baseline: str | None = None,
    title: str = "",
    out: TextIO = sys.stdout,
) -> list[Result]:
    """Run every available contender `warmup` + `runs` times, interleaved, and print a table with
    each median's ratio to `baseline`'s. Contenders that are not installed, whose check fails or
    whose command fails are skipped with the reason, and the others still run."""
    results = {c.name: Result(c.name, note=c.note) for c in contenders}
    active: list[Contender] = []
    counters = {c.name: 0 for c in contenders}
    for c in contenders:
        missing = [r for r in c.requires if which(r) is None]
        if missing:
            results[c.name].skipped = f"not installed: {', '.join(missing)}"
            continue
        if c.check:
            try:
                reason = c.check()
            except Exception as e:  # a broken peer must not stop the others
                reason = f"check failed: {e}"
            if reason:
                results[c.name].skipped = reason
                continue
        active.append(c)

    def once(c: Contender) -> float | None:
        i = counters[c.name]
        counters[c.name] += 1
        try:
            if c.setup:
                c.setup(i)
            return time_once(_argv(c.command, i), env=c.env)
        except Exception as e:
            results[c.name].skipped = f"failed: {e}"
            return None
        finally:
            if c.teardown:
                try:
                    c.teardown(i)
                except Exception as e:
                    print(f"  {c.name}: teardown {i}: {e}", file=out)

    for c in list(active):
        for _ in range(warmup):
            if once(c) is None:
                active.remove(c)
                break
    for r in range(runs):
        # rotate the order each round so no contender always runs right after the same one
        order = active[r % len(active):] + active[:r % len(active)] if active else []
        for c in order:
            if results[c.name].skipped:
                continue
            ms = once(c)
            if ms is not None:
                results[c.name].samples_ms.append(ms)
    ordered = [results[c.name] for c in contenders]
    print_table(ordered, baseline=baseline, title=title, runs=runs, warmup=warmup, out=out)
    return ordered


def ratio_text(value: float, base: float, base_name: str) -> str:
    return f"{value / base:.2f}x {base_name}"


def print_table(results: Sequence[Result], *, baseline: str | None, title: str = "", runs: int = 0,
                warmup: int = 0, out: TextIO = sys.stdout) -> None:
    if title:
        print(f"\n== {title} ({runs} runs after {warmup} warm-ups; lower is faster)", file=out)
    base = next((r.stats for r in results if r.name == baseline and r.stats), None)
    width = max([len(r.name) for r in results] + [9])
    print(f"{'contender':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  vs {baseline or '-'}", file=out)
    for r in results:
        s = r.stats
        if s is None:
            print(f"{r.name:<{width}}  skipped: {r.skipped or 'no samples'}", file=out)
            continue
        ratio = ratio_text(s.median, base.median, baseline) if base else "-"
        print(f"{r.name:<{width}}  {s.median:7.2f}ms  {s.min:7.2f}ms  {s.max:7.2f}ms  {ratio}", file=out)
    if baseline and base is None:
        print(f"(baseline {baseline} has no result, so no ratios)", file=out)
    for r in results:
        if r.note and r.stats:
            print(f"  {r.name}: {r.note}", file=out)
    summary = [f"{r.name}: {ratio_text(r.stats.median, base.median, baseline)}"
               for r in results if base and r.stats and r.name != baseline]
    if summary:
        print("  " + "; ".join(summary), file=out)


# --- memory ----------------------------------------------------------------------------------

GNU_TIME = "/usr/bin/time"


def peak_rss_kib(argv: Argv, *, env: Mapping[str, str] | None = None,
                 timeout: float = 120) -> tuple[int, int, str]:
    """Run `argv` to completion under GNU time (`/usr/bin/time -f %M`) and return
    (exit code, peak RSS in KiB, the command's stderr).

    The peak is the kernel's ru_maxrss of the process and of the descendants it waited for;
    processes it leaves running (a container's init after `create`) are not counted. GNU time
    forks from a ~1 MiB process, so its floor (`rss_floor_kib()`) is about 1 MiB. Measuring with
    os.wait4 straight from Python is wrong for small programs: the kernel keeps the high-water
    mark of the memory the child had before exec, i.e. Python's (~13 MiB here for /bin/true).
    """
    if not os.access(GNU_TIME, os.X_OK):
        return peak_rss_kib_wait4(argv, env=env)
    # stderr to a file, not a pipe: see time_once
    with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile() as err:
        proc = subprocess.run([GNU_TIME, "-q", "-o", report.name, "-f", "%x %M", *argv],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env,
                              timeout=timeout)
        fields = report.read().split()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if len(fields) < 2:
        return (proc.returncode or 1), 0, stderr
    return int(fields[-2]), int(fields[-1]), stderr


def peak_rss_kib_wait4(argv: Argv, *, env: Mapping[str, str] | None = None) -> tuple[int, int, str]:
    """The same through posix_spawn + os.wait4's ru_maxrss. Includes the spawning Python
    process's own high-water mark (see `peak_rss_kib`), so it is an upper bound only: use it
    when GNU time is missing, and compare against `rss_floor_kib(wait4=True)`."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "r+b") as null:
        actions = [
            (os.POSIX_SPAWN_DUP2, null.fileno(), 0),
            (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        pid = os.posix_spawnp(argv[0], list(argv), dict(env if env is not None else os.environ),
                              file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        err.seek(0)
        return os.waitstatus_to_exitcode(status), usage.ru_maxrss, err.read().decode(errors="replace")


def rss_floor_kib(wait4: bool = False) -> int:
    """What the measurement itself reports for `/bin/true`: subtract nothing, but read results
    close to it as "no more than this"."""
    return (peak_rss_kib_wait4 if wait4 else peak_rss_kib)(["/bin/true"])[1]


def format_kib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


# --- throughput, for pull/push/unpack benchmarks -----------------------------------------------

def dir_bytes(path: Path | str) -> int:
    """Total size of the regular files under `path` (symlinks not followed)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(dirpath, f))
            if not os.path.islink(os.path.join(dirpath, f)):
                total += st.st_size
    return total


def mb_per_s(nbytes: int, ms: float) -> float:
    """Throughput in MB/s (10^6 bytes per second) for `nbytes` moved in `ms` milliseconds."""
    return (nbytes / 1e6) / (ms / 1e3) if ms > 0 else float("inf")


def mib_per_s(nbytes: int, ms: float) -> float:
    return (nbytes / (1 << 20)) / (ms / 1e3) if ms > 0 else float("inf")


def format_rate(nbytes: int, ms: float) -> str:
    """e.g. `812.4 MB/s (64.0 MB in 78.8 ms)`."""
    return f"{mb_per_s(nbytes, ms):.1f} MB/s ({nbytes / 1e6:.1f} MB in {ms:.1f} ms)"
