"""The OCI lifecycle through berth-runtime's runc command line."""
import json
import os
import signal
import subprocess
import time
import uuid

from helpers import cgroup_dirs


def cid():
    return "t-" + uuid.uuid4().hex[:12]


def test_run_prints_and_exits_with_code(runtime, make_bundle):
    b = make_bundle(["sh", "-c", "echo hello from berth; exit 7"])
    r = runtime.run("run", "--bundle", str(b), cid())
    assert r.stdout == "hello from berth\n"
    assert r.returncode == 7


def test_create_waits_until_start(runtime, make_bundle, tmp_path):
    marker = tmp_path / "marker"
    marker.mkdir()
    b = make_bundle(["touch", "/m/ran"], edit=lambda c: c["mounts"].append(
        {"destination": "/m", "type": "bind", "source": str(marker), "options": ["rbind", "rw"]}))
    c = cid()
    runtime.ids.append(c)
    pidfile = tmp_path / "pid"
    r = runtime.run("create", "--bundle", str(b), "--pid-file", str(pidfile), c)
    assert r.returncode == 0, r.stderr
    st = runtime.state(c)
    assert st["status"] == "created"
    assert st["pid"] == int(pidfile.read_text())
    time.sleep(0.3)
    assert not (marker / "ran").exists(), "the user program ran before start"
    assert runtime.run("start", c).returncode == 0
    for _ in range(100):
        if (marker / "ran").exists():
            break
        time.sleep(0.05)
    assert (marker / "ran").exists()
    assert runtime.run("start", c).returncode != 0, "a second start must fail"


def test_state_kill_delete(runtime, make_bundle):
    b = make_bundle(["sleep", "100"])
    c = cid()
    runtime.ids.append(c)
    assert runtime.run("create", "--bundle", str(b), c).returncode == 0
    assert runtime.run("start", c).returncode == 0
    st = runtime.state(c)
    assert st["status"] == "running" and st["id"] == c and st["bundle"] == str(b)
    r = runtime.run("delete", c)
    assert r.returncode != 0 and "not stopped" in r.stderr
    assert runtime.run("kill", c, "KILL").returncode == 0
    for _ in range(100):
        if runtime.state(c)["status"] == "stopped":
            break
        time.sleep(0.05)
    assert runtime.state(c)["status"] == "stopped"
    assert runtime.run("delete", c).returncode == 0
    assert runtime.run("state", c).returncode != 0
    assert not cgroup_dirs(c)


def test_list_ps_pause_resume(runtime, make_bundle):
    b = make_bundle(["sleep", "100"])
    c = cid()
    runtime.ids.append(c)
    runtime.run("run", "-d", "--bundle", str(b), c, check=True)
    listed = json.loads(runtime.run("list", "--format", "json", check=True).stdout)
    assert [x["id"] for x in listed] == [c]
    pids = json.loads(runtime.run("ps", "--format", "json", c, check=True).stdout)
    assert pids == [runtime.state(c)["pid"]]
    runtime.run("pause", c, check=True)
    assert runtime.state(c)["status"] == "paused"
    runtime.run("resume", c, check=True)
    assert runtime.state(c)["status"] == "running"


def test_exec_joins_the_container(runtime, make_bundle):
    b = make_bundle(["sleep", "100"], edit=lambda c: c.update(hostname="inside"))
    c = cid()
    runtime.ids.append(c)
    runtime.run("run", "-d", "--bundle", str(b), c, check=True)
    r = runtime.run("exec", c, "sh", "-c", "hostname; echo $$; cat /proc/1/cmdline")
    assert r.returncode == 0, r.stderr
    host, pid, cmdline = r.stdout.split("\n", 2)
    assert host == "inside"
    assert int(pid) > 1
    assert cmdline.startswith("sleep")
    r = runtime.run("exec", c, "sh", "-c", "exit 5")
    assert r.returncode == 5
    r = runtime.run("exec", c, "nonexistent-program")
    assert r.returncode != 0 and "executable file not found" in r.stderr


