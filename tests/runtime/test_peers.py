"""Other engines drive berth-runtime: podman (--runtime) and containerd's ctr
(--runc-binary, through containerd-shim-runc-v2)."""
import io
import os
import shutil
import signal
import subprocess
import tempfile
import tarfile
import time
import uuid

import pytest


def rootfs_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


@pytest.fixture(scope="module")
def podman(rootfs, runtime_bin, tmp_path_factory):
    if not shutil.which("podman"):
        pytest.skip("podman not installed")
    base = tmp_path_factory.mktemp("podman")
    root = ["podman", "--root", str(base / "root"), "--runroot", str(base / "runroot"),
            "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none",
            "--runtime", runtime_bin]
    subprocess.run(root + ["import", "--change", "ENV PATH=/bin", "-", "localhost/busybox:latest"],
                   input=rootfs_tar(rootfs), check=True, capture_output=True)
    run = root + ["run", "--rm", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
    yield root, run
    subprocess.run(root + ["rm", "-af"], capture_output=True)
    subprocess.run(root + ["system", "reset", "-f"], capture_output=True)
    subprocess.run(["umount", "-R", str(base)], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def prun(podman, *args, timeout=90):
    # conmon writes a file named `oom` into its working directory when the container is
    # OOM-killed: run podman from a scratch directory, not the checkout.
    _, run = podman
    with tempfile.TemporaryDirectory(prefix="berth-podman-cwd-") as cwd:
        return subprocess.run(run + list(args), capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_podman_echo(podman):
    r = prun(podman, "localhost/busybox", "echo", "hello from berth")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello from berth\n"


def test_podman_interactive_tty(podman):
    pexpect = pytest.importorskip("pexpect")
    _, run = podman
    child = pexpect.spawn(run[0], run[1:] + ["-it", "localhost/busybox", "sh"], timeout=60, encoding="utf-8")
    child.expect(r"[#$] ")
    child.sendline("echo tty=$(tty) pid=$$ cols=$(stty size)")
    child.expect(r"tty=(\S+) pid=(\d+)")
    assert child.match.group(1).startswith("/dev/pts/")
    assert child.match.group(2) == "1"
    child.sendline("exit 3")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3


def test_podman_memory_limit_oom_kills(podman):
    r = prun(podman, "--memory", "16m", "localhost/busybox", "sh", "-c",
             'x=$(head -c 64m /dev/zero | tr "\\0" a); echo survived')
    assert r.returncode == 137, (r.returncode, r.stdout, r.stderr)
    assert "survived" not in r.stdout


def test_podman_pids_limit_stops_fork_bomb(podman):
    r = prun(podman, "--pids-limit", "10", "localhost/busybox", "sh", "-c",
             "n=0; for i in $(seq 30); do sleep 3 & n=$((n+1)); done; echo started $n")
    assert "can't fork" in r.stderr or "Resource temporarily unavailable" in r.stderr, r.stderr
    assert "started 30" not in r.stdout


def test_podman_network_none(podman):
    r = prun(podman, "--network", "none", "localhost/busybox", "ls", "/sys/class/net")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["lo"]


def test_podman_bind_mount(podman, tmp_path):
    (tmp_path / "f").write_text("from the host\n")
    r = prun(podman, "-v", f"{tmp_path}:/data", "localhost/busybox", "sh", "-c", "cat /data/f; echo back > /data/g")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "from the host\n"
    assert (tmp_path / "g").read_text() == "back\n"


def test_podman_user(podman):
    r = prun(podman, "--user", "1000:1000", "localhost/busybox", "id")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("uid=1000(user) gid=1000(user)")


def test_podman_cap_drop_all_makes_chown_fail(podman):
    r = prun(podman, "--cap-drop", "ALL", "localhost/busybox", "chown", "1000", "/tmp")
    assert r.returncode != 0
    assert "Operation not permitted" in r.stderr
    r = prun(podman, "localhost/busybox", "chown", "1000", "/tmp")
    assert r.returncode == 0, r.stderr


def test_podman_read_only(podman):
    r = prun(podman, "--read-only", "localhost/busybox", "touch", "/x")
    assert r.returncode != 0
    assert "Read-only file system" in r.stderr


# --- containerd -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def containerd(rootfs, podman, tmp_path_factory):
    if not shutil.which("containerd") or not shutil.which("ctr"):
        pytest.skip("containerd not installed")
    base = tmp_path_factory.mktemp("ctrd")
    sock = base / "containerd.sock"
    (base / "config.toml").write_text(
        f'version = 2\nroot = "{base}/root"\nstate = "{base}/state"\n'
        f'[grpc]\n  address = "{sock}"\n'
        '[plugins."io.containerd.grpc.v1.cri"]\n  disable_cgroup = true\n')
    log = open(base / "containerd.log", "w")
    proc = subprocess.Popen(["containerd", "--config", str(base / "config.toml")], stdout=log, stderr=log)
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.1)
        ctr = ["ctr", "-a", str(sock)]
        archive = base / "busybox.tar"
        root, _ = podman
        subprocess.run(root + ["save", "--format", "docker-archive", "-o", str(archive), "localhost/busybox:latest"],
                       check=True, capture_output=True)
        subprocess.run(ctr + ["images", "import", str(archive)], check=True, capture_output=True)
        yield ctr
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        subprocess.run(["umount", "-R", str(base)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_ctr_run_and_task_exec(containerd, runtime_bin):
    ctr = containerd
    r = subprocess.run(ctr + ["run", "--rm", "--runc-binary", runtime_bin, "localhost/busybox:latest",
                              "c-" + uuid.uuid4().hex[:8], "echo", "hello from ctr"],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "hello from ctr"

    cid = "c-" + uuid.uuid4().hex[:8]
    subprocess.run(ctr + ["run", "-d", "--runc-binary", runtime_bin, "localhost/busybox:latest", cid, "sleep", "100"],
                   check=True, capture_output=True, timeout=90)
    try:
        r = subprocess.run(ctr + ["task", "exec", "--exec-id", "e1", cid, "sh", "-c", "echo exec pid $$; cat /proc/1/comm"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.split()
        assert lines[:2] == ["exec", "pid"] and int(lines[2]) > 1
        assert lines[3] == "sleep"
    finally:
        subprocess.run(ctr + ["task", "kill", "-s", "KILL", cid], capture_output=True)
        time.sleep(0.5)
        subprocess.run(ctr + ["task", "rm", "-f", cid], capture_output=True)
        subprocess.run(ctr + ["containers", "rm", cid], capture_output=True)
