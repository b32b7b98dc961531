"""Restart policies and health checks through the real docker CLI against a test berthd
(issue 6): a `--restart always` container whose process is killed from the host comes
back each time, also across a berthd kill -9; stop ends the policy; a failing
HEALTHCHECK turns the container unhealthy in ps and inspect."""
import os
import signal
import time

from ops_helpers import DaemonRestarter, inspect, wait_for
from test_docker_clients import docker, rootfs_tar  # noqa: F401  (the fixture)


def kill_container_process(docker, name):  # noqa: F811
    """SIGKILL the container's main process from the host, by the PID inspect gives."""
    state = inspect(docker, name)["State"]
    assert state["Running"] and state["Pid"] > 0, state
    os.kill(state["Pid"], signal.SIGKILL)
    return state["Pid"]


def wait_restarted(docker, name, count, old_pid):  # noqa: F811
    def back():
        c = inspect(docker, name)
        s = c["State"]
        return c if s["Status"] == "running" and s["Pid"] not in (0, old_pid) and c["RestartCount"] == count else None
    return wait_for(back, timeout=30, what=f"{name} to run again with RestartCount {count}")


def test_restart_always_comes_back_five_times_across_a_daemon_kill(berthd, docker):  # noqa: F811
    r = docker("run", "-d", "--name", "phoenix", "--restart", "always", "busybox", "sleep", "1000")
    assert r.returncode == 0, r.stderr
    c = inspect(docker, "phoenix")
    assert c["HostConfig"]["RestartPolicy"] == {"Name": "always", "MaximumRetryCount": 0}
    assert c["RestartCount"] == 0
    daemon = DaemonRestarter(berthd, docker)
    try:
        for i in range(1, 6):
            if i == 3:
                # berthd killed while the container runs: the new daemon keeps the policy.
                daemon.kill()
                daemon.start()
            if i == 4:
                # The process dies while no daemon runs: the next daemon restarts it.
                daemon.kill()
                old = kill_container_process_without_daemon(berthd, docker, "phoenix")
                daemon.start()
            else:
                old = kill_container_process(docker, "phoenix")
            c = wait_restarted(docker, "phoenix", i, old)
            assert c["State"]["Restarting"] is False
        ps = docker("ps", "--filter", "name=phoenix", "--format", "{{.Status}}").stdout.decode()
        assert ps.startswith("Up "), ps
        # A stop by the user ends the restarts.
        assert docker("stop", "-t", "1", "phoenix").returncode == 0
        time.sleep(1)
        c = inspect(docker, "phoenix")
        assert c["State"]["Status"] == "exited" and c["RestartCount"] == 5
    finally:
        daemon.close()


def kill_container_process_without_daemon(berthd, docker, name):  # noqa: F811
    """The container's PID from its state on disk (the daemon is down), then SIGKILL."""
    import json
    cid = None
    for d in (berthd.data_root / "containers").iterdir():
        doc = json.loads((d / "container.json").read_text())
        if doc.get("name") == name:
            cid, pid = d.name, doc["state"]["pid"]
    assert cid and pid > 0
    os.kill(pid, signal.SIGKILL)
    return pid


def test_on_failure_stops_after_its_retries_with_backoff(docker):  # noqa: F811
    start = time.monotonic()
    r = docker("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c", "exit 3")
    assert r.returncode == 0, r.stderr

    def done():
        c = inspect(docker, "flaky")
        return c if c["State"]["Status"] == "exited" and c["RestartCount"] == 3 else None
    c = wait_for(done, timeout=20, what="three restarts")
    time.sleep(1.0)   # no fourth one
    c = inspect(docker, "flaky")
    assert c["RestartCount"] == 3 and c["State"]["ExitCode"] == 3 and c["State"]["Status"] == "exited"
    # 100 + 200 + 400 ms of backoff at least.
    assert time.monotonic() - start >= 0.7
    assert "Exited (3)" in docker("ps", "-a", "--filter", "name=flaky", "--format", "{{.Status}}").stdout.decode()
    # A success is not a failure: on-failure leaves exit 0 alone.
    docker("run", "-d", "--name", "fine", "--restart", "on-failure", "busybox", "true")
    time.sleep(1.0)
    assert inspect(docker, "fine")["RestartCount"] == 0


