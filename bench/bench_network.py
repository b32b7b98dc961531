"""What networking adds to `run --rm busybox true`: the default bridge minus `--network none`,
for berthd and for Docker (dockerd 20.10 in its own network namespace, so its docker0 and
iptables rules stay out of the host's), through the same docker CLI, in the same run.

Issue 7's target: Berth's extra cost at most 1/4 of Docker's.
"""

from __future__ import annotations

import io
import ipaddress
import os
import random
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from harness import Contender, run_contenders, which

NAME = "network"
DESCRIPTION = "docker run --rm busybox true: default bridge minus --network none, berthd vs dockerd"


def _bin(name: str) -> str | None:
    for d in (os.environ.get("BERTH_BIN_DIR"), "/usr/local/bin"):
        if d and os.access(Path(d) / name, os.X_OK):
            return str(Path(d) / name)
    return None


def _rootfs_tar(base: Path) -> bytes:
    from fixtures.busybox import build_rootfs
    rootfs = build_rootfs(base / "rootfs")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


def _wait_ping(sock: Path, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run(["docker", "-H", f"unix://{sock}", "version"], capture_output=True)
        if r.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def _free_bip() -> str:
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    nets = [ipaddress.ip_network(line.split()[0], strict=False) for line in routes.splitlines()
            if line and line.split()[0] != "default"]
    while True:
        net = ipaddress.ip_network(f"10.{random.randint(160, 250)}.{random.randint(0, 255)}.0/24")
        if not any(net.overlaps(n) for n in nets):
            return f"{net.network_address + 1}/24"


def main(opts) -> int:
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 0
    base = Path(tempfile.mkdtemp(prefix="berth-bench-net-"))
    procs: list[subprocess.Popen] = []
    try:
        tar = _rootfs_tar(base)
        contenders = []
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
        env["DOCKER_CONFIG"] = str(base / "docker-config")
        berthd = _bin("berthd")
        bsock = base / "berth.sock"
        if berthd and which("docker"):
            (base / "berthd.json").write_text('{"bridge": "bb%04x", "bip": "%s"}' % (random.randrange(1 << 16), _free_bip()))
            procs.append(subprocess.Popen([berthd, "--data-root", str(base / "berth"), "--host", f"unix://{bsock}",
                                           "--pidfile", str(base / "berthd.pid"), "--config-file", str(base / "berthd.json")],
                                          stdout=open(base / "berthd.log", "w"), stderr=subprocess.STDOUT,
                                          start_new_session=True))
            if _wait_ping(bsock, 20):
                subprocess.run(["docker", "-H", f"unix://{bsock}", "import", "-c", "ENV PATH=/bin", "-", "busybox:latest"],
                               input=tar, capture_output=True, env=env)
        dsock = base / "docker.sock"
        if which("dockerd") and which("docker"):
            # A fresh network namespace with loopback up: dockerd's docker0 and rules live there.
            script = 'ip link set lo up && exec dockerd --data-root "$1/docker" --exec-root "$1/exec" -H "unix://$1/docker.sock" --pidfile "$1/docker.pid"'
            procs.append(subprocess.Popen(["unshare", "--net", "sh", "-c", script, "sh", str(base)],
                                          stdout=open(base / "dockerd.log", "w"), stderr=subprocess.STDOUT,
                                          start_new_session=True))
            if _wait_ping(dsock, 60):
                subprocess.run(["docker", "-H", f"unix://{dsock}", "import", "-c", "ENV PATH=/bin", "-", "busybox:latest"],
                               input=tar, capture_output=True, env=env)

        def row(name: str, sock: Path, *net: str) -> Contender:
            argv = ["docker", "-H", f"unix://{sock}", "run", "--rm", *net, "busybox", "true"]
            return Contender(name, argv, requires=("docker",), env=env,
                             check=lambda: None if sock.exists() else f"no daemon at {sock}")
        contenders = [row("berth-bridge", bsock), row("berth-none", bsock, "--network", "none"),
                      row("docker-bridge", dsock), row("docker-none", dsock, "--network", "none")]
        results = {r.name: r for r in run_contenders(contenders, runs=opts.runs, warmup=opts.warmup,
                                                     baseline="docker-bridge",
                                                     title=f"{NAME}: docker run --rm busybox true, bridge vs none")}

        def extra(prefix: str) -> float | None:
            b, n = results[prefix + "-bridge"].stats, results[prefix + "-none"].stats
            return b.median - n.median if b and n else None
        be, de = extra("berth"), extra("docker")
        if be is not None and de is not None:
            ratio = f"{be / de:.2f}" if de > 0 else "n/a"
            print(f"network extra (bridge - none, medians): berth {be:.1f} ms, docker {de:.1f} ms; "
                  f"berth/docker = {ratio} (target <= 0.25)")
        else:
            print(f"network extra: berth {be if be is None else f'{be:.1f} ms'}, docker {de if de is None else f'{de:.1f} ms'}")
        return 0
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        subprocess.run(["sh", "-c", f"grep -o ' {base}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
