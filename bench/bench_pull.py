"""Cold pull of a Debian-bookworm-sized image from a local registry: berth, docker, and the floor.

The image is a `debootstrap --variant=minbase bookworm` root (made once and cached under
$BERTH_BENCH_CACHE, default /var/cache/berth-bench, keyed by IMAGE_VERSION) split into five gzip
layers written with Python's tarfile (owners, modes, symlinks, hardlinks and device nodes as
debootstrap made them): base (everything outside the groups below), usr/lib*, usr/bin+sbin+libexec,
usr/share, and a small top layer with whiteouts. skopeo pushes the OCI layout into a Distribution
registry (Debian's docker-registry).

Everything networked runs in one private network namespace the benchmark creates (and deletes):
the registry listens on that namespace's 127.0.0.1 and berthd, dockerd, the CLIs and skopeo all
reach it over the same loopback. Rows, each a cold pull (nothing of the image present before a
timed run):

  berth        `berth -H SOCK pull 127.0.0.1:PORT/debian:bench` against a berthd (release build)
  docker       `docker -H SOCK pull …` against Debian's dockerd (20.10, overlay2)
  floor        for the same blobs on local disk, per layer `sha256sum BLOB` then
               `gzip -dc BLOB | tar -x -C DIR`, all layers in parallel; nothing synced
  floor+syncfs the floor followed by `sync -f DIR` (syncfs), as durable as a pulled snapshot

Each daemon starts on a fresh data root before each run and stops after it (untimed). What a run
wrote is not deleted until the end: it is renamed into a trash dir. Deleting ~8,000 files right
before the next run makes ext4's inode allocator skip every recently deleted inode in those block
groups (`recently_deleted`, re-reading inode table blocks), which here cost the next contender
seconds of system time. Before each run `sync -f` flushes what the previous one left dirty, so a
contender that syncs does not pay for another's writeback.
"""

from __future__ import annotations

import contextlib
import ctypes
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from harness import Contender, mb_per_s, run_contenders, which

NAME = "pull"
DESCRIPTION = "cold pull of a debootstrap bookworm image (5 gzip layers) from a local registry: berth, docker, floor"

# Cache keys under cache_root(): bump ROOTFS_VERSION to debootstrap again, IMAGE_VERSION to
# rewrite the layers (e.g. after changing how they are split).
ROOTFS_VERSION = "debootstrap-bookworm-minbase-1"
IMAGE_VERSION = "pull-image-2"
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
REPOSITORY, TAG = "debian", "bench"
CREATED = "2024-01-01T00:00:00Z"

MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"

# Layer groups, bottom first: (name, top-level paths). `base` takes whatever no other group does.
LAYER_GROUPS = [
    ("base", None),
    ("usr-lib", ["usr/lib", "usr/lib32", "usr/lib64", "usr/libx32"]),
    ("usr-bin", ["usr/bin", "usr/sbin", "usr/libexec"]),
    ("usr-share", ["usr/share"]),
]
# The top layer deletes these (where debootstrap made them) and adds one file.
WHITEOUTS = ["usr/share/doc/apt", "var/log/bootstrap.log", "var/cache/debconf/templates.dat-old"]
OPAQUE = ["var/lib/apt/lists"]
# Left out, as Debian's own images leave them out: the downloaded .debs (30 MB gzip cannot
# shrink) and the package index (45 MB); what is left of the apt lists the top layer hides.
EXCLUDE_DIRS = {"var/cache/apt/archives": ".deb", "var/lib/apt/lists": "_Packages"}
CLONE_NEWNET = 0x40000000


def cache_root() -> Path:
    return Path(os.environ.get("BERTH_BENCH_CACHE") or "/var/cache/berth-bench")


# --- the image -------------------------------------------------------------------------------