def test_restarting_state_is_visible(docker):  # noqa: F811
    docker("run", "-d", "--name", "looper", "--restart", "always", "busybox", "sh", "-c", "exit 1")

    def restarting():
        ps = docker("ps", "--filter", "name=looper", "--format", "{{.Status}}").stdout.decode()
        return ps if ps.startswith("Restarting (1)") else None
    wait_for(restarting, timeout=30, interval=0.02, what="a Restarting (1) status in ps")
    # docker stop ends a restart loop even between two runs.
    assert docker("stop", "-t", "1", "looper").returncode == 0
    time.sleep(0.5)
    assert inspect(docker, "looper")["State"]["Status"] == "exited"
    # Between two runs: exec is refused in Docker's words, kill ends the loop.
    docker("run", "-d", "--name", "looper2", "--restart", "always", "busybox", "sh", "-c", "sleep 0.3; exit 1")

    def between():
        c = inspect(docker, "looper2")
        return c if c["State"]["Restarting"] and c["RestartCount"] >= 3 else None
    wait_for(between, timeout=60, interval=0.01, what="looper2 to wait between restarts")
    r = docker("exec", "looper2", "true")
    if r.returncode != 0 and b"is restarting, wait until the container is running" not in r.stderr:
        assert b"is not running" in r.stderr, r.stderr   # it may have just started again
    assert docker("kill", "looper2").returncode == 0
    time.sleep(1)
    assert inspect(docker, "looper2")["State"]["Status"] == "exited"


def test_daemon_start_restarts_always_but_not_stopped_unless_stopped(berthd, docker):  # noqa: F811
    for name, policy in [("alw", "always"), ("unl", "unless-stopped"), ("unl2", "unless-stopped")]:
        assert docker("run", "-d", "--name", name, "--restart", policy, "busybox", "sleep", "1000").returncode == 0
    assert docker("stop", "-t", "1", "alw", "unl").returncode == 0
    daemon = DaemonRestarter(berthd, docker)
    try:
        daemon.kill()
        daemon.start()
        wait_for(lambda: inspect(docker, "alw")["State"]["Status"] == "running", what="alw to start at boot")
        time.sleep(0.5)
        assert inspect(docker, "unl")["State"]["Status"] == "exited"
        assert inspect(docker, "unl2")["State"]["Status"] == "running"
    finally:
        daemon.close()


def test_bad_restart_policies_are_refused_and_leave_nothing(docker):  # noqa: F811
    r = docker("run", "-d", "--restart", "sometimes", "busybox", "true")
    assert r.returncode == 125
    assert b"invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" in r.stderr
    r = docker("create", "--restart", "always:3", "busybox", "true")
    assert r.returncode != 0 and b"maximum retry count can only be used with 'on-failure'" in r.stderr
    r = docker("create", "--restart", "on-failure:-2", "busybox", "true")
    assert r.returncode != 0 and b"maximum retry count cannot be negative" in r.stderr
    assert docker("ps", "-aq").stdout == b""


def test_update_changes_the_restart_policy(docker):  # noqa: F811
    docker("run", "-d", "--name", "later", "busybox", "sleep", "1000")
    r = docker("update", "--restart", "always", "later")
    assert r.returncode == 0 and r.stdout == b"later\n", r.stderr
    assert inspect(docker, "later")["HostConfig"]["RestartPolicy"]["Name"] == "always"
    old = kill_container_process(docker, "later")
    wait_restarted(docker, "later", 1, old)
    # docker kill is the user's: no restart.
    assert docker("kill", "later").returncode == 0
    time.sleep(1)
    c = inspect(docker, "later")
    assert c["State"]["Status"] == "exited" and c["State"]["ExitCode"] == 137 and c["RestartCount"] == 1
    # docker start clears the count, as in Docker.
    assert docker("start", "later").returncode == 0
    assert inspect(docker, "later")["RestartCount"] == 0


