"""The benchmark harness's own behaviour (no root, no timing assertions beyond sanity)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH_DIR))

import harness  # noqa: E402
from harness import Contender, measure, mb_per_s, peak_rss_kib, run_contenders  # noqa: E402


def test_measure_counts_runs_and_calls_setup_teardown():
    calls = []
    stats = measure(lambda i: ["true"], runs=4, warmup=2,
                    setup=lambda i: calls.append(("setup", i)), teardown=lambda i: calls.append(("teardown", i)))
    assert len(stats.samples_ms) == 4
    assert stats.min <= stats.median <= stats.max
    assert [c for c in calls if c[0] == "setup"] == [("setup", i) for i in range(6)]


def test_contenders_skip_missing_and_failing_and_print_ratios():
    out = io.StringIO()
    ids = []
    results = run_contenders([
        Contender("base", lambda i: ids.append(i) or ["true"]),
        Contender("missing", ["nonexistent-berth-tool"], requires=["nonexistent-berth-tool"]),
        Contender("fails", ["sh", "-c", "echo nope >&2; exit 3"]),
        Contender("checked", ["true"], check=lambda: "probe said no"),
        Contender("other", ["sh", "-c", ":"]),
    ], runs=3, warmup=1, baseline="base", title="t", out=out)
    by = {r.name: r for r in results}
    assert len(by["base"].samples_ms) == 3 and ids == [0, 1, 2, 3]
    assert by["missing"].skipped == "not installed: nonexistent-berth-tool"
    assert "exited with 3" in by["fails"].skipped and "nope" in by["fails"].skipped
    assert by["checked"].skipped == "probe said no"
    text = out.getvalue()
    assert "1.00x base" in text and "other: " in text and "x base" in text


def test_peak_rss_sees_allocation():
    code, small, _ = peak_rss_kib(["true"])
    assert code == 0 and 0 < small < 8 * 1024
    code, big, _ = peak_rss_kib([sys.executable, "-c", "b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096])"])
    assert code == 0 and big > 64 * 1024


def test_peak_rss_reports_exit_code_and_stderr():
    code, _, err = peak_rss_kib(["sh", "-c", "echo oops >&2; exit 5"])
    assert (code, err) == (5, "oops\n")


def test_rates():
    assert mb_per_s(10_000_000, 1000) == 10.0
    assert harness.format_rate(50_000_000, 500).startswith("100.0 MB/s")
