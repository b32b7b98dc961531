"""`docker cp` against berthd (issue 6): a directory tree with modes, owners, symlinks and an
empty directory copied into a stopped container and back out is identical; running
containers, single files, tar on stdout; paths that climb with `../` stay inside the
container; bad input is refused with Docker's errors and leaves nothing behind; no temporary
overlay mount is left."""
import io
import json
import os
import base64
import stat
import tarfile
from pathlib import Path

import pytest

from fixtures.cleanup import find_mounts_under
from test_docker_clients import docker, rootfs_tar  # noqa: F401  (the fixture)


def make_tree(root: Path) -> None:
    """A tree with what cp must keep: modes (setuid, sticky, read-only), owners, a
    symlink (relative and dangling absolute), an empty directory, a hardlink."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "plain.txt").write_text("hello\n")
    (root / "sub" / "script.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "sub" / "deeper" / "data.bin").write_bytes(bytes(range(256)) * 64)
    (root / "owned").write_text("owned by 1234:5678\n")
    os.chown(root / "owned", 1234, 5678)
    os.chown(root / "sub" / "deeper", 42, 43)
    (root / "sub" / "script.sh").chmod(0o4755)
    (root / "plain.txt").chmod(0o640)
    (root / "empty").chmod(0o1777)
    (root / "sub" / "deeper" / "data.bin").chmod(0o400)
    os.symlink("sub/script.sh", root / "link")
    os.symlink("/nowhere/at/all", root / "dangling")
    os.link(root / "plain.txt", root / "hardlink.txt")


def snapshot(root: Path) -> dict:
    """path → (type, mode, uid, gid, content or link target) for everything under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                body = os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                body = p.read_bytes()
            else:
                body = None
            out[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, body)
    return out


def without_owners(snap: dict) -> dict:
    """The docker CLI extracts what it copies out as the calling user (Docker's NoLchown):
    owners are compared through the tar stream instead."""
    return {k: (t, m, body) for k, (t, m, _, _, body) in snap.items()}


def tar_owners(data: bytes, prefix: str) -> dict:
    """path (under `prefix/`) → (uid, gid) from a tar stream."""
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return {m.name[len(prefix) + 1:]: (m.uid, m.gid) for m in t.getmembers() if m.name.startswith(prefix + "/")}


def temp_mounts(berthd):
    return [m.mount_point for m in find_mounts_under(berthd.data_root / "tmp")] if (berthd.data_root / "tmp").exists() else []


def ok(r):
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r


def test_cp_directory_into_stopped_container_and_back_is_identical(berthd, docker, tmp_path, leak_check):  # noqa: F811
    leak_check.mounts(berthd.data_root / "tmp")
    src = tmp_path / "src"
    src.mkdir()
    make_tree(src / "tree")
    ok(docker("create", "--name", "cpstop", "busybox", "true"))
    ok(docker("cp", str(src / "tree"), "cpstop:/tree"))
    assert temp_mounts(berthd) == []
    # The container sees it with the same modes and owners.
    ok(docker("start", "-a", "cpstop"))
    out = tmp_path / "out"
    out.mkdir()
    ok(docker("cp", "cpstop:/tree", str(out / "tree")))
    expected = snapshot(src / "tree")
    assert without_owners(snapshot(out / "tree")) == without_owners(expected)
    # Owners, as the container has them, in the tar `docker cp … -` writes.
    tar = ok(docker("cp", "cpstop:/tree", "-")).stdout
    assert tar_owners(tar, "tree") == {k: (v[2], v[3]) for k, v in expected.items()}
    # Into an existing directory the source keeps its name; with /. only the contents go.
    ok(docker("cp", "cpstop:/tree/.", str(out / "contents")))
    assert without_owners(snapshot(out / "contents")) == without_owners(expected)
    ok(docker("cp", "cpstop:/tree", str(out)))               # out/ exists: out/tree replaced in place
    assert without_owners(snapshot(out / "tree")) == without_owners(expected)
    # Into a container that ran and exited: its writable layer takes the copy.
    ok(docker("cp", str(src / "tree" / "plain.txt"), "cpstop:/tree/after-exit.txt"))
    ok(docker("start", "-a", "cpstop"))
    assert ok(docker("cp", "cpstop:/tree/after-exit.txt", "-")).stdout.find(b"hello\n") > 0
    assert temp_mounts(berthd) == []


