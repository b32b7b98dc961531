"""Fixtures for berth-runtime's integration tests: a busybox root filesystem with the
probe, bundles made from it, and a runtime wrapper on a temporary state root."""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("BERTH_BIN_DIR", REPO / ".build" / "debug"))
RUNTIME = BIN_DIR / "berth-runtime"


def require_root():
    if os.geteuid() != 0:
        pytest.skip("needs root: real containers")


@pytest.fixture(scope="session")
def runtime_bin():
    if not RUNTIME.exists():
        pytest.skip(f"{RUNTIME} not built (run `swift build`)")
    return str(RUNTIME)


@pytest.fixture(scope="session")
def probe(tmp_path_factory):
    """tests/probe/probe.c built static: checks isolation from inside a container."""
    out = tmp_path_factory.mktemp("probe") / "probe"
    subprocess.run(["gcc", "-static", "-O2", "-o", str(out), str(REPO / "tests/probe/probe.c")], check=True)
    return out


@pytest.fixture(scope="session")
def rootfs(tmp_path_factory, probe, busybox_rootfs):
    """The shared busybox rootfs plus the probe."""
    require_root()
    d = tmp_path_factory.mktemp("busybox") / "rootfs"
    shutil.copytree(busybox_rootfs, d, symlinks=True)
    shutil.copy(probe, d / "bin" / "probe")
    return d


class Runtime:
    """berth-runtime on its own --root, removing every container it made at the end."""

    def __init__(self, binary, root):
        self.binary = binary
        self.root = root
        self.ids = []

    def cmd(self, *args):
        return [self.binary, "--root", str(self.root), *args]

    def run(self, *args, check=False, timeout=60, **kw):
        """Runs a runtime command. `create` and `run -d` leave the container holding the
        stdio they were given, so those get files rather than pipes."""
        detached = "-d" in args or "--detach" in args
        if args and (args[0] == "create" or (args[0] in ("run", "exec") and detached)):
            with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
                p = subprocess.run(self.cmd(*args), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   text=True, timeout=timeout, **kw)
                out.seek(0)
                err.seek(0)
                r = subprocess.CompletedProcess(p.args, p.returncode, out.read(), err.read())
            if check and r.returncode != 0:
                raise subprocess.CalledProcessError(r.returncode, r.args, r.stdout, r.stderr)
            return r
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, timeout=timeout, check=check, **kw)

    def state(self, cid):
        r = self.run("state", cid, check=True)
        return json.loads(r.stdout)

    def cleanup(self):
        for cid in self.ids:
            self.run("delete", "--force", cid)


@pytest.fixture
def runtime(runtime_bin, tmp_path):
    require_root()
    rt = Runtime(runtime_bin, tmp_path / "state")
    yield rt
    rt.cleanup()


@pytest.fixture
def make_bundle(rootfs, runtime_bin, tmp_path):
    """make_bundle(args, docker=False, **edits) → bundle dir. The rootfs is shared and
    read-only for the container unless `writable=True` copies it."""
    count = [0]

    def make(args, docker=False, writable=False, edit=None):
        count[0] += 1
        b = tmp_path / f"bundle{count[0]}"
        b.mkdir()
        flags = ["--docker-defaults"] if docker else []
        subprocess.run([runtime_bin, "spec", "--bundle", str(b), *flags], check=True)
        cfg = json.loads((b / "config.json").read_text())
        if writable:
            shutil.copytree(rootfs, b / "rootfs", symlinks=True)
            cfg["root"] = {"path": "rootfs", "readonly": False}
        else:
            cfg["root"] = {"path": str(rootfs), "readonly": True}
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = args
        cfg["process"]["env"] = ["PATH=/bin"]
        if edit:
            edit(cfg)
        (b / "config.json").write_text(json.dumps(cfg, indent=1))
        return b

    return make
