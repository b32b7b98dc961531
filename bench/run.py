#!/usr/bin/env python3
"""Berth benchmarks: `python3 bench/run.py [--only NAME] [--runs N] [--warmup N]` (what `make bench` runs).

Each benchmark is a module `bench/bench_NAME.py` with NAME, DESCRIPTION and `main(opts) -> int`;
add it to BENCHMARKS below. Benchmarks print tables with ratios against a peer; they never fail
on a number, only on a broken harness.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# harness and bench modules import as top-level modules; the busybox and cleanup helpers come
# from the test fixtures package.
for p in (BENCH_DIR, REPO_ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

# name -> (module, one-line description). Descriptions live here so --help needs no imports.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "runtime": ("bench_runtime", "run /bin/true in a busybox bundle (5 namespaces, 64 MiB limit): "
                                 "berth-runtime vs runc, crun and the unshare+chroot floor; peak RSS of create"),
    "daemon": ("bench_daemon", "run --rm busybox true through CLI and daemon: berth vs docker and podman; "
                               "daemon RSS, per-container shim PSS, run -d rate and ps latency"),
    "pull": ("bench_pull", "cold pull of a debootstrap bookworm image (5 gzip layers) from a local registry: "
                           "berth vs docker and the sha256sum + gzip -dc | tar -x floor; MB/s"),
    "network": ("bench_network", "docker run --rm busybox true on the default bridge minus --network none: berthd vs dockerd"),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    listing = "\n".join(f"  {name:<10} {desc}" for name, (_, desc) in BENCHMARKS.items())
    p = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Run Berth's benchmarks side by side with the peers installed here (root needed for most).",
        epilog=f"benchmarks:\n{listing}\n\nenvironment: BERTH_BIN_DIR = directory of berth-runtime/berthd "
               "(default /usr/local/bin for benchmarks)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run only this benchmark (repeatable, or comma-separated)")
    p.add_argument("--runs", type=int, default=20, metavar="N", help="timed runs per contender (default 20)")
    p.add_argument("--warmup", type=int, default=3, metavar="N", help="untimed warm-up runs (default 3)")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--idle", type=int, default=100, metavar="N",
                   help="daemon: idle containers per engine for shim PSS and run -d rate (default 100)")
    p.add_argument("--burst", type=int, default=500, metavar="N",
                   help="daemon: berth containers started in a row for run -d rate and ps latency (default 500)")
    p.add_argument("--no-peers", action="store_true", help="daemon: berth only (no dockerd, podman, containerd)")
    opts = p.parse_args(argv)
    if opts.runs < 1 or opts.warmup < 0:
        p.error("--runs must be at least 1 and --warmup at least 0")
    if opts.idle < 1 or opts.burst < 0:
        p.error("--idle must be at least 1 and --burst at least 0")
    return opts


def _terminate(signum, _frame):
    # Turn SIGTERM into an exception so the benchmarks' finally blocks delete their containers,
    # cgroups and temp dirs.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    opts = parse_args(argv)
    if opts.list:
        for name, (_, desc) in BENCHMARKS.items():
            print(f"{name:<10} {desc}")
        return 0
    names = list(BENCHMARKS)
    if opts.only:
        names = [n.strip() for item in opts.only for n in item.split(",") if n.strip()]
        unknown = [n for n in names if n not in BENCHMARKS]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
    status = 0
    for name in names:
        module = importlib.import_module(BENCHMARKS[name][0])
        print(f"# {name}: {BENCHMARKS[name][1]}")
        start = time.monotonic()
        rc = module.main(opts)
        print(f"# {name}: done in {time.monotonic() - start:.1f}s\n")
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