def debootstrap_rootfs(cache: Path) -> Path:
    """`cache/rootfs`, made by debootstrap the first time (a few minutes; needs the Debian mirror)."""
    rootfs = cache / "rootfs"
    if rootfs.is_dir():
        return rootfs
    if which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed (apt-get install debootstrap, or scripts/deps.sh --bench)")
    partial = cache / "rootfs.partial"
    _remove_tree(partial)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"pull: debootstrap --variant=minbase {SUITE} into {rootfs} (once; a few minutes)", flush=True)
    log = cache / "debootstrap.log"
    try:
        with open(log, "wb") as out:
            r = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(partial), MIRROR],
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-5:])
            raise RuntimeError(f"debootstrap exited {r.returncode}:\n{tail}")
        partial.rename(rootfs)
    finally:
        _remove_tree(partial)
    return rootfs


def _remove_tree(path: Path) -> None:
    """rmtree after unmounting what debootstrap may have left mounted (proc, sys) under `path`."""
    if not path.exists():
        return
    from fixtures.cleanup import unmount_under

    unmount_under(path)
    shutil.rmtree(path, ignore_errors=True)


class _HashingWriter:
    """A write-only file object that hashes and counts what passes to `inner`."""

    def __init__(self, inner):
        self.inner, self.hash, self.size = inner, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.inner.write(data)

    def flush(self) -> None:
        self.inner.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self.hash.hexdigest()


def _tarinfo(tar: tarfile.TarFile, full: Path, arcname: str) -> tarfile.TarInfo | None:
    info = tar.gettarinfo(str(full), arcname)
    if info is None:  # sockets: not content
        return None
    # Numeric owners only: the host's user names need not match the image's /etc/passwd.
    info.uname = info.gname = ""
    return info


def _layer_paths(rootfs: Path, group: list[str] | None) -> list[str]:
    """Relative paths of one group, parents first, in walk order (a hardlink's first name is
    the regular file, later names link to it)."""
    claimed = {p for _, paths in LAYER_GROUPS if paths for p in paths}
    if group is None:
        roots = [e.name for e in sorted(rootfs.iterdir()) if e.name != "usr"]
        roots.append("usr")
        roots += [f"usr/{e.name}" for e in sorted((rootfs / "usr").iterdir()) if f"usr/{e.name}" not in claimed]
        parents: list[str] = []
    else:
        roots = [p for p in group if os.path.lexists(rootfs / p)]
        parents = sorted({str(Path(p).parent) for p in roots if str(Path(p).parent) != "."})
    out = list(parents)
    for top in roots:
        out.append(top)
        full = rootfs / top
        if full.is_dir() and not full.is_symlink() and top != "usr":
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                rel = Path(dirpath).relative_to(rootfs)
                skip = EXCLUDE_DIRS.get(str(rel))
                out += [str(rel / n) for n in sorted(dirnames + filenames) if not (skip and n.endswith(skip))]
    return out


def _write_layer(dest_dir: Path, add) -> tuple[str, str, int]:
    """Write a gzip tar layer whose entries `add(tar)` adds; returns (digest, diff_id, size)."""
    tmp = dest_dir / f"layer-{uuid.uuid4().hex}.partial"
    with open(tmp, "wb") as f:
        compressed = _HashingWriter(f)
        with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0, compresslevel=6) as gz:
            plain = _HashingWriter(gz)
            with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                add(tar)
    digest = compressed.digest
    tmp.rename(dest_dir / digest.split(":", 1)[1])
    return digest, plain.digest, compressed.size


