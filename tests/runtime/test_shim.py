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

    def start(args, *flags):
        b = make_bundle(args, edit=lambda c: c["process"].update(terminal="--tty" in flags))
        state = tmp_path / ("state-" + uuid.uuid4().hex[:6])
        cid = "shim-" + uuid.uuid4().hex[:8]
        p = subprocess.Popen([str(SHIM), "--id", cid, "--bundle", str(b), "--state-dir", str(state), *flags],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append((p, cid, state))
        ready = p.stdout.readline()
        assert ready.startswith("ready "), p.stderr.read()
        return cid, state, p

    yield start
    for p, cid, state in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
        # a killed shim leaves its container: remove it with the runtime state it kept
        subprocess.run([str(BIN_DIR / "berth-runtime"), "--root", str(state / "runtime"), "delete", "--force", cid],
                       capture_output=True)


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


def test_shim_attach_multiplexed_with_stdin(shim):
    cid, state, proc = shim(["sh", "-c", "read line; echo got $line; echo err >&2"], "--stdin", "--stdin-once")
    sock = state / "shim.sock"
    att = send(sock, "attach", stdin=True, stdout=True, stderr=True)
    f = att.makefile("rb")
    assert json.loads(f.readline())["status"] == "created"
    ask(sock, "start")
    att.sendall(b"hello\n")
    att.shutdown(socket.SHUT_WR)
    # what follows the answer line: frames until the container is gone
    rest = f.read()
    frames = []
    while rest:
        frames.append((rest[0], rest[8:8 + int.from_bytes(rest[4:8], "big")]))
        rest = rest[8 + int.from_bytes(rest[4:8], "big"):]
    out = b"".join(d for s_, d in frames if s_ == 1)
    err = b"".join(d for s_, d in frames if s_ == 2)
    assert out == b"got hello\n" and err == b"err\n"
    proc.wait(10)


def test_shim_tty_attach_and_resize(shim):
    cid, state, proc = shim(["sh", "-c", "stty size; tty; read x; echo bye $x"], "--tty", "--stdin")
    sock = state / "shim.sock"
    ask(sock, "resize", height=33, width=120)
    att = send(sock, "attach", stdin=True, stdout=True)
    f = att.makefile("rb")
    f.readline()
    ask(sock, "start")
    time.sleep(0.3)
    att.sendall(b"now\r")
    out = f.read().decode()
    assert "33 120" in out
    assert "/dev/pts/0" in out
    assert "bye now" in out
    proc.wait(10)
