"""`docker run` flags of the daemon issue, each checked from inside a real container: --init,
--tmpfs, --ulimit, --security-opt, --env-file, --label, --read-only, --cap-add/--cap-drop,
--privileged, -w, -u, --hostname, --entrypoint, --network none|host."""
import json
import re
import time

from test_docker_clients import docker  # noqa: F401  (the fixture)


def out(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout.decode()


def run(docker, *args):  # noqa: F811
    return out(docker("run", "--rm", *args))


def cap_mask(status_text, field):
    return int(re.search(rf"^{field}:\s*([0-9a-f]+)$", status_text, re.M).group(1), 16)


def zombies(docker, name):  # noqa: F811
    stats = out(docker("exec", name, "sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null"))
    return [line for line in stats.splitlines() if re.search(r"\) Z ", line)]


def test_init_is_pid_1_and_reaps_zombies(docker):  # noqa: F811
    assert run(docker, "--init", "busybox", "cat", "/proc/1/cmdline").split("\0")[:3] == \
        ["/sbin/docker-init", "--", "cat"]
    # An orphan is reparented to pid 1 and exits: only an init that reaps leaves no zombie.
    orphan = "(sleep 0.2 &); exec sleep 100"
    docker("run", "-d", "--name", "noinit", "busybox", "sh", "-c", orphan)
    docker("run", "-d", "--name", "withinit", "--init", "busybox", "sh", "-c", orphan)
    time.sleep(1.5)
    assert len(zombies(docker, "noinit")) == 1   # sleep as pid 1 does not reap: the test can see one
    assert zombies(docker, "withinit") == []


def test_init_forwards_signals(docker):  # noqa: F811
    # Without an init, `sleep` as pid 1 ignores SIGTERM; berth-init passes it on.
    docker("run", "-d", "--name", "fwd", "--init", "busybox", "sleep", "100")
    t0 = time.monotonic()
    assert docker("stop", "-t", "20", "fwd").returncode == 0
    assert time.monotonic() - t0 < 10
    assert json.loads(out(docker("inspect", "fwd")))[0]["State"]["ExitCode"] == 143
    docker("run", "-d", "--name", "trap", "--init", "busybox", "sh", "-c",
           "trap 'echo got USR1; exit 3' USR1; while true; do sleep 0.1; done")
    time.sleep(0.5)
    assert docker("kill", "-s", "USR1", "trap").returncode == 0
    assert out(docker("wait", "trap")).strip() == "3"
    assert "got USR1" in out(docker("logs", "trap"))


def test_tmpfs_with_size(docker):  # noqa: F811
    text = run(docker, "--tmpfs", "/run:size=1m", "busybox", "sh", "-c", "df -k /run | tail -1; grep ' /run ' /proc/mounts")
    df, mount = text.splitlines()
    assert df.split()[:2] == ["tmpfs", "1024"]
    opts = mount.split()[3].split(",")
    assert mount.split()[2] == "tmpfs" and {"nosuid", "nodev", "noexec", "rw"} <= set(opts)
    assert docker("run", "--rm", "--tmpfs", "relative", "busybox", "true").returncode != 0


def test_ulimit(docker):  # noqa: F811
    assert run(docker, "--ulimit", "nofile=100:200", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn").split() == ["100", "200"]
    r = docker("run", "--rm", "--ulimit", "nofile=300:200", "busybox", "true")
    assert r.returncode != 0 and b"soft limit" in r.stderr


def test_security_opts(docker, tmp_path):  # noqa: F811
    assert "NoNewPrivs:\t0" in run(docker, "busybox", "cat", "/proc/self/status")
    assert "NoNewPrivs:\t1" in run(docker, "--security-opt", "no-new-privileges", "busybox", "cat", "/proc/self/status")
    assert "Seccomp:\t2" in run(docker, "busybox", "cat", "/proc/self/status")
    assert "Seccomp:\t0" in run(docker, "--security-opt", "seccomp=unconfined", "busybox", "cat", "/proc/self/status")
    # A profile of our own (the docker CLI sends its JSON): everything allowed but mkdir.
    profile = tmp_path / "seccomp.json"
    profile.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}))
    r = docker("run", "--rm", "--security-opt", f"seccomp={profile}", "busybox", "sh", "-c",
               "grep Seccomp: /proc/self/status; touch /tmp/f && echo touched; mkdir /tmp/d")
    assert r.returncode == 1 and "Seccomp:\t2\ntouched\n" == r.stdout.decode()
    assert b"Operation not permitted" in r.stderr
    assert docker("run", "--rm", "--security-opt", "bogus=1", "busybox", "true").returncode != 0


