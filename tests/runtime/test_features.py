"""More of the runtime spec: user namespaces with id maps, sysctls, --no-pivot,
exec --process with --detach and --pid-file, rlimits, umask, oomScoreAdj."""
import json
import os
import shutil
import tempfile
import time
import uuid


def cid():
    return "f-" + uuid.uuid4().hex[:10]


def test_user_namespace_maps_ids(runtime, make_bundle, rootfs):
    # The mapped root (host uid 100000) must be able to reach the rootfs: pytest's own
    # temporary directories are private to the real root.
    shared = tempfile.mkdtemp(prefix="berth-userns-")
    os.chmod(shared, 0o755)
    shutil.copytree(rootfs, shared + "/rootfs", symlinks=True)

    def edit(c):
        c["root"] = {"path": shared + "/rootfs", "readonly": True}
        c["linux"]["namespaces"].append({"type": "user"})
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]
    b = make_bundle(["sh", "-c", "id -u; cat /proc/self/uid_map"], edit=edit)
    try:
        r = runtime.run("run", "--bundle", str(b), cid())
    finally:
        shutil.rmtree(shared)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    assert lines[0] == "0"
    assert lines[1].split() == ["0", "100000", "65536"]


def test_sysctl_rlimits_umask_oom_score(runtime, make_bundle):
    def edit(c):
        c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]
        c["process"]["user"]["umask"] = 0o077
        c["process"]["oomScoreAdj"] = 123
    b = make_bundle(["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax; ulimit -n; ulimit -Hn; "
                                 "umask; cat /proc/self/oom_score_adj"], edit=edit)
    r = runtime.run("run", "--bundle", str(b), cid())
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "123456789", "321", "654", "0077", "123"]


def test_no_pivot(runtime, make_bundle):
    b = make_bundle(["sh", "-c", "cat /proc/1/comm; ls /"])
    r = runtime.run("run", "--no-pivot", "--bundle", str(b), cid())
    assert r.returncode == 0, r.stderr
    assert "bin" in r.stdout.split()


def test_exec_process_file_detached(runtime, make_bundle, tmp_path):
    b = make_bundle(["sleep", "100"], writable=True)
    c = cid()
    runtime.ids.append(c)
    runtime.run("run", "-d", "--bundle", str(b), c, check=True)
    proc = {"args": ["sh", "-c", "echo $PWD $FOO > /tmp/out; sleep 100"], "cwd": "/tmp",
            "env": ["PATH=/bin", "FOO=bar"], "user": {"uid": 0, "gid": 0}}
    pf = tmp_path / "process.json"
    pf.write_text(json.dumps(proc))
    pidfile = tmp_path / "exec.pid"
    r = runtime.run("exec", "--process", str(pf), "--detach", "--pid-file", str(pidfile), c)
    assert r.returncode == 0, r.stderr
    pid = int(pidfile.read_text())
    assert os.path.exists(f"/proc/{pid}")
    for _ in range(50):
        if (b / "rootfs/tmp/out").exists():
            break
        time.sleep(0.05)
    assert (b / "rootfs/tmp/out").read_text() == "/tmp bar\n"
    assert pid in json.loads(runtime.run("ps", "--format", "json", c, check=True).stdout)


def test_preserve_fds(runtime, make_bundle, tmp_path):
    b = make_bundle(["sh", "-c", "echo through fd 3 >&3"])
    out = tmp_path / "fd3"
    with open(out, "w") as f:
        os.dup2(f.fileno(), 3) if f.fileno() != 3 else None
        r = runtime.run("run", "--preserve-fds", "1", "--bundle", str(b), cid(), pass_fds=(3,))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "through fd 3\n"


def test_apparmor_label_ignored_with_warning(runtime, make_bundle, tmp_path):
    if os.path.exists("/sys/kernel/security/apparmor"):
        import pytest
        pytest.skip("this host has AppArmor: the profile would be applied")
    b = make_bundle(["true"], edit=lambda c: c["process"].update(apparmorProfile="berth-test"))
    log = tmp_path / "log.json"
    r = runtime.run("--log", str(log), "--log-format", "json", "run", "--bundle", str(b), cid())
    assert r.returncode == 0, r.stderr
    entries = [json.loads(l) for l in log.read_text().splitlines()]
    assert any(e["level"] == "warning" and "apparmor" in e["msg"] for e in entries)
