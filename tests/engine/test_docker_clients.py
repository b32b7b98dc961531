"""The real docker CLI and docker-py against a test berthd: import, run, ps, stop, rm.
A first slice of the daemon issue's acceptance; more commands come with the engine."""
import io
import shutil
import subprocess
import tarfile

import pytest


def rootfs_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


@pytest.fixture
def docker(berthd, busybox_rootfs):
    if not shutil.which("docker"):
        pytest.skip("the docker CLI is not installed")

    def run(*args, input=None, timeout=60):
        return subprocess.run(["docker", *args], env=berthd.env, input=input, capture_output=True, timeout=timeout)

    r = run("import", "-c", "ENV PATH=/bin", "-c", 'CMD ["sh"]', "-", "busybox:latest", input=rootfs_tar(busybox_rootfs))
    assert r.returncode == 0, r.stderr
    yield run
    ids = run("ps", "-aq").stdout.split()
    if ids:
        run("rm", "-f", *[i.decode() for i in ids])


def test_docker_run_rm_echo(docker):
    r = docker("run", "--rm", "busybox", "echo", "hello from berth")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"hello from berth\n"
    assert docker("ps", "-aq").stdout == b""


def test_docker_run_is_isolated_and_returns_exit_code(docker):
    r = docker("run", "--name", "iso", "busybox", "sh", "-c", "echo pid=$$; hostname; ip link | grep -c LOOPBACK,UP; exit 3")
    assert r.returncode == 3, r.stderr
    pid, host, lo = r.stdout.decode().split()
    assert pid == "pid=1"
    ids = docker("ps", "-aq", "--no-trunc").stdout.decode().split()
    assert len(ids) == 1 and ids[0].startswith(host)
    assert lo == "1"
    ps = docker("ps", "-a").stdout.decode().splitlines()
    assert ps[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    assert "Exited (3)" in ps[1] and ps[1].endswith("iso")


def test_docker_stderr_and_stdout_are_separate(docker):
    r = docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2")
    assert r.stdout == b"out\n" and r.stderr == b"err\n"


def test_detached_stop_and_remove(docker):
    cid = docker("run", "-d", "--name", "sleeper", "busybox", "sleep", "100").stdout.decode().strip()
    assert len(cid) == 64
    assert "Up " in docker("ps").stdout.decode()
    assert docker("rm", "sleeper").returncode != 0   # running: refused
    assert docker("stop", "-t", "1", cid[:6]).returncode == 0   # a short unique ID prefix works
    assert "Exited (137)" in docker("ps", "-a").stdout.decode()
    assert docker("rm", "sleeper").returncode == 0
    assert docker("ps", "-aq").stdout == b""


def test_errors_in_dockers_words(docker):
    r = docker("run", "--rm", "nosuchimage:latest", "true")
    assert r.returncode == 125
    r = docker("stop", "nosuchcontainer")
    assert b"No such container: nosuchcontainer" in r.stderr
    docker("create", "--name", "dup", "busybox", "true")
    r = docker("create", "--name", "dup", "busybox", "true")
    assert r.returncode != 0 and b"is already in use" in r.stderr


def test_docker_py(docker, berthd):
    dockerpy = pytest.importorskip("docker")
    client = dockerpy.DockerClient(base_url=berthd.docker_host)
    out = client.containers.run("busybox", ["echo", "from docker-py"], remove=True)
    assert out == b"from docker-py\n"
    c = client.containers.run("busybox", ["sh", "-c", "exit 4"], detach=True)
    assert c.wait()["StatusCode"] == 4
    c.remove()


def test_docker_exec(docker):
    docker("run", "-d", "--name", "ex", "busybox", "sleep", "100")
    r = docker("exec", "ex", "sh", "-c", "echo in $(hostname) pid $$; cat /proc/1/comm; echo err >&2; exit 5")
    assert r.returncode == 5, r.stderr
    lines = r.stdout.decode().split("\n")
    assert lines[0].startswith("in ") and lines[1] == "sleep"
    assert r.stderr == b"err\n"
    r = docker("exec", "-e", "FOO=bar", "-w", "/tmp", "-u", "1000", "ex", "sh", "-c", "echo $FOO $PWD $(id -u)")
    assert r.stdout == b"bar /tmp 1000\n", r.stderr
    r = docker("exec", "-i", "ex", "sh", "-c", "read x; echo got $x", input=b"hello\n")
    assert r.stdout == b"got hello\n", r.stderr
    r = docker("exec", "ex", "no-such-program")
    assert r.returncode in (126, 127), (r.returncode, r.stderr)


def test_docker_exec_it(docker, berthd):
    pexpect = pytest.importorskip("pexpect")
    docker("run", "-d", "--name", "exit", "busybox", "sleep", "100")
    child = pexpect.spawn("docker", ["exec", "-it", "exit", "sh"], env=berthd.env, timeout=30, encoding="utf-8")
    child.expect(r"[#$] ")
    child.sendline("echo tty=$(tty)")
    child.expect(r"tty=(/dev/pts/\d+)")
    child.sendline("exit 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_docker_py_exec_run(docker, berthd):
    dockerpy = pytest.importorskip("docker")
    client = dockerpy.DockerClient(base_url=berthd.docker_host)
    c = client.containers.run("busybox", ["sleep", "100"], detach=True)
    code, out = c.exec_run(["sh", "-c", "echo hi from exec"])
    assert code == 0 and out == b"hi from exec\n"
    c.remove(force=True)


def test_docker_py_exec_run_output_is_never_lost(docker, berthd):
    """docker-py reads the hijacked response's head through a buffered reader and the stream
    from the raw socket: output sent before it has read the head used to vanish (about half
    of these runs came back empty under load)."""
    dockerpy = pytest.importorskip("docker")
    client = dockerpy.DockerClient(base_url=berthd.docker_host)
    c = client.containers.run("busybox", ["sleep", "100"], detach=True)
    try:
        results = [c.exec_run(["echo", f"run {i}"]) for i in range(60)]
    finally:
        c.remove(force=True)
    wrong = [(i, code, out) for i, (code, out) in enumerate(results) if (code, out) != (0, f"run {i}\n".encode())]
    assert not wrong, wrong[:5]


def test_restart_pause_rename_top(docker):
    docker("run", "-d", "--name", "svc", "busybox", "sleep", "100")
    assert docker("pause", "svc").returncode == 0
    assert "(Paused)" in docker("ps").stdout.decode()
    assert docker("unpause", "svc").returncode == 0
    top = docker("top", "svc").stdout.decode().splitlines()
    assert top[0].split()[:3] == ["UID", "PID", "PPID"] and top[1].endswith("sleep 100")
    assert docker("rename", "svc", "svc2").returncode == 0
    assert "svc2" in docker("ps").stdout.decode()
    old_pid = docker("inspect", "-f", "{{.State.Pid}}", "svc2").stdout.strip()
    assert docker("restart", "-t", "1", "svc2").returncode == 0
    new_pid = docker("inspect", "-f", "{{.State.Pid}}", "svc2").stdout.strip()
    assert new_pid != old_pid and docker("inspect", "-f", "{{.State.Running}}", "svc2").stdout.strip() == b"true"


def test_ps_filters_and_rm_of_exited(docker):
    docker("run", "--name", "done1", "busybox", "true")
    docker("run", "--name", "done2", "--label", "team=a", "busybox", "sh", "-c", "exit 2")
    docker("run", "-d", "--name", "alive", "busybox", "sleep", "100")
    exited = docker("ps", "-a", "-q", "-f", "status=exited").stdout.decode().split()
    assert len(exited) == 2
    assert docker("ps", "-a", "-q", "-f", "label=team=a").stdout.decode().split() == [exited[0]]
    assert docker("ps", "-a", "--format", "{{.Names}}", "-f", "exited=2").stdout == b"done2\n"
    assert docker("ps", "-a", "--format", "{{.Names}}", "-f", "name=aliv").stdout == b"alive\n"
    assert docker("ps", "-f", "status=bogus").returncode != 0
    assert docker("rm", "-v", *exited).returncode == 0
    assert docker("ps", "-a", "--format", "{{.Names}}").stdout == b"alive\n"


def test_docker_run_it_and_detach_keys(docker, berthd):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn("docker", ["run", "-it", "--name", "tty1", "busybox", "sh"], env=berthd.env,
                          timeout=30, encoding="utf-8")
    child.expect(r"[#$] ")
    child.sendline("echo tty=$(tty) pid=$$")
    child.expect(r"tty=(/dev/pts/\d+) pid=1")
    child.send("\x10\x11")   # ctrl-p ctrl-q: detach, the container keeps running
    child.expect(pexpect.EOF)
    child.close()
    assert docker("inspect", "-f", "{{.State.Running}}", "tty1").stdout.strip() == b"true"
    att = pexpect.spawn("docker", ["attach", "tty1"], env=berthd.env, timeout=30, encoding="utf-8")
    att.sendline("echo again")
    att.expect("again")
    att.sendline("exit 4")
    att.expect(pexpect.EOF)
    att.close()
    assert att.exitstatus == 4
