"""berthd can be killed and restarted without stopping containers (DESIGN.md: shims hold
them): after a restart, ps/logs/stop work on containers started before it, and those that
exited while berthd was down show their real exit code and time."""
import json
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from fixtures.berthd import berth_binary
from fixtures.cleanup import find_children
from test_docker_clients import docker  # noqa: F401  (the fixture)


@contextmanager
def killed_and_restarted(berthd, outage=2.0):
    """`kill -9` the fixture's berthd (by its PID), wait `outage` seconds, start berthd again on
    the same data root and socket; yields (time of the kill, time of the restart). The new
    daemon is stopped afterwards; the fixture then ends what is left by PID, as always."""
    proc = None
    try:
        os.kill(berthd.pid, signal.SIGKILL)
        killed = datetime.now(timezone.utc)
        time.sleep(outage)
        args = ["--data-root", str(berthd.data_root), "--host", berthd.docker_host,
                "--pidfile", str(berthd.pidfile), "--config-file", str(berthd.config_path)]
        with open(berthd.log_path, "a") as log:
            proc = subprocess.Popen([str(berth_binary("berthd")), *args], stdout=log, stderr=log)
        restarted = datetime.now(timezone.utc)
        for _ in range(200):
            if berthd.ping():
                break
            time.sleep(0.05)
        assert berthd.ping(), berthd.log_tail()
        yield killed, restarted
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)


def parse_time(text):
    """RFC 3339 with nanoseconds, as Docker writes it, to an aware datetime."""
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(
        microsecond=int((frac + "000000")[:6]), tzinfo=timezone.utc)


def test_containers_survive_a_killed_daemon(berthd, docker):  # noqa: F811
    long = docker("run", "-d", "--name", "long", "busybox", "sleep", "100").stdout.decode().strip()
    short = docker("run", "-d", "--name", "short", "busybox", "sh", "-c", "sleep 1; exit 7").stdout.decode().strip()
    assert len(long) == 64 and len(short) == 64
    with killed_and_restarted(berthd):   # `short` exits while no daemon runs
        ps = docker("ps").stdout.decode()
        assert "long" in ps and "short" not in ps
        state = json.loads(docker("inspect", "short").stdout)[0]["State"]
        assert state["Status"] == "exited" and state["ExitCode"] == 7
        assert docker("stop", "-t", "1", "long").returncode == 0
        assert json.loads(docker("inspect", "long").stdout)[0]["State"]["ExitCode"] == 137
        docker("rm", "long", "short")


COUNTER = "i=0; while {cond}; do echo $i; i=$((i+1)); sleep 0.05; done{tail}"


def assert_consecutive(docker, name):  # noqa: F811
    r = docker("logs", name)
    assert r.returncode == 0, r.stderr
    numbers = [int(x) for x in r.stdout.split()]
    assert numbers == list(range(len(numbers))), f"{name}: gap in {numbers}"
    return len(numbers)


def test_twenty_loggers_survive_kill_9(berthd, docker):  # noqa: F811
    """The issue's reliability check: 20 containers writing a numbered line every 50 ms,
    some exiting on their own while berthd is down; kill -9; restart."""
    long = [f"log{i}" for i in range(16)]
    exiting = {f"exit{i}": (11 + i, 60 + 10 * i) for i in range(4)}   # name: (exit code, lines): 3-5 s
    for name in long:
        r = docker("run", "-d", "--name", name, "busybox", "sh", "-c", COUNTER.format(cond="true", tail=""))
        assert r.returncode == 0, r.stderr
    before = {name: assert_consecutive(docker, name) for name in long}
    for name, (code, lines) in exiting.items():   # last, so that they exit while berthd is down
        r = docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                   COUNTER.format(cond=f"[ $i -lt {lines} ]", tail=f"; exit {code}"))
        assert r.returncode == 0, r.stderr
    with killed_and_restarted(berthd, outage=7) as (killed, restarted):
        running = set(docker("ps", "--format", "{{.Names}}").stdout.decode().split())
        assert running == set(long), running ^ set(long)
        time.sleep(1)
        for name in long:
            # No gap across the outage: ~140 lines were written while berthd was down.
            assert assert_consecutive(docker, name) >= before[name] + 120, name
        for name, (code, lines) in exiting.items():
            state = json.loads(docker("inspect", name).stdout)[0]["State"]
            assert (state["Status"], state["ExitCode"], state["Running"]) == ("exited", code, False), (name, state)
            finished = parse_time(state["FinishedAt"])
            assert killed < finished < restarted, (name, killed, finished, restarted)
            assert parse_time(state["StartedAt"]) < killed
            assert assert_consecutive(docker, name) == lines
            assert f"Exited ({code})" in docker("ps", "-a", "-f", f"name={name}").stdout.decode()
        r = docker("stop", "-t", "1", *long)
        assert r.returncode == 0, r.stderr
        assert docker("ps", "-q").stdout == b""
        for name in long:
            assert json.loads(docker("inspect", name).stdout)[0]["State"]["ExitCode"] == 137
        assert docker("rm", *long, *exiting).returncode == 0


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def zombie_children(pid):
    """Children of `pid` that have exited and not been reaped."""
    return find_children(pid, state="Z")


def test_exits_are_watched_by_one_thread_before_and_after_a_restart(berthd, docker):  # noqa: F811
    """berthd watches every running container's exit, and reaps every shim, from one epoll
    thread: its thread count does not grow with the containers it runs, exits are reported
    (before and after a daemon restart) and no shim is left a zombie."""
    first = docker("run", "-d", "busybox", "sleep", "1000").stdout.decode().strip()
    assert len(first) == 64
    time.sleep(0.5)
    before = threads_of(berthd.pid)
    ids = [first] + [docker("run", "-d", "busybox", "sleep", "1000").stdout.decode().strip() for _ in range(11)]
    assert all(len(i) == 64 for i in ids)
    time.sleep(0.5)
    assert threads_of(berthd.pid) < before + 4, (before, threads_of(berthd.pid))

    for i in ids[:6]:
        assert docker("kill", i).returncode == 0
    for i in ids[:6]:
        r = docker("wait", i)
        assert r.stdout.strip() == b"137", r.stderr
    deadline = time.monotonic() + 10
    while zombie_children(berthd.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert zombie_children(berthd.pid) == []

    with killed_and_restarted(berthd, outage=0.5):   # the rest are watched again by the new daemon
        pid = int(berthd.pidfile.read_text())
        for i in ids[6:]:
            assert docker("kill", i).returncode == 0
        for i in ids[6:]:
            r = docker("wait", i)
            assert r.stdout.strip() == b"137", r.stderr
        assert "Exited (137)" in docker("ps", "-a", "--filter", f"id={ids[-1]}").stdout.decode()
        assert zombie_children(pid) == []
        # While a daemon runs: the fixture's teardown would find none.
        assert docker("rm", *ids).returncode == 0