def _group_layer(rootfs: Path, group: list[str] | None):
    def add(tar: tarfile.TarFile) -> None:
        for rel in _layer_paths(rootfs, group):
            full = rootfs / rel
            info = _tarinfo(tar, full, rel)
            if info is None:
                continue
            if info.isreg():
                with open(full, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return add


def _top_layer(rootfs: Path):
    def add(tar: tarfile.TarFile) -> None:
        dirs: set[str] = set()

        def parents(rel: str) -> None:
            parts = rel.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    tar.addfile(_tarinfo(tar, rootfs / d, d))

        for rel in OPAQUE:
            if (rootfs / rel).is_dir():
                parents(rel + "/x")
                wh = tarfile.TarInfo(rel + "/.wh..wh..opq")
                tar.addfile(wh)
        for rel in WHITEOUTS:
            if os.path.lexists(rootfs / rel):
                head, _, base = rel.rpartition("/")
                parents(rel)
                tar.addfile(tarfile.TarInfo(f"{head}/.wh.{base}"))
        data = f"berth pull benchmark image {IMAGE_VERSION}\n".encode()
        parents("etc/berth-bench")
        info = tarfile.TarInfo("etc/berth-bench")
        info.size, info.mode, info.mtime = len(data), 0o644, 1704067200
        tar.addfile(info, io.BytesIO(data))
    return add


@dataclass
class BenchImage:
    layout: Path
    layers: list[dict]  # name, digest, diff_id, size
    config_size: int

    def blob(self, digest: str) -> Path:
        return self.layout / "blobs" / "sha256" / digest.split(":", 1)[1]

    @property
    def compressed_bytes(self) -> int:
        return sum(layer["size"] for layer in self.layers)


def _json_bytes(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def build_layout(cache: Path) -> BenchImage:
    """`cache/IMAGE_VERSION/oci`: the OCI layout (tag `bench`), built the first time from the
    rootfs in `cache/ROOTFS_VERSION`."""
    layout = cache / IMAGE_VERSION / "oci"
    summary = layout / "berth-bench-layers.json"
    if summary.exists():
        s = json.loads(summary.read_text())
        return BenchImage(layout, s["layers"], s["config_size"])
    rootfs = debootstrap_rootfs(cache / ROOTFS_VERSION)
    cache = cache / IMAGE_VERSION
    partial = cache / "oci.partial"
    shutil.rmtree(partial, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    blobs = partial / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    print(f"pull: writing the layers into {layout} (once)", flush=True)
    layers = []
    builders = [(name, _group_layer(rootfs, group)) for name, group in LAYER_GROUPS] + [("top", _top_layer(rootfs))]
    for name, add in builders:
        digest, diff_id, size = _write_layer(blobs, add)
        layers.append({"name": name, "digest": digest, "diff_id": diff_id, "size": size})
    config = _json_bytes({
        "created": CREATED, "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["bash"]},
        "rootfs": {"type": "layers", "diff_ids": [layer["diff_id"] for layer in layers]},
        "history": [{"created": CREATED, "created_by": f"berth bench: {layer['name']}"} for layer in layers],
    })
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    (blobs / config_digest.split(":", 1)[1]).write_bytes(config)
    manifest = _json_bytes({
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER_GZIP, "digest": layer["digest"], "size": layer["size"]} for layer in layers],
    })
    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    (blobs / manifest_digest.split(":", 1)[1]).write_bytes(manifest)
    (partial / "index.json").write_bytes(_json_bytes({
        "schemaVersion": 2, "mediaType": MEDIA_INDEX,
        "manifests": [{"mediaType": MEDIA_MANIFEST, "digest": manifest_digest, "size": len(manifest),
                       "platform": {"architecture": "amd64", "os": "linux"},
                       "annotations": {"org.opencontainers.image.ref.name": TAG}}],
    }))
    (partial / "oci-layout").write_bytes(_json_bytes({"imageLayoutVersion": "1.0.0"}))
    (partial / "berth-bench-layers.json").write_text(json.dumps({"layers": layers, "config_size": len(config)}))
    shutil.rmtree(layout, ignore_errors=True)
    partial.rename(layout)
    return BenchImage(layout, layers, len(config))


# --- a private network namespace for the registry and every client ---------------------------

def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


@contextlib.contextmanager
def private_netns() -> Iterator[str]:
    """Create a named netns with only `lo` (up), move this thread into it (children inherit it),
    and on exit move back and delete it. The host's interfaces, docker0 and iptables stay untouched."""
    name = f"berth-bench-pull-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    original = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    moved = False
    try:
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(fd)
            moved = True
        finally:
            os.close(fd)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        yield name
    finally:
        if moved:
            _setns(original)
        os.close(original)
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


# --- per-run daemons and outputs ----------------------------------------------------------------

class Trash:
    """Where each run's output goes (a rename) until `empty()` at the end; see the module doc."""

    def __init__(self, base: Path):
        self.dir = base / "trash"
        self.dir.mkdir(parents=True, exist_ok=True)

    def take(self, path: Path) -> None:
        from fixtures.cleanup import unmount_under

        if not path.exists():
            return
        unmount_under(path)
        path.rename(self.dir / f"{path.name}-{uuid.uuid4().hex[:8]}")

    def empty(self) -> None:
        from fixtures.cleanup import unmount_under

        unmount_under(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


def flush(path: Path) -> None:
    """syncfs of the file system holding `path`: what earlier runs left dirty is written now."""
    subprocess.run(["sync", "-f", str(path)], check=False)


def _stop_session(proc: subprocess.Popen, base: Path, timeout: float) -> None:
    """Stop a daemon we started by its PID, then whatever is left of its session (by PID)."""
    from fixtures.cleanup import find_processes
    from fixtures.host import stop_process

    stop_process(proc, timeout)
    for pid in find_processes(session=proc.pid, cmdline_contains=str(base)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


def _wait_ready(proc: subprocess.Popen, ready, log: Path, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited {proc.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout}s:\n{_tail(log)}")
        time.sleep(0.05)


@dataclass
class Berthd:
    proc: subprocess.Popen
    base: Path

    @property
    def socket(self) -> str:
        return f"unix://{self.base}/berth.sock"


def start_berthd(binary: str, parent: Path) -> Berthd:
    """berthd on a fresh data root, socket, pid file and empty daemon.json under `parent`."""
    from fixtures.berthd import unix_request

    base = Path(tempfile.mkdtemp(prefix="berthd-", dir=parent))
    (base / "daemon.json").write_text("{}\n")
    cmd = [binary, "--data-root", str(base / "root"), "--host", f"unix://{base}/berth.sock",
           "--pidfile", str(base / "berthd.pid"), "--config-file", str(base / "daemon.json")]
    with open(base / "berthd.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def ready() -> bool:
        try:
            return (base / "berth.sock").exists() and unix_request(base / "berth.sock", "GET", "/_ping", timeout=2).status == 200
        except OSError:
            return False

    try:
        _wait_ready(proc, ready, base / "berthd.log", "berthd", 20)
    except BaseException:
        _stop_session(proc, base, 10)
        raise
    return Berthd(proc, base)


# --- dockerd on a temporary root ---------------------------------------------------------------

@dataclass
class Dockerd:
    proc: subprocess.Popen
    base: Path

    @property
    def socket(self) -> str:
        return f"unix://{self.base}/docker.sock"

    def docker(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "-H", self.socket, *args], env=self.env(), capture_output=True,
                              text=True, timeout=timeout, check=check)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_CONFIG"] = str(self.base / "client")
        return env


def start_dockerd(parent: Path, start_timeout: float = 60) -> Dockerd:
    """Debian's dockerd on a fresh data root, exec root, socket and empty daemon.json under
    `parent`, with no bridge and no iptables (it runs in the benchmark's private netns anyway)."""
    base = Path(tempfile.mkdtemp(prefix="dockerd-", dir=parent))
    (base / "client").mkdir()
    (base / "daemon.json").write_text("{}\n")
    cmd = [which("dockerd"), "--data-root", str(base / "root"), "--exec-root", str(base / "exec"),
           "-H", f"unix://{base}/docker.sock", "--pidfile", str(base / "docker.pid"),
           "--config-file", str(base / "daemon.json"), "--bridge", "none", "--iptables=false",
           "--ip-masq=false", "--storage-driver", "overlay2", "--log-level", "warn"]
    with open(base / "dockerd.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    d = Dockerd(proc, base)

    def ready() -> bool:
        return (base / "docker.sock").exists() and d.docker("version", check=False, timeout=10).returncode == 0

    try:
        _wait_ready(proc, ready, base / "dockerd.log", "dockerd", start_timeout)
    except BaseException:
        _stop_session(proc, base, 20)
        raise
    return d


def _tail(path: Path, lines: int = 10) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- contenders --------------------------------------------------------------------------------

def berth_binaries() -> tuple[str, str] | None:
    """(berthd, berth) from $BERTH_BIN_DIR, else /usr/local/bin."""
    for d in (os.environ.get("BERTH_BIN_DIR"), "/usr/local/bin"):
        if d and all(os.access(Path(d) / b, os.X_OK) for b in ("berthd", "berth")):
            return str(Path(d) / "berthd"), str(Path(d) / "berth")
    return None


class DaemonPerRun:
    """Setup/teardown for a contender that pulls through a daemon started fresh for each run."""

    def __init__(self, start, stop_timeout: float, trash: Trash, base: Path, verify=None):
        self.start, self.stop_timeout, self.trash, self.base, self.verify = start, stop_timeout, trash, base, verify
        self.current = None

    def setup(self, i: int) -> None:
        self.current = self.start()
        flush(self.base)

    def teardown(self, i: int) -> None:
        d, self.current = self.current, None
        if d is None:
            return
        try:
            if i == 0 and self.verify:
                self.verify(d.base)
        finally:
            _stop_session(d.proc, d.base, self.stop_timeout)
            self.trash.take(d.base)


def berth_contender(ref: str, layers: int, base: Path, trash: Trash) -> Contender:
    bins = berth_binaries()
    if bins is None:
        return Contender("berth", ["false"], check=lambda: "not installed: no berthd/berth in $BERTH_BIN_DIR or /usr/local/bin")
    berthd, berth = bins

    def verify(root: Path) -> None:
        """After the first pull: one snapshot per layer, and the top layer's file is there."""
        snaps = [p for d in root.rglob("snapshots") if d.is_dir() for p in d.iterdir() if not p.name.startswith("tmp-")]
        marker = [p for p in snaps if (p / "fs" / "etc" / "berth-bench").exists()]
        if len(snaps) != layers or len(marker) != 1:
            raise RuntimeError(f"berth pull left {len(snaps)} snapshots (expected {layers}), "
                               f"{len(marker)} with etc/berth-bench")

    runs = DaemonPerRun(lambda: start_berthd(berthd, base), 10, trash, base, verify)
    return Contender(
        "berth", lambda i: [berth, "-H", runs.current.socket, "pull", ref],
        setup=runs.setup, teardown=runs.teardown, note=f"{berthd}")


def docker_contender(ref: str, base: Path, trash: Trash) -> Contender:
    runs = DaemonPerRun(lambda: start_dockerd(base), 30, trash, base)

    def check() -> str | None:
        try:
            d = start_dockerd(base)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            return f"dockerd did not start: {e}"
        try:
            print(f"dockerd {d.docker('version', '--format', '{{.Server.Version}}').stdout.strip()}")
        finally:
            _stop_session(d.proc, d.base, 30)
            trash.take(d.base)
        return None

    return Contender(
        "docker", lambda i: ["docker", "-H", runs.current.socket, "pull", ref],
        setup=runs.setup, teardown=runs.teardown, check=check, requires=["dockerd", "docker"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")},
             "DOCKER_CONFIG": str(base / "docker-client")},
        note="Debian's dockerd, overlay2")


def floor_contenders(image: BenchImage, base: Path, trash: Trash) -> list[Contender]:
    blobs = [str(image.blob(layer["digest"])) for layer in image.layers]

    def script(out: Path, sync: bool) -> list[str]:
        lines = ["set -o pipefail"]
        for k, blob in enumerate(blobs):
            d = out / str(k)
            lines.append(f"{{ sha256sum {blob} >/dev/null && gzip -dc {blob} | tar -x -C {d}; }} & p{k}=$!")
        lines.append(" && ".join(f"wait $p{k}" for k in range(len(blobs))))
        if sync:
            lines[-1] += f" && sync -f {out}"
        return ["bash", "-c", "\n".join(lines)]

    def make(name: str, sync: bool, note: str) -> Contender:
        out = base / name

        def setup(i: int) -> None:
            trash.take(out)
            for k in range(len(blobs)):
                (out / str(k)).mkdir(parents=True)
            flush(base)

        def teardown(i: int) -> None:
            trash.take(out)

        return Contender(name, script(out, sync), setup=setup, teardown=teardown,
                         requires=["sha256sum", "gzip", "tar", "bash"], note=note)

    return [
        make("floor", False, "per layer `sha256sum BLOB` then `gzip -dc BLOB | tar -x -C DIR`, "
                             "all layers in parallel, blobs already on local disk (page cache), nothing synced"),
        make("floor+syncfs", True, "the floor, then `sync -f DIR` (syncfs of the file system)"),
    ]


def print_summary(results, compressed: int) -> None:
    by = {r.name: r for r in results}
    docker = by.get("docker").stats if by.get("docker") else None
    floor = by.get("floor").stats if by.get("floor") else None
    print(f"\n== pull: throughput ({compressed / 1e6:.1f} MB compressed; MB/s = compressed bytes / median)")
    print(f"{'contender':<13} {'median':>10} {'vs docker':>10} {'vs floor':>9} {'MB/s':>8}")
    for r in results:
        s = r.stats
        if s is None:
            print(f"{r.name:<13} skipped: {r.skipped or 'no samples'}")
            continue
        vd = f"{s.median / docker.median:.2f}x" if docker else "-"
        vf = f"{s.median / floor.median:.2f}x" if floor else "-"
        print(f"{r.name:<13} {s.median:8.0f}ms {vd:>10} {vf:>9} {mb_per_s(compressed, s.median):8.1f}")
    berth = by.get("berth").stats if by.get("berth") else None
    if berth and docker:
        ok = berth.median <= docker.median / 2
        print(f"  target berth <= 1/2 of docker: {'met' if ok else 'missed'} ({berth.median / docker.median:.2f}x)")
    if berth and floor:
        ok = berth.median <= floor.median * 1.5
        print(f"  target berth <= 1.5x the floor: {'met' if ok else 'missed'} ({berth.median / floor.median:.2f}x)")


def main(opts) -> int:
    from fixtures.host import is_real_root
    from fixtures.registry import RegistryError, run_registry

    if not is_real_root():
        print("pull: skipped: needs root in the initial user namespace")
        return 0
    missing = [t for t in ("skopeo", "docker-registry", "ip") if which(t) is None]
    if missing:
        print(f"pull: skipped: not installed: {', '.join(missing)} (scripts/deps.sh --bench)")
        return 0
    cache = cache_root()
    try:
        image = build_layout(cache)
    except (RuntimeError, OSError) as e:
        print(f"pull: skipped: no image: {e}")
        return 0
    print(f"image: {image.layout} (debootstrap --variant=minbase {SUITE}), "
          f"{len(image.layers)} gzip layers, {image.compressed_bytes / 1e6:.1f} MB compressed:")
    for layer in image.layers:
        print(f"  {layer['name']:<10} {layer['size'] / 1e6:7.2f} MB  {layer['digest'][:19]}")

    base = Path(tempfile.mkdtemp(prefix="berth-bench-pull-"))
    trash = Trash(base)
    try:
        with private_netns() as ns, run_registry() as registry:
            ref = registry.ref(REPOSITORY, TAG)
            subprocess.run(["skopeo", "copy", "--quiet", f"oci:{image.layout}:{TAG}", registry.docker_ref(REPOSITORY, TAG),
                            "--dest-tls-verify=false"], check=True, capture_output=True, timeout=300)
            print(f"registry {registry.address} in netns {ns}; pulling {ref}; work dir {base}")
            (base / "docker-client").mkdir()
            contenders = [berth_contender(ref, len(image.layers), base, trash), docker_contender(ref, base, trash),
                          *floor_contenders(image, base, trash)]
            results = run_contenders(contenders, runs=opts.runs, warmup=opts.warmup, baseline="docker",
                                     title=f"pull: cold pull of {REPOSITORY}:{TAG} from a local registry")
            print_summary(results, image.compressed_bytes)
    except (RegistryError, subprocess.CalledProcessError) as e:
        detail = e.stderr if isinstance(e, subprocess.CalledProcessError) else ""
        print(f"pull: failed to set up: {e} {detail or ''}")
        return 1
    finally:
        trash.empty()
        from fixtures.cleanup import unmount_under

        unmount_under(base)
        shutil.rmtree(base, ignore_errors=True)
    return 0
