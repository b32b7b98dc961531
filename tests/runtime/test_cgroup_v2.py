"""The cgroup v2 code path. This host is v1-hybrid; its unified hierarchy (no resource
controllers) is mounted as /sys/fs/cgroup in a private mount namespace, so berth-runtime
sees a pure v2 host: cgroup directories, self-attach, cgroup namespace, freeze, cleanup."""
import os
import subprocess
import uuid

import pytest


def test_v2_lifecycle(runtime, make_bundle):
    if not os.path.exists("/sys/fs/cgroup/unified/cgroup.controllers"):
        pytest.skip("no unified cgroup2 hierarchy to test the v2 path with")
    top = "berth-v2-" + uuid.uuid4().hex[:8]

    def edit(c):
        c["linux"].pop("resources", None)
        c["linux"]["cgroupsPath"] = f"/{top}/c1"
    b = make_bundle(["sleep", "100"], edit=edit)
    rt = " ".join(runtime.cmd())
    script = f"""
set -ex
mount --make-rprivate /
mount -t cgroup2 none /sys/fs/cgroup
test -f /sys/fs/cgroup/cgroup.controllers
{rt} run -d --bundle {b} c1 </dev/null >/dev/null 2>&1
test -d /sys/fs/cgroup/{top}/c1
pid=$({rt} state c1 | tr -d ' ' | sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p')
grep -qx "$pid" /sys/fs/cgroup/{top}/c1/cgroup.procs
echo inside=$({rt} exec c1 cat /proc/self/cgroup)
{rt} pause c1
{rt} state c1 | tr -d ' ' | grep -q '"status":"paused"'
grep -q 1 /sys/fs/cgroup/{top}/c1/cgroup.freeze
{rt} resume c1
{rt} state c1 | tr -d ' ' | grep -q '"status":"running"'
{rt} delete --force c1
test ! -e /sys/fs/cgroup/{top}/c1
rmdir /sys/fs/cgroup/{top}
echo ok
"""
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    inside = r.stdout.split("inside=")[1].split()
    assert "0::/" in inside   # the container's own cgroup namespace: its cgroup is the root
    assert r.stdout.strip().endswith("ok")