def test_cp_into_and_out_of_a_running_container(berthd, docker, tmp_path, leak_check):  # noqa: F811
    leak_check.mounts(berthd.data_root / "tmp")
    make_tree(tmp_path / "tree")
    ok(docker("run", "-d", "--name", "cprun", "--tmpfs", "/scratch", "busybox", "sleep", "300"))
    ok(docker("cp", str(tmp_path / "tree"), "cprun:/srv"))
    ls = ok(docker("exec", "cprun", "ls", "-ln", "/srv/owned")).stdout.decode()
    assert " 1234 " in ls and " 5678 " in ls, ls
    assert ok(docker("exec", "cprun", "readlink", "/srv/link")).stdout.decode().strip() == "sub/script.sh"
    # A file the container made comes out; a single file to a new name and into a directory.
    ok(docker("exec", "cprun", "sh", "-c", "echo made inside > /made.txt && chmod 600 /made.txt"))
    ok(docker("cp", "cprun:/made.txt", str(tmp_path / "copy.txt")))
    assert (tmp_path / "copy.txt").read_text() == "made inside\n"
    assert stat.S_IMODE((tmp_path / "copy.txt").stat().st_mode) == 0o600
    ok(docker("cp", "cprun:/made.txt", str(tmp_path / "tree")))
    assert (tmp_path / "tree" / "made.txt").read_text() == "made inside\n"
    out = tmp_path / "back"
    ok(docker("cp", "cprun:/srv", str(out)))
    src = without_owners(snapshot(tmp_path / "tree"))
    del src["made.txt"]
    assert without_owners(snapshot(out)) == src
    # A single file into the container, onto a new name.
    (tmp_path / "one").write_text("one file\n")
    ok(docker("cp", str(tmp_path / "one"), "cprun:/etc/renamed"))
    assert ok(docker("exec", "cprun", "cat", "/etc/renamed")).stdout == b"one file\n"
    # The container's own mounts are seen: a tmpfs it has takes the file, not its image layer.
    ok(docker("cp", str(tmp_path / "one"), "cprun:/scratch/"))
    assert ok(docker("exec", "cprun", "cat", "/scratch/one")).stdout == b"one file\n"
    assert b"/scratch/one" not in ok(docker("diff", "cprun")).stdout
    ok(docker("exec", "cprun", "sh", "-c", "echo from tmpfs > /scratch/made"))
    assert ok(docker("cp", "cprun:/scratch/made", "-")).stdout.find(b"from tmpfs") > 0
    assert temp_mounts(berthd) == []


def test_cp_archive_mode_gives_the_container_user(berthd, docker, tmp_path):  # noqa: F811
    (tmp_path / "f").write_text("x\n")
    os.chown(tmp_path / "f", 4321, 4321)
    ok(docker("create", "--name", "cpuser", "--user", "nobody", "busybox", "true"))
    ok(docker("cp", "-a", str(tmp_path / "f"), "cpuser:/tmp/archived"))
    ok(docker("cp", str(tmp_path / "f"), "cpuser:/tmp/kept"))
    owners = tar_owners(ok(docker("cp", "cpuser:/tmp", "-")).stdout, "tmp")
    passwd = ok(docker("cp", "cpuser:/etc/passwd", "-")).stdout.decode(errors="replace")
    nobody = next(line.split(":") for line in passwd.splitlines() if line.startswith("nobody:"))
    assert owners["archived"] == (int(nobody[2]), int(nobody[3]))
    assert owners["kept"] == (4321, 4321)
    ok(berth(berthd, "cp", "-a", str(tmp_path / "f"), "cpuser:/tmp/berth-archived"))
    owners = tar_owners(ok(docker("cp", "cpuser:/tmp", "-")).stdout, "tmp")
    assert owners["berth-archived"] == (int(nobody[2]), int(nobody[3]))


