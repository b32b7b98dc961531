"""bench/run.py's command line, and one smoke run of the runtime benchmark (root): it must
print a row per contender and leave no container, cgroup or temp dir behind. No timing checks."""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

from fixtures.cleanup import find_cgroup_dirs
from fixtures.host import require_root, require_tool

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def bench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=timeout)


def test_help_lists_benchmarks():
    r = bench("--help")
    assert r.returncode == 0
    assert "--only NAME" in r.stdout and "--runs N" in r.stdout
    assert "runtime" in r.stdout


def test_unknown_benchmark_is_an_error():
    r = bench("--only", "no-such-bench")
    assert r.returncode == 2 and "unknown benchmark" in r.stderr


def test_runtime_benchmark_smoke():
    require_root()
    require_tool("runc", "runc")
    before = set(glob.glob("/tmp/berth-bench-runtime-*"))
    r = bench("--only", "runtime", "--runs", "2", "--warmup", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    for row in ("berth-runtime", "runc", "crun", "floor"):
        assert any(line.startswith(row) for line in out.splitlines()), f"no {row} row in:\n{out}"
    assert "1.00x runc" in out
    assert "peak RSS of `create`" in out
    assert set(glob.glob("/tmp/berth-bench-runtime-*")) == before
    assert not find_cgroup_dirs("berth-bench-")
    listed = subprocess.run(["runc", "list", "-q"], capture_output=True, text=True).stdout.split()
    assert not [c for c in listed if c.startswith("berth-bench-")]


def test_daemon_benchmark_smoke(monkeypatch):
    """A tiny daemon benchmark, berth only: it must print its tables and remove its containers."""
    require_root()
    from fixtures.berthd import berth_binary, bin_dir

    if berth_binary("berthd") is None or berth_binary("berth") is None:
        import pytest

        pytest.skip("berthd/berth are not built (set BERTH_BIN_DIR)")
    monkeypatch.setenv("BERTH_BIN_DIR", str(bin_dir()))   # the bench's own default is /usr/local/bin
    before = set(glob.glob("/tmp/berth-bench-daemon-*"))
    r = bench("--only", "daemon", "--runs", "3", "--warmup", "0", "--idle", "3", "--burst", "5", "--no-peers")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert any(line.startswith("berth ") for line in out.splitlines()), out
    assert "per-container monitor PSS" in out and "berth-shim" in out
    assert "berthd idle (after start)" in out
    assert "ps with 5 running" in out
    assert set(glob.glob("/tmp/berth-bench-daemon-*")) == before
