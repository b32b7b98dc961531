"""The engine as users meet it: berthd and the `berth` CLI beside dockerd and podman.

1. `run --rm --network none busybox true`, end to end through each CLI and daemon: berth,
   the docker CLI against berthd, docker (Debian's dockerd), podman (runc, cgroupfs).
2. Memory: berthd's RSS idle, after the runs and with containers running; the per-container
   monitor's PSS (/proc/PID/smaps_rollup) with `--idle` (100) idle `sleep` containers each:
   berth-shim, containerd-shim-runc-v2 (`ctr run -d`), conmon (`podman run -d`); dockerd and
   containerd RSS beside berthd's.
3. Throughput: those `run -d` in a row (containers per second, each engine), then berth on to
   `--burst` (500) containers; `ps` latency with them running.

Every engine runs on a temporary root with its own socket, and the same busybox rootfs is
imported into each. dockerd runs in a private network namespace (`unshare --net`, no bridge, no
iptables), so it cannot touch the host's network or a system docker. Each container this run
starts is removed afterwards, also on failure, and the daemons are stopped by PID.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import tarfile
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from harness import Contender, format_kib, run_contenders, time_once, which

NAME = "daemon"
DESCRIPTION = "run --rm busybox true through CLI+daemon (berth, docker, podman); daemon RSS; shim PSS; run -d rate; ps latency"

IMAGE_ENV = "ENV PATH=/bin"
# podman's defaults exceed this machine's hard RLIMIT_NOFILE (MACHINE-NOTES).
PODMAN_ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]


def berth_bin(name: str) -> str | None:
    """`$BERTH_BIN_DIR/NAME`, else /usr/local/bin/NAME."""
    for d in (os.environ.get("BERTH_BIN_DIR"), "/usr/local/bin"):
        if d and os.access(Path(d) / name, os.X_OK):
            return str(Path(d) / name)
    return None


def rootfs_tar(rootfs: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


def run(argv: list[str], *, env=None, input: bytes | None = None, timeout: float = 120,
        check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, env=env, input=input, capture_output=True, timeout=timeout,
                       stdin=None if input is not None else subprocess.DEVNULL)
    if check and r.returncode != 0:
        tail = " | ".join(r.stderr.decode(errors="replace").strip().splitlines()[-3:])
        raise RuntimeError(f"`{' '.join(argv[:6])}…` exited {r.returncode}: {tail}")
    return r


def vm_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def processes(comm: str, cmdline_contains: str) -> list[int]:
    """PIDs whose comm is `comm` and whose command line names `cmdline_contains`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if Path(f"/proc/{entry}/comm").read_text().strip() != comm:
                continue
            if cmdline_contains in Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(int(entry))
        except OSError:
            continue
    return sorted(found)


