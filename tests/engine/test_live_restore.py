"""berthd can be killed and restarted without stopping containers (DESIGN.md: shims hold
them): after a restart, ps/stop work on containers started before it, and one that exited
while berthd was down shows its real exit code."""
import json
import os
import signal
import subprocess
import time

from test_docker_clients import docker  # noqa: F401  (the fixture)


def test_containers_survive_a_killed_daemon(berthd, docker):  # noqa: F811
    long = docker("run", "-d", "--name", "long", "busybox", "sleep", "100").stdout.decode().strip()
    short = docker("run", "-d", "--name", "short", "busybox", "sh", "-c", "sleep 1; exit 7").stdout.decode().strip()
    assert len(long) == 64 and len(short) == 64
    proc = None
    try:
        os.kill(berthd.pid, signal.SIGKILL)
        time.sleep(2)   # `short` exits while no daemon runs
        from fixtures.berthd import berth_binary
        args = ["--data-root", str(berthd.data_root), "--host", berthd.docker_host,
                "--pidfile", str(berthd.pidfile), "--config-file", str(berthd.config_path)]
        log = open(berthd.log_path, "a")
        proc = subprocess.Popen([str(berth_binary("berthd")), *args], stdout=log, stderr=log)
        for _ in range(100):
            if berthd.ping():
                break
            time.sleep(0.1)
        assert berthd.ping(), berthd.log_tail()
        ps = docker("ps").stdout.decode()
        assert "long" in ps and "short" not in ps
        state = json.loads(docker("inspect", "short").stdout)[0]["State"]
        assert state["Status"] == "exited" and state["ExitCode"] == 7
        assert docker("stop", "-t", "1", "long").returncode == 0
        assert json.loads(docker("inspect", "long").stdout)[0]["State"]["ExitCode"] == 137
        docker("rm", "long", "short")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