def test_env_file_and_labels(docker, tmp_path):  # noqa: F811
    env_file = tmp_path / "env"
    env_file.write_text("# a comment\nFOO=bar baz\nEMPTY=\nLATER=0\n")
    r = docker("run", "--rm", "--env-file", str(env_file), "-e", "LATER=1", "busybox", "sh", "-c",
               'echo "$FOO|$EMPTY|${EMPTY-unset}|$LATER"')
    assert out(r) == "bar baz|||1\n"   # -e comes after the file and wins
    docker("run", "-d", "--name", "lab1", "--label", "team=a", "--label", "solo", "busybox", "sleep", "100")
    docker("run", "-d", "--name", "lab2", "--label", "team=b", "busybox", "sleep", "100")
    assert out(docker("ps", "-f", "label=team=a", "--format", "{{.Names}}")) == "lab1\n"
    assert out(docker("ps", "-f", "label=solo", "--format", "{{.Names}}")) == "lab1\n"
    assert sorted(out(docker("ps", "-f", "label=team", "--format", "{{.Names}}")).split()) == ["lab1", "lab2"]
    assert json.loads(out(docker("inspect", "-f", "{{json .Config.Labels}}", "lab1"))) == {"team": "a", "solo": ""}


def test_read_only_rootfs(docker):  # noqa: F811
    r = docker("run", "--rm", "--read-only", "busybox", "sh", "-c", "touch /x")
    assert r.returncode == 1 and b"Read-only file system" in r.stderr
    # /dev/shm and --tmpfs stay writable, as in Docker.
    assert run(docker, "--read-only", "--tmpfs", "/tmp", "busybox", "sh", "-c", "touch /tmp/x /dev/shm/y && echo ok") == "ok\n"


def test_cap_add_and_drop(docker):  # noqa: F811
    status = run(docker, "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "busybox", "cat", "/proc/self/status")
    assert cap_mask(status, "CapEff") == 1 << 12 and cap_mask(status, "CapBnd") == 1 << 12
    r = docker("run", "--rm", "--cap-drop", "CHOWN", "busybox", "sh", "-c", "touch /f; chown 1000 /f")
    assert r.returncode != 0 and b"Operation not permitted" in r.stderr
    assert run(docker, "busybox", "sh", "-c", "touch /f; chown 1000 /f && echo ok") == "ok\n"
    # NET_ADMIN: the interface can be changed only with it.
    assert docker("run", "--rm", "busybox", "ip", "link", "set", "lo", "mtu", "1400").returncode != 0
    assert docker("run", "--rm", "--cap-add", "NET_ADMIN", "busybox", "ip", "link", "set", "lo", "mtu", "1400").returncode == 0
    assert docker("run", "--rm", "--cap-add", "NOPE", "busybox", "true").returncode != 0


def test_privileged(docker):  # noqa: F811
    with open("/proc/self/status") as f:
        host_bounding = cap_mask(f.read(), "CapBnd")
    status = run(docker, "--privileged", "busybox", "cat", "/proc/self/status")
    assert cap_mask(status, "CapEff") == host_bounding and "Seccomp:\t0" in status
    assert run(docker, "--privileged", "busybox", "sh", "-c", "mount -t tmpfs none /mnt && echo mounted") == "mounted\n"
    assert docker("run", "--rm", "busybox", "mount", "-t", "tmpfs", "none", "/mnt").returncode != 0


def test_workdir_user_hostname_entrypoint(docker):  # noqa: F811
    assert run(docker, "-w", "/new/dir", "busybox", "pwd") == "/new/dir\n"
    assert run(docker, "-u", "1000:1000", "busybox", "id") == "uid=1000(user) gid=1000(user)\n"
    assert run(docker, "-u", "nobody", "busybox", "id", "-un") == "nobody\n"
    assert run(docker, "--hostname", "box1", "busybox", "sh", "-c", "hostname; cat /etc/hostname") == "box1\nbox1\n"
    assert run(docker, "--entrypoint", "echo", "busybox", "a", "b") == "a b\n"
    docker("create", "--name", "ep", "--entrypoint", "/bin/echo", "busybox", "x")
    cfg = json.loads(out(docker("inspect", "ep")))[0]
    assert cfg["Config"]["Entrypoint"] == ["/bin/echo"] and cfg["Path"] == "/bin/echo" and cfg["Args"] == ["x"]


def interface_names(proc_net_dev):
    return sorted(line.split(":")[0].strip() for line in proc_net_dev.splitlines()[2:])


def test_network_none_and_host(docker):  # noqa: F811
    assert interface_names(run(docker, "--network", "none", "busybox", "cat", "/proc/net/dev")) == ["lo"]
    with open("/proc/net/dev") as f:
        host = interface_names(f.read())
    assert interface_names(run(docker, "--network", "host", "busybox", "cat", "/proc/net/dev")) == host


def test_inspect_shows_the_host_config(docker):  # noqa: F811
    docker("create", "--name", "hc", "--init", "--tmpfs", "/run:size=1m", "--ulimit", "nofile=100:200",
           "-p", "8080:80", "busybox", "true")
    host = json.loads(out(docker("inspect", "hc")))[0]["HostConfig"]
    assert host["Init"] is True and host["Tmpfs"] == {"/run": "size=1m"}
    assert host["Ulimits"] == [{"Name": "nofile", "Hard": 200, "Soft": 100}]
    assert host["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