def test_cp_to_stdout_is_a_tar(berthd, docker):  # noqa: F811
    ok(docker("create", "--name", "cptar", "busybox", "true"))
    r = ok(docker("cp", "cptar:/bin", "-"))
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as t:
        names = t.getnames()
        assert names[0] == "bin" and "bin/sh" in names, names[:5]
        assert t.getmember("bin").isdir()


def test_archive_head_reports_docker_stat(berthd, docker):  # noqa: F811
    ok(docker("create", "--name", "cpstat", "busybox", "true"))
    r = berthd.request("HEAD", "/containers/cpstat/archive?path=/bin")
    assert r.status == 200
    s = json.loads(base64.b64decode(r.headers["x-docker-container-path-stat"]))
    assert s["name"] == "bin" and s["mode"] & (1 << 31) and s["linkTarget"] == ""
    r = berthd.request("HEAD", "/containers/cpstat/archive?path=/nope")
    assert r.status == 404
    r = berthd.request("GET", "/containers/cpstat/archive?path=/nope")
    assert r.status == 404 and r.json()["message"] == "Could not find the file /nope in container cpstat"


def test_cp_with_dotdot_stays_inside_the_container(berthd, docker, tmp_path):  # noqa: F811
    marker = "berth-cp-escape-test"
    assert not Path("/etc", marker).exists()
    ok(docker("create", "--name", "cpesc", "busybox", "true"))
    (tmp_path / marker).write_text("should land in the container\n")
    ok(docker("cp", str(tmp_path / marker), "cpesc:../../../../etc/"))
    assert not Path("/etc", marker).exists()
    # A symlink in the container pointing at / resolves inside it too.
    ok(docker("cp", "cpesc:/etc/" + marker, str(tmp_path / "back")))
    assert (tmp_path / "back").read_text() == "should land in the container\n"
    # A tar whose entry climbs out is refused whole, and nothing is written.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        ok_entry = tarfile.TarInfo("fine.txt")
        ok_entry.size = 3
        t.addfile(ok_entry, io.BytesIO(b"ok\n"))
        evil = tarfile.TarInfo("../../../../tmp/" + marker)
        evil.size = 5
        t.addfile(evil, io.BytesIO(b"evil\n"))
    r = berthd.request("PUT", "/containers/cpesc/archive?path=/etc", body=buf.getvalue(),
                       headers={"Content-Type": "application/x-tar"})
    assert r.status == 400, r.text
    assert not Path("/tmp", marker).exists()
    r = docker("cp", "cpesc:/etc/fine.txt", str(tmp_path / "fine"))
    assert r.returncode != 0 and not (tmp_path / "fine").exists()
    assert temp_mounts(berthd) == []