def stop_pid(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM a daemon we started, SIGKILL after `timeout`; then SIGKILL what is left of its session."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    from fixtures.cleanup import find_processes

    for pid in find_processes(session=proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_cgroup_tree(name: str) -> list[str]:
    """Kill (by PID) what still runs in cgroups named `name` and remove them; returns what was left."""
    from fixtures.cleanup import find_cgroup_dirs, remove_cgroup_dirs

    left = find_cgroup_dirs(name, exact=True)
    for d in left:
        for procs in d.rglob("cgroup.procs"):
            try:
                for pid in procs.read_text().split():
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    if left:
        time.sleep(0.2)
        remove_cgroup_dirs(name, exact=True)
    return [str(d) for d in left]


# --- engines -----------------------------------------------------------------------------------

class Engine:
    """One engine under test: how to run its CLI, and its per-container monitor processes."""

    name = ""
    monitor = ""          # comm of the per-container process whose PSS is measured
    image = "busybox"

    def cli(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None

    def run_rm(self) -> list[str]:
        return [*self.cli(), "run", "--rm", "--network", "none", self.image, "true"]

    def run_detached(self, i: int) -> list[str]:
        return [*self.cli(), "run", "-d", "--network", "none", self.image, "sleep", "100000"]

    def ps(self) -> list[str]:
        return [*self.cli(), "ps"]

    def started_id(self, i: int, stdout: str) -> str:
        """The id of the `i`th `run -d` container, from its output (the id, last line)."""
        return stdout.strip().splitlines()[-1]

    def monitors(self) -> list[int]:
        raise NotImplementedError

    def daemon_pids(self) -> dict[str, int]:
        return {}

    def remove(self, ids: list[str]) -> None:
        for chunk in range(0, len(ids), 50):
            run([*self.cli(), "rm", "-f", *ids[chunk:chunk + 50]], env=self.env(), timeout=600, check=False)


class Berth(Engine):
    name = "berth"
    monitor = "berth-shim"

    def __init__(self, daemon, cli: str):
        self.daemon, self.berth = daemon, cli

    def cli(self) -> list[str]:
        return [self.berth]

    def env(self) -> dict[str, str]:
        return self.daemon.env

    def monitors(self) -> list[int]:
        # berthd passes the shim its bundle under the daemon's unique temp dir
        return processes("berth-shim", str(self.daemon.base))

    def daemon_pids(self) -> dict[str, int]:
        return {"berthd": self.daemon.pid}


class DockerCLIOnBerthd(Berth):
    name = "docker→berthd"

    def cli(self) -> list[str]:
        return ["docker"]


class Docker(Engine):
    name = "docker"
    monitor = "containerd-shim"

    def __init__(self, base: Path, proc: subprocess.Popen, sock: Path):
        self.base, self.proc, self.sock = base, proc, sock

    def cli(self) -> list[str]:
        return ["docker"]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_HOST"] = f"unix://{self.sock}"
        env["DOCKER_CONFIG"] = str(self.base / "docker-config")
        return env

    def monitors(self) -> list[int]:
        return processes("containerd-shim", str(self.base))

    def daemon_pids(self) -> dict[str, int]:
        pids = {"dockerd": self.proc.pid}
        for pid in processes("containerd", str(self.base)):
            pids["containerd (dockerd's)"] = pid
        return pids


class Podman(Engine):
    name = "podman"
    monitor = "conmon"
    image = "localhost/busybox"

    def __init__(self, base: Path, cgroup_parent: str):
        self.base, self.cgroup_parent = base, cgroup_parent

    def cli(self) -> list[str]:
        return ["podman", "--root", str(self.base / "root"), "--runroot", str(self.base / "runroot"),
                "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "none",
                "--runtime", "runc", "--tmpdir", str(self.base / "tmp")]

    def run_rm(self) -> list[str]:
        return [*self.cli(), "run", "--rm", *PODMAN_ULIMITS, "--cgroup-parent", self.cgroup_parent,
                "--network", "none", self.image, "true"]

    def run_detached(self, i: int) -> list[str]:
        return [*self.cli(), "run", "-d", *PODMAN_ULIMITS, "--cgroup-parent", self.cgroup_parent,
                "--network", "none", self.image, "sleep", "100000"]

    def monitors(self) -> list[int]:
        return processes("conmon", str(self.base))

    def remove(self, ids: list[str]) -> None:
        run([*self.cli(), "rm", "-f", "-a", "-t", "0"], timeout=600, check=False)


class Containerd(Engine):
    """containerd with `ctr run -d`: only for the shim's PSS and the run -d rate (no `run --rm` row:
    ctr is not a Docker-style CLI)."""

    name = "containerd"
    monitor = "containerd-shim"
    image = "docker.io/library/busybox:latest"

    def __init__(self, base: Path, proc: subprocess.Popen, sock: Path, namespace: str):
        self.base, self.proc, self.sock, self.namespace = base, proc, sock, namespace

    def cli(self) -> list[str]:
        return ["ctr", "-a", str(self.sock), "-n", self.namespace]

    def run_detached(self, i: int) -> list[str]:
        return [*self.cli(), "run", "-d", self.image, f"c{i}", "sleep", "100000"]

    def ps(self) -> list[str]:
        return [*self.cli(), "task", "ls"]

    def started_id(self, i: int, stdout: str) -> str:
        return f"c{i}"

    def monitors(self) -> list[int]:
        return processes("containerd-shim", str(self.sock))

    def daemon_pids(self) -> dict[str, int]:
        return {"containerd": self.proc.pid}

    def remove(self, ids: list[str]) -> None:
        for cid in ids:
            run([*self.cli(), "task", "kill", "-s", "KILL", cid], check=False)
        for cid in ids:
            for _ in range(50):
                if run([*self.cli(), "task", "rm", "-f", cid], check=False).returncode == 0:
                    break
                time.sleep(0.1)
            run([*self.cli(), "containers", "rm", cid], check=False)


@contextmanager
def berth_engine(base: Path, tar: bytes) -> Iterator[Berth]:
    from fixtures.berthd import run_berthd

    berthd, cli = berth_bin("berthd"), berth_bin("berth")
    if not berthd or not cli:
        raise RuntimeError("berthd/berth not found in $BERTH_BIN_DIR or /usr/local/bin")
    with run_berthd(binary=berthd) as daemon:
        engine = Berth(daemon, cli)
        try:
            run([cli, "import", "-c", IMAGE_ENV, "-", "busybox:latest"], env=daemon.env, input=tar)
            yield engine
        finally:
            # Remove what is left (a failed run), so the shims and cgroups go with berthd.
            ids = run([cli, "ps", "-aq", "--no-trunc"], env=daemon.env, check=False).stdout.decode().split()
            if ids:
                engine.remove(ids)


@contextmanager
def docker_engine(base: Path, tar: bytes, tag: str) -> Iterator[Docker]:
    base.mkdir(parents=True)
    (base / "docker-config").mkdir()
    (base / "daemon.json").write_text("{}\n")
    sock = base / "docker.sock"
    cgroup_parent = f"berth-bench-{tag}-docker"
    cmd = ["unshare", "--net", "--", "dockerd", "--data-root", str(base / "root"), "--exec-root", str(base / "exec"),
           "--pidfile", str(base / "docker.pid"), "--config-file", str(base / "daemon.json"), "-H", f"unix://{sock}",
           "--bridge=none", "--iptables=false", "--ip-masq=false", "--storage-driver", "overlay2",
           "--cgroup-parent", f"/{cgroup_parent}", "--log-level", "error"]
    with open(base / "dockerd.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    engine = Docker(base, proc, sock)
    try:
        deadline = time.monotonic() + 60
        while run(["docker", "version"], env=engine.env(), check=False, timeout=30).returncode != 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dockerd did not start: " + (base / "dockerd.log").read_text()[-400:])
            time.sleep(0.2)
        run(["docker", "import", "-c", IMAGE_ENV, "-", "busybox:latest"], env=engine.env(), input=tar)
        yield engine
    finally:
        if proc.poll() is None:
            ids = run(["docker", "ps", "-aq"], env=engine.env(), check=False).stdout.decode().split()
            if ids:
                engine.remove(ids)
        stop_pid(proc)
        for pid in processes("containerd-shim", str(base)) + processes("containerd", str(base)):
            os.kill(pid, signal.SIGKILL)
        kill_cgroup_tree(cgroup_parent)
        from fixtures.cleanup import unmount_under

        unmount_under(base)


@contextmanager
def podman_engine(base: Path, tar: bytes, tag: str) -> Iterator[Podman]:
    base.mkdir(parents=True)
    (base / "tmp").mkdir()
    cgroup_parent = f"berth-bench-{tag}-podman"
    engine = Podman(base, f"/{cgroup_parent}")
    try:
        run([*engine.cli(), "import", "--change", IMAGE_ENV, "-", "localhost/busybox:latest"], input=tar)
        yield engine
    finally:
        run([*engine.cli(), "rm", "-f", "-a", "-t", "0"], check=False, timeout=600)
        for pid in processes("conmon", str(base)):
            os.kill(pid, signal.SIGKILL)
        run([*engine.cli(), "system", "reset", "-f"], check=False, timeout=120)
        kill_cgroup_tree(cgroup_parent)
        from fixtures.cleanup import unmount_under

        unmount_under(base)


@contextmanager
def containerd_engine(base: Path, rootfs: Path, tag: str) -> Iterator[Containerd]:
    from fixtures.busybox import build_busybox_layout

    base.mkdir(parents=True)
    sock = base / "containerd.sock"
    (base / "config.toml").write_text(
        f'version = 2\nroot = "{base}/root"\nstate = "{base}/state"\n'
        f'[grpc]\n  address = "{sock}"\n'
        '[plugins."io.containerd.grpc.v1.cri"]\n  disable_cgroup = true\n')
    namespace = f"berth-bench-{tag}"
    with open(base / "containerd.log", "wb") as log:
        proc = subprocess.Popen(["containerd", "--config", str(base / "config.toml")], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, start_new_session=True)
    engine = Containerd(base, proc, sock, namespace)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("containerd did not start: " + (base / "containerd.log").read_text()[-400:])
            time.sleep(0.1)
        layout = build_busybox_layout(base / "layout", rootfs)
        archive = base / "busybox-oci.tar"
        with tarfile.open(archive, "w") as t:
            t.add(layout.path, arcname=".")
        run([*engine.cli(), "images", "import", "--base-name", "docker.io/library/busybox", str(archive)])
        yield engine
    finally:
        listed = run([*engine.cli(), "containers", "ls", "-q"], check=False).stdout.decode().split()
        if listed:
            engine.remove(listed)
        stop_pid(proc)
        for pid in processes("containerd-shim", str(sock)):
            os.kill(pid, signal.SIGKILL)
        kill_cgroup_tree(namespace)
        from fixtures.cleanup import unmount_under

        unmount_under(base)


# --- measurements ------------------------------------------------------------------------------

def median_ms(argv: list[str], env, n: int) -> float:
    return statistics.median(time_once(argv, env=env) for _ in range(n))


def start_detached(engine: Engine, first: int, count: int) -> tuple[list[str], float]:
    """`run -d` `count` times in a row; returns the container ids and the seconds it took."""
    ids = []
    start = time.monotonic()
    for i in range(first, first + count):
        r = run(engine.run_detached(i), env=engine.env(), timeout=120)
        ids.append(engine.started_id(i, r.stdout.decode()))
    return ids, time.monotonic() - start


def monitor_pss(engine: Engine) -> list[int]:
    return [p for p in (pss_kib(pid) for pid in engine.monitors()) if p is not None]


def report_memory_row(name: str, pss: list[int], expected: int) -> None:
    """One monitor's PSS row, in KiB: the target (1 MiB = 1024 KiB) is near where MiB rounds."""
    if not pss:
        print(f"{name:<30} no monitor processes found (expected {expected})")
        return
    print(f"{name:<30} {len(pss):>5}  {statistics.median(pss):>7.0f} KiB  {min(pss):>7} KiB  "
          f"{max(pss):>7} KiB  {format_kib(sum(pss)):>10}")


def main(opts) -> int:
    from fixtures.busybox import build_rootfs
    from fixtures.host import is_real_root

    if not is_real_root():
        print("daemon: skipped: needs root in the initial user namespace")
        return 0
    if not os.access("/usr/bin/busybox", os.X_OK):
        print("daemon: skipped: /usr/bin/busybox missing (apt-get install busybox-static)")
        return 0
    if not berth_bin("berthd") or not berth_bin("berth"):
        print("daemon: skipped: no berthd/berth in $BERTH_BIN_DIR or /usr/local/bin")
        return 0
    idle = getattr(opts, "idle", 100)
    burst = max(getattr(opts, "burst", 500), idle)
    peers = not getattr(opts, "no_peers", False)
    tag = uuid.uuid4().hex[:8]
    base = Path(tempfile.mkdtemp(prefix="berth-bench-daemon-"))
    try:
        rootfs = build_rootfs(base / "rootfs")
        tar = rootfs_tar(rootfs)
        with ExitStack() as stack:
            berth = stack.enter_context(berth_engine(base / "berth", tar))
            engines: list[Engine] = [berth]
            skipped: dict[str, str] = {}

            def start_peer(name: str, requires: list[str], factory) -> None:
                missing = [r for r in requires if which(r) is None]
                if not peers:
                    skipped[name] = "peers off (--no-peers)"
                elif missing:
                    skipped[name] = f"not installed: {', '.join(missing)}"
                else:
                    try:
                        engines.append(stack.enter_context(factory()))
                    except Exception as e:  # a broken peer must not stop the others
                        skipped[name] = f"failed to start: {e}"

            start_peer("docker", ["dockerd", "docker", "unshare"], lambda: docker_engine(base / "docker", tar, tag))
            start_peer("podman", ["podman", "runc"], lambda: podman_engine(base / "podman", tar, tag))
            start_peer("containerd", ["containerd", "ctr", "containerd-shim-runc-v2"],
                       lambda: containerd_engine(base / "containerd", rootfs, tag))
            by_name = {e.name: e for e in engines}
            print(f"berthd {berth.daemon.pid} ({berth_bin('berthd')}); "
                  + "; ".join(f"{n}: {why}" for n, why in skipped.items()))
            rss_idle = vm_rss_kib(berth.daemon.pid)

            # 1. run --rm, end to end
            contenders = [Contender("berth", berth.run_rm(), env=berth.env(),
                                    note="berth CLI → berthd → berth-shim (runtime in process)")]
            if which("docker"):
                on_berthd = DockerCLIOnBerthd(berth.daemon, "docker")
                contenders.append(Contender(on_berthd.name, on_berthd.run_rm(), env=on_berthd.env(),
                                            note="the docker CLI 28 against berthd"))
            for name in ("docker", "podman"):
                if name in by_name:
                    e = by_name[name]
                    contenders.append(Contender(name, e.run_rm(), env=e.env()))
                else:
                    contenders.append(Contender(name, ["false"], check=lambda why=skipped.get(name, "?"): why))
            results = {r.name: r for r in run_contenders(
                contenders, runs=opts.runs, warmup=opts.warmup, baseline="docker" if "docker" in by_name else "berth",
                title="daemon: run --rm --network none busybox true (CLI + daemon + container)")}
            b = results["berth"].stats
            for peer, target in (("docker", 10), ("podman", 5)):
                s = results.get(peer).stats if results.get(peer) else None
                if b and s:
                    print(f"  target: berth ≤ 1/{target} of {peer}: {b.median:.1f} ms vs {s.median / target:.1f} ms "
                          f"→ {'met' if b.median <= s.median / target else 'missed'}")
            rss_after_runs = vm_rss_kib(berth.daemon.pid)

            # 2 + 3. idle containers: start rate, monitor PSS, ps latency
            print(f"\n== daemon: {idle} idle `sleep` containers per engine, started with `run -d` in a row")
            print(f"{'engine':<16} {'started':>7}  {'per s':>7}  {'ps median':>10}")
            started: dict[str, list[str]] = {}
            rates: dict[str, float] = {}
            for e in engines:
                try:
                    ids, secs = start_detached(e, 0, idle)
                except Exception as ex:
                    print(f"{e.name:<16} failed: {ex}")
                    continue
                started[e.name] = ids
                rates[e.name] = idle / secs
                ps = median_ms(e.ps(), e.env(), 10)
                print(f"{e.name:<16} {len(ids):>7}  {idle / secs:7.1f}  {ps:8.1f}ms")
            time.sleep(1)   # let the monitors settle (first output, logs)
            print(f"\n== daemon: per-container monitor PSS (smaps_rollup) with {idle} idle containers each")
            print(f"{'monitor':<30} {'count':>5}  {'median':>11}  {'min':>11}  {'max':>11}  {'sum':>10}")
            for e in engines:
                if e.name in started:
                    report_memory_row(f"{e.monitor} ({e.name})" if e.name != "berth" else e.monitor,
                                      monitor_pss(e), idle)
            print(f"\n== daemon: daemon RSS (VmRSS) with {idle} containers per engine running")
            rows = [("berthd idle (after start)", rss_idle), ("berthd after the run --rm rounds", rss_after_runs),
                    (f"berthd with {idle} running", vm_rss_kib(berth.daemon.pid))]
            for e in engines[1:]:
                for label, pid in e.daemon_pids().items():
                    try:
                        rows.append((f"{label} with {idle} running", vm_rss_kib(pid)))
                    except OSError:
                        pass
            for label, kib in rows:
                print(f"{label:<40} {format_kib(kib):>9}")
            for e in engines[1:]:
                if e.name in started:
                    e.remove(started.pop(e.name))

            # berth on to `burst` containers
            if "berth" in started and burst > idle:
                more, secs = start_detached(berth, idle, burst - idle)
                started["berth"] += more
                total = burst / (secs + idle / rates["berth"])
                ps = median_ms(berth.ps(), berth.env(), 10)
                ps_docker = median_ms(["docker", "ps"], berth.env(), 10) if which("docker") else None
                print(f"\n== daemon: berth with {burst} containers started by `run -d` in a row")
                print(f"run -d rate over all {burst}: {total:.1f}/s (the last {burst - idle}: {(burst - idle) / secs:.1f}/s)")
                print(f"ps with {burst} running: berth {ps:.1f} ms"
                      + (f", docker CLI → berthd {ps_docker:.1f} ms" if ps_docker else "") + " (median of 10; target < 50 ms)")
                print(f"berthd RSS with {burst} running: {format_kib(vm_rss_kib(berth.daemon.pid))}; "
                      f"berth-shim PSS median {statistics.median(monitor_pss(berth) or [0]):.0f} KiB")
            if "berth" in started:
                t0 = time.monotonic()
                berth.remove(started.pop("berth"))
                print(f"removed berth's containers (rm -f) in {time.monotonic() - t0:.1f}s")
        return 0
    finally:
        from fixtures.cleanup import unmount_under

        unmount_under(base)
        shutil.rmtree(base, ignore_errors=True)
