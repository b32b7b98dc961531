"""Bad bundles fail with one line naming the field, exit non-zero, and leave no cgroup,
mount or state directory behind."""
import json
import os
import uuid

import pytest

from helpers import cgroup_dirs, mounts_under


def check_refused(runtime, bundle, *expected):
    c = "bad-" + uuid.uuid4().hex[:10]
    r = runtime.run("create", "--bundle", str(bundle), c)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for word in expected:
        assert word in lines[0], lines[0]
    assert not (runtime.root / c).exists(), "state directory left behind"
    assert not cgroup_dirs(c), "cgroup left behind"
    assert not mounts_under(bundle), "mount left behind"
    return lines[0]


def test_missing_rootfs(runtime, make_bundle):
    b = make_bundle(["true"], edit=lambda c: c.update(root={"path": "no-such-rootfs"}))
    check_refused(runtime, b, "root.path", "no-such-rootfs")


def test_invalid_json(runtime, make_bundle):
    b = make_bundle(["true"])
    (b / "config.json").write_text('{"ociVersion": "1.2.0", "process": {')
    check_refused(runtime, b, "config.json", "invalid JSON")


def test_wrong_type(runtime, make_bundle):
    b = make_bundle(["true"], edit=lambda c: c["process"].update(args="true"))
    check_refused(runtime, b, "process.args")


def test_unknown_namespace_type(runtime, make_bundle):
    b = make_bundle(["true"], edit=lambda c: c["linux"]["namespaces"].append({"type": "bogus"}))
    check_refused(runtime, b, "linux.namespaces", "bogus")


def test_mount_destination_escaping_through_dotdot(runtime, make_bundle):
    def edit(c):
        c["mounts"].append({"destination": "/../../../tmp/escape", "type": "tmpfs", "source": "tmpfs"})
    b = make_bundle(["true"], edit=edit)
    check_refused(runtime, b, "mounts[7].destination", "escapes")


def test_mount_destination_escaping_through_symlink(runtime, make_bundle, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()

    def edit(c):
        c["mounts"].append({"destination": "/escape/x", "type": "tmpfs", "source": "tmpfs"})
    b = make_bundle(["true"], writable=True, edit=edit)
    os.symlink("../../../../../../../.." + str(outside), b / "rootfs" / "escape")
    check_refused(runtime, b, "mounts[7].destination", "symlink")
    assert list(outside.iterdir()) == [], "something was created outside the rootfs"


def test_absolute_symlinks_stay_inside(runtime, make_bundle, tmp_path):
    """An absolute symlink in the image is resolved inside the rootfs, as in a chroot."""
    outside = tmp_path / "host-dir"
    outside.mkdir()

    def edit(c):
        c["mounts"].append({"destination": "/link/sub", "type": "tmpfs", "source": "tmpfs"})
        c["process"]["args"] = ["sh", "-c", "ls -d /link/sub"]
    b = make_bundle(["true"], writable=True, edit=edit)
    os.symlink(str(outside), b / "rootfs" / "link")
    (b / "rootfs" / str(outside).lstrip("/")).mkdir(parents=True)
    r = runtime.run("run", "--bundle", str(b), "abs-" + uuid.uuid4().hex[:8])
    assert r.returncode == 0, r.stderr
    assert list(outside.iterdir()) == []


def test_missing_bind_source(runtime, make_bundle):
    def edit(c):
        c["mounts"].append({"destination": "/data", "type": "bind", "source": "/nonexistent/berth", "options": ["rbind"]})
    b = make_bundle(["true"], edit=edit)
    check_refused(runtime, b, "/nonexistent/berth")


def test_unknown_capability(runtime, make_bundle):
    b = make_bundle(["true"], edit=lambda c: c["process"]["capabilities"].update(bounding=["CAP_BOGUS"]))
    check_refused(runtime, b, "process.capabilities.bounding", "CAP_BOGUS")


def test_missing_program(runtime, make_bundle):
    b = make_bundle(["no-such-program"])
    check_refused(runtime, b, "executable file not found")


def test_duplicate_id(runtime, make_bundle):
    b = make_bundle(["sleep", "10"])
    c = "dup-" + uuid.uuid4().hex[:8]
    runtime.ids.append(c)
    assert runtime.run("create", "--bundle", str(b), c).returncode == 0
    r = runtime.run("create", "--bundle", str(b), c)
    assert r.returncode != 0 and "exists" in r.stderr
    assert runtime.state(c)["status"] == "created"


@pytest.mark.parametrize("cid", ["../evil", "a/b", ".."])
def test_bad_ids(runtime, make_bundle, cid):
    b = make_bundle(["true"])
    r = runtime.run("create", "--bundle", str(b), cid)
    assert r.returncode != 0 and "invalid container id" in r.stderr
