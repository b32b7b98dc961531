"""Helpers for the restart/health/resources/stats/events tests: inspect, polling, and
restarting the test berthd the way test_live_restore does (kill -9, start again on the
same data root and socket)."""
import json
import os
import signal
import subprocess
import time

from fixtures.berthd import berth_binary


def inspect(docker, name):
    r = docker("inspect", name)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)[0]


def wait_for(predicate, timeout=20.0, interval=0.1, what="condition"):
    """Polls `predicate` until it returns a truthy value; returns it, or fails naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class DaemonRestarter:
    """Kills the fixture's berthd (SIGKILL) and starts replacements on the same data root
    and socket; `close()` removes every container through the running replacement (the
    docker fixture's cleanup comes after it, with no daemon to ask), then stops it."""

    def __init__(self, berthd, docker):
        self.berthd = berthd
        self.docker = docker
        self.proc = None

    def kill(self):
        pid = self.proc.pid if self.proc else self.berthd.pid
        os.kill(pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait(10)
        deadline = time.monotonic() + 10
        while self.berthd.ping(timeout=0.5) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self):
        b = self.berthd
        args = ["--data-root", str(b.data_root), "--host", b.docker_host,
                "--pidfile", str(b.pidfile), "--config-file", str(b.config_path)]
        log = open(b.log_path, "a")
        self.proc = subprocess.Popen([str(berth_binary("berthd")), *args], stdout=log, stderr=log,
                                     start_new_session=True)
        wait_for(lambda: b.ping(), timeout=20, what="berthd to answer /_ping again")

    def close(self):
        if not self.berthd.ping(timeout=1):
            try:
                self.start()
            except AssertionError:
                pass
        ids = self.docker("ps", "-aq").stdout.split()
        if ids:
            self.docker("rm", "-f", *[i.decode() for i in ids])
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
