"""Resource limits, `docker update`, OOM kills and `docker stats` through the real docker
CLI against a test berthd (issue 6), on cgroup v1 or v2."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from fixtures.berthd import berth_binary
from ops_helpers import inspect, wait_for
from test_docker_clients import docker  # noqa: F401  (the fixture)

MiB = 1024 * 1024


def cgroup_file(cid, controller, v1_name, v2_name):
    """The container's cgroup file on this host's layout (v1 controller dir or v2 dir)."""
    if Path("/sys/fs/cgroup/cgroup.controllers").exists():
        return Path(f"/sys/fs/cgroup/berth/{cid}/{v2_name}")
    return Path(f"/sys/fs/cgroup/{controller}/berth/{cid}/{v1_name}")


def test_memory_hog_is_oom_killed(docker):  # noqa: F811
    r = docker("run", "--name", "hog", "-m", "32m", "busybox", "sh", "-c", "x=aaaaaaaa; while :; do x=$x$x; done",
               timeout=120)
    assert r.returncode == 137, (r.returncode, r.stderr)
    c = inspect(docker, "hog")
    assert c["State"]["OOMKilled"] is True and c["State"]["ExitCode"] == 137
    assert c["HostConfig"]["Memory"] == 32 * MiB and c["HostConfig"]["MemorySwap"] == 64 * MiB
    assert "Exited (137)" in docker("ps", "-a", "--format", "{{.Status}}").stdout.decode()
    events = docker("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "container=hog",
                    "--format", "{{.Action}}").stdout.decode().split()
    assert "oom" in events and events.index("oom") < events.index("die"), events


def test_cpus_half_stays_near_half_a_cpu_in_stats(docker):  # noqa: F811
    assert docker("run", "-d", "--name", "spin", "--cpus", "0.5", "busybox", "sh", "-c", "while :; do :; done").returncode == 0
    assert inspect(docker, "spin")["HostConfig"]["NanoCpus"] == 500_000_000
    samples = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r = docker("stats", "--no-stream", "--format", "{{.CPUPerc}}", "spin")
        assert r.returncode == 0, r.stderr
        samples.append(float(r.stdout.decode().strip().rstrip("%")))
    assert len(samples) >= 2, samples
    # CFS quota caps it at 50% of one CPU; allow scheduling noise on a shared machine.
    assert max(samples) <= 58, samples
    assert sum(samples) / len(samples) <= 55, samples
    assert sum(samples) / len(samples) > 5, samples   # it does run


def test_stats_table_and_json(berthd, docker):  # noqa: F811
    docker("run", "-d", "--name", "calm", "-m", "64m", "--pids-limit", "20", "busybox", "sleep", "1000")
    r = docker("stats", "--no-stream")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/", "LIMIT", "MEM", "%",
                                "NET", "I/O", "BLOCK", "I/O", "PIDS"], lines
    row = lines[1].split()
    cid = inspect(docker, "calm")["Id"]
    assert row[0] == cid[:12] and row[1] == "calm"
    assert row[2].endswith("%") and row[5] == "64MiB" and row[-1] == "1", row
    # The API: Docker's members, one object with stream=false.
    s = json.loads(subprocess.run(["curl", "-s", "--unix-socket", str(berthd.socket), "http://x/containers/calm/stats?stream=false"],
                                  capture_output=True, timeout=20).stdout)
    assert s["id"] == cid and s["name"] == "/calm"
    assert s["memory_stats"]["limit"] == 64 * MiB and s["memory_stats"]["usage"] > 0 and "stats" in s["memory_stats"]
    assert s["pids_stats"] == {"current": 1, "limit": 20}
    cpu = s["cpu_stats"]
    assert cpu["online_cpus"] == os.cpu_count() and cpu["system_cpu_usage"] > s["precpu_stats"]["system_cpu_usage"] > 0
    assert set(cpu["cpu_usage"]) >= {"total_usage", "usage_in_kernelmode", "usage_in_usermode"}
    assert set(cpu["throttling_data"]) == {"periods", "throttled_periods", "throttled_time"}
    assert s["read"] > s["preread"] and "blkio_stats" in s
    # Streaming: a reading a second until the client goes.
    p = subprocess.Popen(["curl", "-sN", "--unix-socket", str(berthd.socket), "http://x/containers/calm/stats"],
                         stdout=subprocess.PIPE)
    try:
        first, second = json.loads(p.stdout.readline()), json.loads(p.stdout.readline())
        assert second["precpu_stats"]["system_cpu_usage"] == first["cpu_stats"]["system_cpu_usage"]
    finally:
        p.kill()
        p.wait()
    # `docker stats` streams: the table is redrawn each second.
    p = subprocess.Popen(["docker", "stats", "--format", "{{.Name}} {{.MemUsage}}", "calm"], env=berthd.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(3.5)
    finally:
        p.kill()
        out, _ = p.communicate()
    assert out.decode().count("calm ") >= 2 and "/ 64MiB" in out.decode(), out
    # A stopped container: zeros, not an error.
    docker("stop", "-t", "1", "calm")
    r = docker("stats", "--no-stream", "calm")
    assert r.returncode == 0 and "0.00%" in r.stdout.decode()


def test_limits_reach_the_cgroup_and_update_changes_them(docker):  # noqa: F811
    r = docker("run", "-d", "--name", "lim", "-m", "64m", "--memory-reservation", "32m", "--cpu-shares", "512",
               "--cpuset-cpus", "0", "--pids-limit", "30", "--cpus", "0.5", "busybox", "sleep", "1000")
    assert r.returncode == 0, r.stderr
    c = inspect(docker, "lim")
    cid = c["Id"]
    h = c["HostConfig"]
    assert (h["Memory"], h["MemoryReservation"], h["CpuShares"], h["CpusetCpus"], h["PidsLimit"], h["NanoCpus"]) == \
        (64 * MiB, 32 * MiB, 512, "0", 30, 500_000_000)
    v2 = Path("/sys/fs/cgroup/cgroup.controllers").exists()
    mem = cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")
    pids = cgroup_file(cid, "pids", "pids.max", "pids.max")
    assert int(mem.read_text()) == 64 * MiB and pids.read_text().strip() == "30"
    if not v2:
        assert cgroup_file(cid, "cpu", "cpu.cfs_quota_us", "").read_text().strip() == "50000"
        assert cgroup_file(cid, "cpu", "cpu.shares", "").read_text().strip() == "512"
        assert cgroup_file(cid, "cpuset", "cpuset.cpus", "").read_text().strip() == "0"
    r = docker("update", "--memory", "96m", "--memory-swap", "192m", "--pids-limit", "40", "--cpus", "1", "lim")
    assert r.returncode == 0 and r.stdout == b"lim\n", r.stderr
    h = inspect(docker, "lim")["HostConfig"]
    assert (h["Memory"], h["MemorySwap"], h["PidsLimit"], h["NanoCpus"]) == (96 * MiB, 192 * MiB, 40, 1_000_000_000)
    assert int(mem.read_text()) == 96 * MiB and pids.read_text().strip() == "40"
    if not v2:
        assert cgroup_file(cid, "cpu", "cpu.cfs_quota_us", "").read_text().strip() == "100000"
    # Bad updates are refused and change nothing.
    r = docker("update", "--memory", "1m", "lim")
    assert r.returncode != 0 and b"Minimum memory limit allowed is 6MB" in r.stderr
    r = docker("update", "--memory", "512m", "lim")
    assert r.returncode != 0 and b"update the memoryswap at the same time" in r.stderr
    assert inspect(docker, "lim")["HostConfig"]["Memory"] == 96 * MiB and int(mem.read_text()) == 96 * MiB
    # --oom-kill-disable and --blkio-weight (written where the host has a weight file).
    r = docker("run", "-d", "--name", "nooom", "-m", "32m", "--oom-kill-disable", "--blkio-weight", "300",
               "busybox", "sleep", "1000")
    assert r.returncode == 0, r.stderr
    n = inspect(docker, "nooom")
    weight = Path("/sys/fs/cgroup/blkio/blkio.weight").exists() or Path("/sys/fs/cgroup/blkio/blkio.bfq.weight").exists() \
        or (v2 and "io" in Path("/sys/fs/cgroup/cgroup.controllers").read_text().split())
    assert n["HostConfig"]["OomKillDisable"] is True and n["HostConfig"]["BlkioWeight"] == (300 if weight else 0)
    if not weight:   # moby's warning, which the docker CLI prints
        assert b"WARNING: Your kernel does not support Block I/O weight" in r.stderr, r.stderr
    if not v2:
        control = cgroup_file(n["Id"], "memory", "memory.oom_control", "").read_text()
        assert "oom_kill_disable 1" in control
    docker("rm", "-f", "nooom")
    r = docker("create", "--oom-kill-disable", "busybox", "true")
    assert r.returncode == 0 and b"WARNING: OOM killer is disabled for the container, but no memory limit is set" in r.stderr
    docker("rm", r.stdout.decode().strip())
    # A stopped container takes the update for its next start.
    docker("stop", "-t", "1", "lim")
    assert docker("update", "--pids-limit", "50", "lim").returncode == 0
    docker("start", "lim")
    assert pids.read_text().strip() == "50"


@pytest.mark.parametrize("flags, message", [
    (["-m", "1m"], "Minimum memory limit allowed is 6MB"),
    (["-m", "64m", "--memory-swap", "32m"], "Minimum memoryswap limit should be larger than memory limit"),
    (["--memory-swap", "64m"], "You should always set the Memory limit when using Memoryswap limit"),
    (["--memory-reservation", "1m"], "Minimum memory reservation allowed is 6MB"),
    (["-m", "16m", "--memory-reservation", "32m"], "Minimum memory limit can not be less than memory reservation limit"),
    (["--cpus", "-1"], "range of CPUs is from 0.01 to"),
    (["--cpus", "1000"], "range of CPUs is from 0.01 to"),
    (["--cpu-shares", "-5"], "invalid CPU shares -5"),
    (["--cpuset-cpus", "999"], "Requested CPUs are not available"),
    (["--cpuset-cpus", "a-b"], "Invalid value a-b for cpuset cpus"),
    (["--blkio-weight", "5"], "Range of blkio weight is from 10 to 1000"),
    (["--cpu-period", "100"], "CPU cfs period can not be less than 1ms"),
    (["--memory-swappiness", "200"], "alid memory swappiness range is 0-100"),
    (["--health-interval", "1ns", "--health-cmd", "true"], "Interval in Healthcheck cannot be less than 1ms"),
])
def test_bad_limits_are_refused_and_leave_nothing(berthd, docker, flags, message):  # noqa: F811
    r = docker("run", "-d", "--name", "bad", *flags, "busybox", "true")
    assert r.returncode == 125, (r.returncode, r.stderr)
    assert message.encode() in r.stderr, r.stderr
    assert docker("ps", "-aq").stdout == b""
    assert list((berthd.data_root / "containers").iterdir()) == []


def test_negative_limits_over_the_api(berthd, docker):  # noqa: F811
    for host in [{"Memory": -1}, {"NanoCpus": -5}, {"CpuShares": -2}, {"BlkioWeight": 2000},
                 {"RestartPolicy": {"Name": "bogus"}}, {"AutoRemove": True, "RestartPolicy": {"Name": "always"}}]:
        r = berthd.request("POST", "/containers/create", body={"Image": "busybox", "Cmd": ["true"], "HostConfig": host})
        assert r.status == 400, (host, r.status, r.text)
        assert r.json()["message"], r.text
    assert berthd.request("GET", "/containers/json?all=1").json() == []


def test_berth_cli_stats_and_update(berthd, docker):  # noqa: F811
    berth = berth_binary("berth")
    if berth is None:
        pytest.skip("berth is not built")
    docker("run", "-d", "--name", "bc", "-m", "48m", "busybox", "sleep", "1000")
    r = subprocess.run([str(berth), "stats", "--no-stream"], env=berthd.env, capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0].split()[:4] == ["CONTAINER", "ID", "NAME", "CPU"] and "48MiB" in lines[1], lines
    r = subprocess.run([str(berth), "update", "--memory", "56m", "bc"], env=berthd.env, capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stdout == b"bc\n", r.stderr
    assert inspect(docker, "bc")["HostConfig"]["Memory"] == 56 * MiB
    r = subprocess.run([str(berth), "update", "bc"], env=berthd.env, capture_output=True, timeout=30)
    assert r.returncode != 0 and b"you must provide one or more flags" in r.stderr