def test_update_changes_limits(runtime, make_bundle):
    b = make_bundle(["sleep", "100"], edit=lambda c: c["linux"].update(cgroupsPath=f"/berth-test/{id(c)}"))
    c = cid()
    runtime.ids.append(c)
    runtime.run("run", "-d", "--bundle", str(b), c, check=True)
    runtime.run("update", "--memory", "64m", "--pids-limit", "50", c, check=True)
    r = runtime.run("exec", c, "cat", "/sys/fs/cgroup/pids/pids.max")
    if r.returncode == 0 and r.stdout.strip():
        assert r.stdout.strip() == "50"
    cfg = json.loads((b / "config.json").read_text())
    path = cfg["linux"]["cgroupsPath"]
    if os.path.exists("/sys/fs/cgroup/memory"):
        assert open(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes").read().strip() == str(64 << 20)
    else:
        assert open(f"/sys/fs/cgroup{path}/memory.max").read().strip() == str(64 << 20)


def test_hooks_get_state_on_stdin(runtime, make_bundle, tmp_path):
    out = tmp_path / "hooks"
    out.mkdir()

    def hook(name):
        return {"path": "/bin/sh", "args": ["sh", "-c", f"cat > {out}/{name}"]}

    def edit(c):
        c["hooks"] = {k: [hook(k)] for k in ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]}
        c["mounts"].append({"destination": str(out), "type": "bind", "source": str(out), "options": ["rbind"]})

    b = make_bundle(["true"], edit=edit)
    c = cid()
    r = runtime.run("run", "--bundle", str(b), c)
    assert r.returncode == 0, r.stderr
    for name in ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]:
        state = json.loads((out / name).read_text())
        assert state["id"] == c, name
        assert state["bundle"] == str(b)


def test_failing_hook_fails_create_and_cleans_up(runtime, make_bundle):
    b = make_bundle(["true"], edit=lambda c: c.update(hooks={"createRuntime": [{"path": "/bin/false"}]}))
    c = cid()
    r = runtime.run("create", "--bundle", str(b), c)
    assert r.returncode != 0
    assert "createRuntime hook" in r.stderr
    assert not (runtime.root / c).exists()
    assert not cgroup_dirs(c)


def test_kill_9_between_create_and_start_then_delete_force(runtime, make_bundle):
    b = make_bundle(["sleep", "100"])
    c = cid()
    r = runtime.run("create", "--bundle", str(b), c)
    assert r.returncode == 0, r.stderr
    pid = runtime.state(c)["pid"]
    os.kill(pid, signal.SIGKILL)   # the init waiting on the exec FIFO
    time.sleep(0.2)
    assert runtime.state(c)["status"] == "stopped"
    assert runtime.run("delete", "--force", c).returncode == 0
    assert not (runtime.root / c).exists()
    assert not cgroup_dirs(c)


def test_runtime_killed_during_create_then_delete_force(runtime, make_bundle, tmp_path):
    """kill -9 of berth-runtime itself while create is blocked in a createRuntime hook."""
    gate = tmp_path / "gate"
    b = make_bundle(["true"], edit=lambda c: c.update(
        hooks={"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f"touch {gate}; sleep 30"]}]}))
    c = cid()
    p = subprocess.Popen(runtime.cmd("create", "--bundle", str(b), c))
    for _ in range(200):
        if gate.exists():
            break
        time.sleep(0.05)
    assert gate.exists()
    p.kill()
    p.wait()
    time.sleep(0.3)
    r = runtime.run("delete", "--force", c)
    assert r.returncode == 0, r.stderr
    assert not (runtime.root / c).exists()
    assert not cgroup_dirs(c)


def test_features_and_version(runtime):
    f = json.loads(runtime.run("features", check=True).stdout)
    assert "pid" in f["linux"]["namespaces"]
    assert f["linux"]["seccomp"]["enabled"] is True
    assert "berth-runtime" in runtime.run("--version", check=True).stdout


def test_systemd_cgroup_is_a_clear_error(runtime):
    r = runtime.run("--systemd-cgroup", "list")
    assert r.returncode != 0 and "systemd-cgroup" in r.stderr


def test_log_json_errors(runtime, tmp_path):
    log = tmp_path / "log.json"
    r = runtime.run("--log", str(log), "--log-format", "json", "state", "nope")
    assert r.returncode != 0
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["level"] == "error" and "nope" in entry["msg"]
