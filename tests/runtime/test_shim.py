"""berth-shim: creates the container, holds its output in the json-file log, answers
start/state/kill/wait on its socket, writes exit.json, and leaves nothing behind."""
import json
import os
import socket
import subprocess
import time
import uuid

import pytest

from conftest import BIN_DIR
from helpers import cgroup_dirs

SHIM = BIN_DIR / "berth-shim"


def send(sock_path, op, **extra):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(str(sock_path))
    s.sendall((json.dumps({"op": op, **extra}) + "\n").encode())
    return s


def answer(s):
    line = s.makefile().readline()
    s.close()
    return json.loads(line)


def ask(sock_path, op, **extra):
    return answer(send(sock_path, op, **extra))


@pytest.fixture
def shim(make_bundle, tmp_path):
    if not SHIM.exists():
        pytest.skip("berth-shim not built")
    procs = []

    def start(args):
        b = make_bundle(args)
        state = tmp_path / ("state-" + uuid.uuid4().hex[:6])
        cid = "shim-" + uuid.uuid4().hex[:8]
        p = subprocess.Popen([str(SHIM), "--id", cid, "--bundle", str(b), "--state-dir", str(state)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(p)
        ready = p.stdout.readline()
        assert ready.startswith("ready "), p.stderr.read()
        return cid, state, p

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_shim_runs_logs_and_reports_exit(shim):
    cid, state, proc = shim(["sh", "-c", "echo out1; echo err1 >&2; printf partial; exit 3"])
    sock = state / "shim.sock"
    assert ask(sock, "state")["status"] == "created"
    waiter = send(sock, "wait")
    assert ask(sock, "start")["status"] in ("running", "stopped")
    done = answer(waiter)
    assert done["exitCode"] == 3 and done["status"] == "stopped"
    proc.wait(10)
    entries = [json.loads(l) for l in (state / "json.log").read_text().splitlines()]
    by_stream = {(e["stream"], e["log"]) for e in entries}
    assert ("stdout", "out1\n") in by_stream and ("stderr", "err1\n") in by_stream
    assert ("stdout", "partial") in by_stream
    assert all(e["time"].endswith("Z") for e in entries)
    assert json.loads((state / "exit.json").read_text())["exitCode"] == 3
    assert not sock.exists()
    assert not cgroup_dirs(cid)


def test_shim_kill(shim):
    cid, state, proc = shim(["sleep", "100"])
    sock = state / "shim.sock"
    ask(sock, "start")
    assert ask(sock, "state")["status"] == "running"
    waiter = send(sock, "wait")
    ask(sock, "kill", signal=9)
    assert answer(waiter)["exitCode"] == 137
    proc.wait(10)
    assert not cgroup_dirs(cid)


def test_shim_survives_its_starter(shim):
    """The shim is in its own session: the container outlives the process that started it."""
    cid, state, proc = shim(["sleep", "100"])
    assert os.getsid(proc.pid) == proc.pid
    sock = state / "shim.sock"
    ask(sock, "start")
    waiter = send(sock, "wait")
    # pid 1 without a handler ignores SIGTERM (as in Docker, where stop then sends SIGKILL)
    ask(sock, "kill", signal=15)
    time.sleep(0.3)
    assert ask(sock, "state")["status"] == "running"
    ask(sock, "kill", signal=9)
    assert answer(waiter)["exitCode"] == 137
    proc.wait(10)
    assert json.loads((state / "exit.json").read_text())["exitCode"] == 137
