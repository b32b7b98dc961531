"""Container start: `run` of a busybox bundle's /bin/true, for berth-runtime and the peers.

Every runtime gets the same bundle: pid, mount, uts, ipc and network namespaces, a read-only
busybox rootfs, a 64 MiB memory limit and a cgroupsPath unique per iteration (rewritten in the
untimed setup), and a container id unique per iteration. The floor is what the kernel needs for
the same namespaces without a runtime: `unshare --fork --pid --mount --uts --ipc --net chroot`.
Then the peak RSS of each runtime's `create` (create, measure, delete).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import uuid
from pathlib import Path

from harness import Contender, format_kib, peak_rss_kib, rss_floor_kib, run_contenders, which

NAME = "runtime"
DESCRIPTION = "run /bin/true in a busybox bundle (5 namespaces, memory limit): berth-runtime, runc, crun, unshare floor; peak RSS of create"

MEMORY_LIMIT = 64 * 1024 * 1024
# crun 1.8 refuses hybrid cgroups whenever cgroup2 (unified/) has any controller enabled, even
# with --cgroup-manager=disabled. Inside a private mount namespace without the unified mount it
# sees plain v1 and runs; the wrapper's own cost is measured as a separate row.
HIDE_CGROUP2 = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'umount /sys/fs/cgroup/unified && exec "$@"', "sh"]


def berth_runtime_binary() -> str | None:
    """`$BERTH_BIN_DIR/berth-runtime`, else /usr/local/bin/berth-runtime."""
    for d in (os.environ.get("BERTH_BIN_DIR"), "/usr/local/bin"):
        if d and os.access(Path(d) / "berth-runtime", os.X_OK):
            return str(Path(d) / "berth-runtime")
    return None


class RuntimeBench:
    def __init__(self, base: Path, rootfs: Path, spec_fn):
        self.base, self.rootfs, self.spec_fn = base, rootfs, spec_fn
        tag = uuid.uuid4().hex[:8]
        self.prefix = f"berth-bench-{tag}"
        self.cgroup_parent = f"berth-bench-{tag}"
        self.created_ids: list[tuple[list[str], str]] = []  # (runtime argv prefix, id) to delete

    def bundle(self, name: str, args: list[str], cgroup: str | None = None) -> Path:
        path = self.base / "bundles" / name
        path.mkdir(parents=True, exist_ok=True)
        self.write_config(path, args, cgroup)
        return path

    def write_config(self, path: Path, args: list[str], cgroup: str | None) -> None:
        spec = self.spec_fn(args, root_path=str(self.rootfs), cgroups_path=cgroup, memory_limit=MEMORY_LIMIT)
        (path / "config.json").write_text(json.dumps(spec))

    def cid(self, name: str, i: int | str) -> str:
        return f"{self.prefix}-{name}-{i}"

    def runtime_contender(self, name: str, runtime: list[str], *, note: str = "",
                          requires: list[str] | None = None) -> Contender:
        """`RUNTIME run --bundle B ID` with a fresh id and cgroupsPath per iteration."""
        bundle = self.bundle(name, ["/bin/true"])

        def setup(i: int) -> None:
            self.write_config(bundle, ["/bin/true"], f"/{self.cgroup_parent}/{name}-{i}")

        def teardown(i: int) -> None:
            # `run` deletes the container when it exits; delete only what a failure left behind
            if any((Path(root) / self.cid(name, i)).exists() for root in ("/run/runc", "/run/crun", "/run/berth-runtime")):
                subprocess.run([*runtime, "delete", "--force", self.cid(name, i)], capture_output=True)

        def check() -> str | None:
            return self.probe(name, runtime)

        return Contender(
            name=name,
            command=lambda i: [*runtime, "run", "--bundle", str(bundle), self.cid(name, i)],
            setup=setup, teardown=teardown, check=check, note=note,
            requires=requires if requires is not None else [runtime[0]],
        )

    def probe(self, name: str, runtime: list[str]) -> str | None:
        """Run a bundle that prints a marker; a runtime that fails or prints nothing is skipped
        (a placeholder binary that exits 0 must not be timed as if it ran a container)."""
        marker = f"berth-bench-probe-{uuid.uuid4().hex[:6]}"
        bundle = self.bundle(f"probe-{name}", ["/bin/echo", marker], f"/{self.cgroup_parent}/probe-{name}")
        cid = self.cid("probe", name)
        try:
            r = subprocess.run([*runtime, "run", "--bundle", str(bundle), cid], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"probe run failed: {e}"
        finally:
            subprocess.run([*runtime, "delete", "--force", cid], capture_output=True)
        if r.returncode != 0:
            tail = " | ".join(r.stderr.strip().splitlines()[-2:])
            return f"probe run exited {r.returncode}: {tail}"
        if marker not in r.stdout:
            return f"probe run printed {r.stdout.strip()[:60]!r}, not the container's output"
        return None

    def create_rss(self, name: str, runtime: list[str], samples: int = 3) -> str:
        """Peak RSS of `RUNTIME create` (median of `samples`), deleting each container."""
        bundle = self.bundle(f"create-{name}", ["/bin/true"])
        values = []
        for i in range(samples):
            cid = self.cid(f"create-{name}", i)
            self.write_config(bundle, ["/bin/true"], f"/{self.cgroup_parent}/create-{name}-{i}")
            try:
                code, kib, err = peak_rss_kib([*runtime, "create", "--bundle", str(bundle), cid])
            finally:
                subprocess.run([*runtime, "delete", "--force", cid], capture_output=True)
            if code != 0:
                tail = " | ".join(err.strip().splitlines()[-2:])
                return f"skipped: create exited {code}: {tail}"
            values.append(kib)
        return f"{format_kib(statistics.median(values))} (median of {samples}; max {format_kib(max(values))})"

    def cleanup(self) -> list[str]:
        """Delete leftover containers and cgroups of this run; return what was left (should be nothing)."""
        left = []
        for root, runtime in (("/run/runc", "runc"), ("/run/crun", "crun"), ("/run/berth-runtime", None)):
            if not os.path.isdir(root):
                continue
            for entry in os.listdir(root):
                if entry.startswith(self.prefix):
                    left.append(f"{root}/{entry}")
                    if runtime and which(runtime):
                        subprocess.run([runtime, "delete", "--force", entry], capture_output=True)
        from fixtures.cleanup import find_cgroup_dirs, remove_cgroup_dirs  # noqa: E402

        remove_cgroup_dirs(self.cgroup_parent, exact=True)
        left += [str(p) for p in find_cgroup_dirs(self.cgroup_parent, exact=True)]
        return left


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def main(opts) -> int:
    from fixtures.busybox import build_rootfs, runtime_spec
    from fixtures.host import cgroup_layout, is_real_root

    if not is_real_root():
        print("runtime: skipped: needs root in the initial user namespace")
        return 0
    if not os.access("/usr/bin/busybox", os.X_OK):
        print("runtime: skipped: /usr/bin/busybox missing (apt-get install busybox-static)")
        return 0

    def spec_fn(args, **kw):
        return runtime_spec(args, **kw)

    base = Path(tempfile.mkdtemp(prefix="berth-bench-runtime-"))
    bench = None
    try:
        rootfs = build_rootfs(base / "rootfs")
        bench = RuntimeBench(base, rootfs, spec_fn)
        print(f"kernel {os.uname().release}, cgroups {cgroup_layout()}; "
              f"{tool_version(['runc', '--version'])}; {tool_version(['crun', '--version'])}")

        contenders = []
        berth = berth_runtime_binary()
        if berth:
            contenders.append(bench.runtime_contender("berth-runtime", [berth], note=berth))
        else:
            contenders.append(Contender("berth-runtime", ["false"], check=lambda: (
                "not installed: no berth-runtime in $BERTH_BIN_DIR or /usr/local/bin")))
        contenders.append(bench.runtime_contender("runc", ["runc"]))
        contenders.append(bench.runtime_contender("crun", ["crun"]))
        contenders.append(bench.runtime_contender(
            "crun-nocgroup", ["crun", "--cgroup-manager=disabled"], requires=["crun"],
            note="--cgroup-manager=disabled: no memory limit applied"))
        hidden = None
        if which("crun") and cgroup_layout() == "hybrid":
            hidden = bench.runtime_contender(
                "crun-v1only", [*HIDE_CGROUP2, "crun"], requires=["crun", "unshare"],
                note="crun in a private mount ns without cgroup2 mounted (hybrid workaround); "
                     "includes the wrapper, see ns-wrapper")
            contenders.append(hidden)
            contenders.append(Contender(
                "ns-wrapper", [*HIDE_CGROUP2, "/bin/true"], requires=["unshare"],
                note="the crun-v1only wrapper alone (unshare -m, sh, umount)"))
        contenders.append(Contender(
            "floor", ["unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                      "chroot", str(rootfs), "/bin/true"],
            requires=["unshare", "chroot"], note="unshare+chroot: same namespaces, no runtime, no cgroup"))

        results = {r.name: r for r in run_contenders(contenders, runs=opts.runs, warmup=opts.warmup, baseline="runc",
                       title="runtime: run /bin/true, busybox bundle, pid+mount+uts+ipc+net ns, 64 MiB limit")}

        print("\n== runtime: peak RSS of `create` (GNU time %M, i.e. ru_maxrss; the container's init "
              f"not counted; /bin/true measures {format_kib(rss_floor_kib())})")
        rss_rows = [("runc", ["runc"]), ("crun", ["crun"]), ("crun-nocgroup", ["crun", "--cgroup-manager=disabled"])]
        if hidden is not None:
            rss_rows.append(("crun-v1only", [*HIDE_CGROUP2, "crun"]))
        if berth:
            rss_rows.insert(0, ("berth-runtime", [berth]))
        else:
            print("berth-runtime   skipped: not installed (set BERTH_BIN_DIR)")
        for name, runtime in rss_rows:
            if which(runtime[0]) is None:
                print(f"{name:<15} skipped: not installed")
                continue
            if results[name].skipped and "probe" in results[name].skipped:
                print(f"{name:<15} skipped: {results[name].skipped}")
                continue
            print(f"{name:<15} {bench.create_rss(name, runtime)}")
        return 0
    finally:
        if bench is not None:
            left = bench.cleanup()
            if left:
                print("runtime: cleaned up leftovers: " + ", ".join(left))
        shutil.rmtree(base, ignore_errors=True)
