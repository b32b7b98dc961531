"""Compatibility checks: the real docker CLI and docker-py against a berthd started here.

berthd comes from BERTH_BIN_DIR (default .build/debug, relative to the repository root),
runs on a temporary data root and socket, and is stopped by its PID when the tests end.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("BERTH_BIN_DIR", ".build/debug"))
if not BIN_DIR.is_absolute():
    BIN_DIR = REPO / BIN_DIR


@pytest.fixture(scope="module")
def daemon():
    berthd = BIN_DIR / "berthd"
    if not berthd.exists():
        pytest.skip(f"{berthd} not built (run swift build, or set BERTH_BIN_DIR)")
    # Short path: a unix socket path must fit in 108 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="berth-it-", dir="/tmp"))
    socket = tmp / "run" / "berth.sock"
    pidfile = tmp / "berthd.pid"
    config = tmp / "daemon.json"
    config.write_text("{}\n")
    log = open(tmp / "berthd.log", "wb")
    proc = subprocess.Popen(
        [str(berthd), "--data-root", str(tmp / "root"), "-H", f"unix://{socket}",
         "--pidfile", str(pidfile), "--config-file", str(config), "--log-level", "debug"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while not socket.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"berthd exited with {proc.returncode}: {(tmp / 'berthd.log').read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError("berthd did not create its socket within 15 s")
            time.sleep(0.05)
        yield {"socket": socket, "host": f"unix://{socket}", "pid": proc.pid, "pidfile": pidfile, "tmp": tmp}
    finally:
        # Stop this berthd by its PID only, then check it cleaned up after itself.
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        leftovers = [p for p in (socket, pidfile) if p.exists()]
        shutil.rmtree(tmp, ignore_errors=True)
        assert not leftovers, f"berthd left {leftovers} behind"


def docker(daemon, *args):
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not installed")
    env = dict(os.environ, DOCKER_HOST=daemon["host"])
    env.pop("DOCKER_CONTEXT", None)
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, timeout=30)


def test_pid_file_names_the_daemon(daemon):
    assert daemon["pidfile"].read_text().strip() == str(daemon["pid"])
    assert oct(daemon["socket"].stat().st_mode & 0o777) == "0o660"


def test_docker_version(daemon):
    result = docker(daemon, "version")
    assert result.returncode == 0, result.stderr
    assert "Server: Berth Engine" in result.stdout
    assert "API version:      1.47 (minimum version 1.24)" in result.stdout
    api = docker(daemon, "version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}")
    assert api.stdout.strip() == "1.47 linux"


def test_docker_info(daemon):
    result = docker(daemon, "info")
    assert result.returncode == 0, result.stderr
    assert f"Docker Root Dir: {daemon['tmp'] / 'root'}" in result.stdout
    assert "Storage Driver: overlay2" in result.stdout
    assert "Logging Driver: json-file" in result.stdout
    fmt = docker(daemon, "info", "--format", "{{.CgroupDriver}} {{.OSType}} {{.NCPU}}")
    assert fmt.returncode == 0, fmt.stderr
    driver, ostype, ncpu = fmt.stdout.split()
    assert (driver, ostype) == ("cgroupfs", "linux") and int(ncpu) == os.cpu_count()


def test_docker_unknown_route_is_page_not_found(daemon):
    result = docker(daemon, "plugin", "ls")
    assert result.returncode != 0
    assert "page not found" in result.stderr


def test_docker_py_version_and_ping(daemon):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url=daemon["host"])
    try:
        version = client.version()
        assert version["ApiVersion"] == "1.47"
        assert version["MinAPIVersion"] == "1.24"
        assert version["Os"] == "linux"
        assert client.ping() is True
        assert client.info()["Driver"] == "overlay2"
    finally:
        client.close()


def test_berth_cli_against_daemon(daemon):
    berth = BIN_DIR / "berth"
    if not berth.exists():
        pytest.skip(f"{berth} not built")
    env = dict(os.environ, BERTH_HOST=daemon["host"])
    result = subprocess.run([str(berth), "version", "--format", "{{.Server.ApiVersion}}"],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1.47"
    info = subprocess.run([str(berth), "-H", daemon["host"], "system", "info", "--format", "{{json .Swarm.LocalNodeState}}"],
                          capture_output=True, text=True, timeout=30)
    assert info.stdout.strip() == '"inactive"'