def test_cp_bad_input(berthd, docker, tmp_path):  # noqa: F811
    ok(docker("create", "--name", "cpbad", "busybox", "true"))
    r = docker("cp", "cpbad:/no/such/path", str(tmp_path / "x"))
    assert r.returncode != 0 and b"Could not find the file /no/such/path in container cpbad" in r.stderr, r.stderr
    assert not (tmp_path / "x").exists()
    r = docker("cp", "nosuchcontainer:/etc", str(tmp_path / "x"))
    assert r.returncode != 0 and b"No such container" in r.stderr, r.stderr
    # A body that is not a tar: 400, nothing written.
    r = berthd.request("PUT", "/containers/cpbad/archive?path=/etc", body=b"this is not a tar archive at all" * 40,
                       headers={"Content-Type": "application/x-tar"})
    assert r.status == 400, (r.status, r.text)
    # Extracting onto a file: Docker's 400.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        e = tarfile.TarInfo("x")
        t.addfile(e, io.BytesIO(b""))
    r = berthd.request("PUT", "/containers/cpbad/archive?path=/etc/passwd", body=buf.getvalue())
    assert r.status == 400 and r.json()["message"] == "extraction point is not a directory", r.text
    r = berthd.request("PUT", "/containers/cpbad/archive?path=/no/where", body=buf.getvalue())
    assert r.status == 404, r.text
    r = berthd.request("PUT", "/containers/nosuch/archive?path=/", body=buf.getvalue())
    assert r.status == 404 and r.json()["message"] == "No such container: nosuch"
    # A read-only rootfs: 403.
    ok(docker("create", "--name", "cpro", "--read-only", "busybox", "true"))
    r = berthd.request("PUT", "/containers/cpro/archive?path=/tmp", body=buf.getvalue())
    assert r.status == 403 and r.json()["message"] == "container rootfs is marked read-only", r.text
    ok(docker("start", "-a", "cpbad"))
    r = ok(docker("diff", "cpbad"))
    assert b"/etc/x" not in r.stdout and b"/x" not in r.stdout.split()
    assert temp_mounts(berthd) == []


def berth(berthd, *args, input=None):
    import subprocess
    from fixtures.berthd import berth_binary
    return subprocess.run([str(berth_binary("berth")), *args], env=berthd.env, input=input, capture_output=True, timeout=60)


def test_berth_cp_matches_docker_cp(berthd, docker, tmp_path):  # noqa: F811
    src = tmp_path / "src"
    src.mkdir()
    make_tree(src / "tree")
    (src / "single").write_text("single file\n")
    ok(docker("create", "--name", "bcp", "busybox", "true"))
    ok(berth(berthd, "cp", str(src / "tree"), "bcp:/tree"))
    ok(berth(berthd, "cp", str(src / "tree") + "/.", "bcp:/contents"))
    ok(berth(berthd, "cp", str(src / "single"), "bcp:/etc/"))
    ok(berth(berthd, "container", "cp", str(src / "single"), "bcp:/renamed"))
    assert temp_mounts(berthd) == []
    expected = snapshot(src / "tree")
    # What berth put in, docker reads back: same modes, owners, links.
    tar = ok(docker("cp", "bcp:/tree", "-")).stdout
    assert tar_owners(tar, "tree") == {k: (v[2], v[3]) for k, v in expected.items()}
    tar = ok(docker("cp", "bcp:/contents", "-")).stdout
    assert tar_owners(tar, "contents") == {k: (v[2], v[3]) for k, v in expected.items()}
    for name in ("berth", "docker"):
        out = tmp_path / name
        out.mkdir()
        run = (lambda *a: berth(berthd, *a)) if name == "berth" else docker
        ok(run("cp", "bcp:/tree", str(out / "tree")))
        ok(run("cp", "bcp:/tree/.", str(out / "dotted")))
        ok(run("cp", "bcp:/etc/single", str(out)))
        ok(run("cp", "bcp:/renamed", str(out / "renamed")))
        ok(run("cp", "bcp:/tree", str(out)))             # into an existing directory, over itself
    assert without_owners(snapshot(tmp_path / "berth")) == without_owners(snapshot(tmp_path / "docker"))
    assert without_owners(snapshot(tmp_path / "berth" / "tree")) == without_owners(expected)
    assert (tmp_path / "berth" / "single").read_text() == "single file\n"
    # A tar on stdout is the same tar docker gets.
    b = ok(berth(berthd, "cp", "bcp:/tree", "-")).stdout
    d = ok(docker("cp", "bcp:/tree", "-")).stdout
    names = lambda data: sorted(tarfile.open(fileobj=io.BytesIO(data)).getnames())  # noqa: E731
    assert names(b) == names(d) and "tree/sub/deeper/data.bin" in names(b)
    # A tar on stdin goes into a directory.
    ok(berth(berthd, "cp", "-", "bcp:/etc", input=b))
    assert "etc/tree/owned" in tarfile.open(fileobj=io.BytesIO(ok(docker("cp", "bcp:/etc", "-")).stdout)).getnames()
    # Errors, worded as docker words them.
    for args in (["bcp:/nope", str(tmp_path / "x")], [str(tmp_path / "nope"), "bcp:/"], ["a", "b"], ["a:/x", "b:/y"],
                 [str(src / "tree"), "bcp:/etc/passwd"], ["nosuch:/etc", str(tmp_path / "x")]):
        d, b2 = docker("cp", *args), berth(berthd, "cp", *args)
        assert d.returncode != 0 and b2.returncode != 0, args
        assert b2.stderr.decode().strip().splitlines()[-1] == d.stderr.decode().strip().splitlines()[-1], (args, b2.stderr, d.stderr)
    assert not (tmp_path / "x").exists()
    # berth's own extraction is confined: a hostile tar from a container cannot escape.
    ok(docker("run", "--name", "bcp-evil", "busybox", "sh", "-c", "ln -s / /escape && mkdir /d && ln -s ../../../../../../tmp /d/up"))
    ok(berth(berthd, "cp", "bcp-evil:/d", str(tmp_path / "evil")))
    assert os.readlink(tmp_path / "evil" / "up") == "../../../../../../tmp"
    assert temp_mounts(berthd) == []