def test_failing_healthcheck_turns_unhealthy(docker):  # noqa: F811
    r = docker("run", "-d", "--name", "doc", "--health-cmd", "cat /tmp/ok", "--health-interval", "1s",
               "--health-retries", "2", "--health-timeout", "2s",
               "busybox", "sh", "-c", "echo fine > /tmp/ok; sleep 3; rm /tmp/ok; sleep 1000")
    assert r.returncode == 0, r.stderr

    def status():
        return docker("ps", "--filter", "name=doc", "--format", "{{.Status}}").stdout.decode().strip()
    assert status().endswith("(health: starting)"), status()
    wait_for(lambda: status().endswith("(healthy)"), timeout=10, what="(healthy) in ps")
    h = inspect(docker, "doc")["State"]["Health"]
    assert h["Status"] == "healthy" and h["FailingStreak"] == 0
    assert h["Log"][-1]["ExitCode"] == 0 and h["Log"][-1]["Output"] == "fine\n"
    wait_for(lambda: status().endswith("(unhealthy)"), timeout=15, what="(unhealthy) in ps")
    c = inspect(docker, "doc")
    h = c["State"]["Health"]
    assert h["Status"] == "unhealthy" and h["FailingStreak"] >= 2
    assert 1 <= len(h["Log"]) <= 5
    last = h["Log"][-1]
    assert last["ExitCode"] == 1 and "No such file" in last["Output"] and last["Start"] <= last["End"]
    assert c["Config"]["Healthcheck"] == {"Test": ["CMD-SHELL", "cat /tmp/ok"], "Interval": 1_000_000_000,
                                          "Timeout": 2_000_000_000, "Retries": 2}
    assert docker("ps", "-q", "--filter", "health=unhealthy").stdout.decode().split() == [c["Id"][:12]]
    assert docker("ps", "-q", "--filter", "health=healthy").stdout == b""
    assert docker("ps", "-q", "--filter", "health=bogus").returncode != 0
    events = docker("events", "--since", "0", "--until", str(int(time.time()) + 1),
                    "--filter", "event=health_status", "--format", "{{.Action}}").stdout.decode().split("\n")
    assert events[:2] == ["health_status: healthy", "health_status: unhealthy"], events
    # As in moby, each probe is an exec with its events.
    probes = docker("events", "--since", "0", "--until", str(int(time.time()) + 1),
                    "--filter", "event=exec_create", "--format", "{{.Action}}").stdout.decode().split("\n")
    assert probes[0] == "exec_create: /bin/sh -c cat /tmp/ok", probes


def test_image_healthcheck_timeout_and_no_healthcheck(docker, busybox_rootfs):  # noqa: F811
    r = docker("import", "-c", "ENV PATH=/bin", "-c", 'CMD ["sleep", "1000"]',
               "-c", "HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD sleep 5", "-",
               "slowcheck:latest", input=rootfs_tar(busybox_rootfs))
    assert r.returncode == 0, r.stderr
    assert docker("run", "-d", "--name", "slow", "slowcheck").returncode == 0
    wait_for(lambda: (inspect(docker, "slow")["State"].get("Health") or {}).get("Status") == "unhealthy",
             timeout=15, what="a timed-out probe to make it unhealthy")
    last = inspect(docker, "slow")["State"]["Health"]["Log"][-1]
    assert last["ExitCode"] == -1 and last["Output"] == "Health check exceeded timeout (1s)"
    # --no-healthcheck turns the image's check off; --health-cmd overrides only the test.
    assert docker("run", "-d", "--name", "nocheck", "--no-healthcheck", "slowcheck").returncode == 0
    c = inspect(docker, "nocheck")
    assert "Health" not in c["State"] and c["Config"]["Healthcheck"]["Test"] == ["NONE"]
    assert docker("run", "-d", "--name", "quick", "--health-cmd", "true", "slowcheck").returncode == 0
    hc = inspect(docker, "quick")["Config"]["Healthcheck"]
    assert hc["Test"] == ["CMD-SHELL", "true"] and hc["Interval"] == 1_000_000_000 and hc["Retries"] == 1
    wait_for(lambda: (inspect(docker, "quick")["State"].get("Health") or {}).get("Status") == "healthy",
             timeout=10, what="quick to be healthy")
    docker("rm", "-f", "slow", "nocheck", "quick")
    docker("rmi", "slowcheck")



def test_start_period_failures_do_not_count(docker):  # noqa: F811
    r = docker("run", "-d", "--name", "warming", "--health-cmd", "false", "--health-interval", "30s",
               "--health-start-period", "20s", "--health-start-interval", "500ms", "--health-retries", "1",
               "busybox", "sleep", "1000")
    assert r.returncode == 0, r.stderr
    # Probes every 500 ms during the start period; their failures leave it starting.
    h = wait_for(lambda: (lambda h: h if len(h["Log"]) >= 3 else None)(inspect(docker, "warming")["State"]["Health"]),
                 timeout=10, what="three probes in the start period")
    assert h["Status"] == "starting" and h["FailingStreak"] == 0
    assert all(entry["ExitCode"] == 1 for entry in h["Log"])