def test_start_waits_for_no_copy_and_the_copy_mount_goes_away(berthd, docker, leak_check):  # noqa: F811
    """A copy out of a stopped container holds its overlay mounted while the client reads;
    a start meanwhile is refused (two overlays on one upper directory are undefined), and
    once the reader goes away the mount is gone and the container starts."""
    from fixtures.berthd import UnixHTTPConnection
    from ops_helpers import wait_for
    leak_check.mounts(berthd.data_root / "tmp")
    ok(docker("run", "--name", "cpbusy", "busybox", "sh", "-c", "head -c 67108864 /dev/zero > /big"))
    conn = UnixHTTPConnection(str(berthd.socket), timeout=30)
    try:
        conn.request("GET", "/containers/cpbusy/archive?path=/big")
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read(1024)                                   # the tar is streaming, far from its end
        assert len(temp_mounts(berthd)) == 1
        r = docker("start", "cpbusy")
        assert r.returncode != 0 and b"a copy into or out of its file system is in progress" in r.stderr, r.stderr
    finally:
        conn.close()
    wait_for(lambda: temp_mounts(berthd) == [], what="the copy's overlay to be unmounted")
    r = docker("start", "-a", "cpbusy")
    assert r.returncode == 0, r.stderr
    # berthd survived the reader going away mid-stream.
    assert berthd.ping()


def test_cp_reaches_the_binds_of_a_stopped_container(berthd, docker, tmp_path, leak_check):  # noqa: F811
    """As Docker mounts a stopped container's volumes for cp: a copy to a bind's
    destination lands in the host directory; a read-only bind refuses it (403)."""
    leak_check.mounts(berthd.data_root / "tmp")
    data, ro = tmp_path / "data", tmp_path / "ro"
    data.mkdir()
    ro.mkdir()
    (ro / "inside").write_text("read only\n")
    (tmp_path / "f").write_text("via bind\n")
    ok(docker("run", "--name", "cpbind", "-v", f"{data}:/data", "-v", f"{ro}:/ro:ro", "busybox", "true"))
    ok(docker("cp", str(tmp_path / "f"), "cpbind:/data/"))
    assert (data / "f").read_text() == "via bind\n"
    (data / "host-made").write_text("from the host\n")
    ok(docker("cp", "cpbind:/data/host-made", str(tmp_path / "back")))
    assert (tmp_path / "back").read_text() == "from the host\n"
    assert b"read only" in ok(docker("cp", "cpbind:/ro/inside", "-")).stdout
    r = docker("cp", str(tmp_path / "f"), "cpbind:/ro/")
    assert r.returncode != 0 and b"mounted volume is marked read-only" in r.stderr, r.stderr
    assert sorted(p.name for p in ro.iterdir()) == ["inside"]
    # The container's own layer did not get the file: it ran with the bind over /data.
    assert b"/data/f" not in ok(docker("diff", "cpbind")).stdout
    assert temp_mounts(berthd) == []


def test_symlinks_in_a_running_container_resolve_inside_it(berthd, docker, tmp_path):  # noqa: F811
    marker = "berth-cp-symlink-test"
    assert not Path("/etc", marker).exists() and not Path("/tmp", marker).exists()
    ok(docker("run", "-d", "--name", "cplinks", "busybox", "sh", "-c",
              "ln -s ../../../../../../etc /rel && ln -s /etc /abs && sleep 300"))
    from ops_helpers import wait_for
    wait_for(lambda: docker("exec", "cplinks", "test", "-L", "/abs").returncode == 0, what="the links")
    (tmp_path / marker).write_text("inside\n")
    ok(docker("cp", str(tmp_path / marker), "cplinks:/rel/"))
    ok(docker("cp", str(tmp_path / marker), "cplinks:/abs/" + marker + ".2"))
    assert ok(docker("exec", "cplinks", "cat", "/etc/" + marker, "/etc/" + marker + ".2")).stdout == b"inside\ninside\n"
    assert not Path("/etc", marker).exists() and not Path("/etc", marker + ".2").exists()
    # A tar that makes a link to / and then writes through it stays inside too.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        link = tarfile.TarInfo("up")
        link.type, link.linkname = tarfile.SYMTYPE, "/"
        t.addfile(link)
        f = tarfile.TarInfo("up/tmp/" + marker)
        f.size = 4
        t.addfile(f, io.BytesIO(b"tar\n"))
    r = berthd.request("PUT", "/containers/cplinks/archive?path=/tmp", body=buf.getvalue())
    assert r.status == 200, r.text
    assert not Path("/tmp", marker).exists()
    assert ok(docker("exec", "cplinks", "cat", "/tmp/" + marker)).stdout == b"tar\n"
    # HEAD reports the link and where it leads, inside the container.
    s = json.loads(base64.b64decode(berthd.request("HEAD", "/containers/cplinks/archive?path=/rel").headers["x-docker-container-path-stat"]))
    assert s["mode"] & (1 << 27) and s["linkTarget"] == "/etc", s


def test_a_copy_out_of_a_stopped_container_holds_off_start_and_rm(berthd, docker):  # noqa: F811
    """While a copy reads a stopped container through its temporary overlay, neither start
    nor rm may touch the layers under it; both work again once the copy is over."""
    import socket
    import time
    r = docker("run", "--name", "cp-busy", "busybox", "sh", "-c", "head -c 33554432 /dev/zero > /big")
    assert r.returncode == 0, r.stderr
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(berthd.socket))
        s.sendall(b"GET /containers/cp-busy/archive?path=/big HTTP/1.1\r\nHost: berth\r\n\r\n")
        assert b" 200 " in s.recv(4096).split(b"\r\n")[0]
        # 32 MiB do not fit in the socket's buffers: the copy is still going.
        for args in (["rm", "cp-busy"], ["start", "cp-busy"]):
            r = docker(*args)
            assert r.returncode != 0 and b"a copy into or out of its file system is in progress" in r.stderr, (args, r.stderr)
    finally:
        s.close()
    deadline = time.monotonic() + 20
    while docker("rm", "cp-busy").returncode != 0:
        assert time.monotonic() < deadline, "rm still refused after the copy's client went away"
        time.sleep(0.2)
    assert find_mounts_under(str(berthd.data_root)) == []
