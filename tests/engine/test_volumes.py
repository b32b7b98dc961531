"""Volumes through the real docker CLI against a test berthd (issue 6): named volumes outlive
their containers and a berthd kill -9; anonymous ones (from `-v /path` and the image's VOLUME)
go with `rm -v`; a new volume is first filled with the image's content; `--mount` of each
type; `--volumes-from`; local driver options (tmpfs, bind); `volume ls/inspect/rm/prune` in
Docker's formats; volume events; bad input leaves nothing behind; no mounts are left."""
import io
import json
import os
import subprocess
import tarfile
import time
import urllib.parse

import pytest

from fixtures.berthd import berth_binary
from fixtures.cleanup import find_mounts_under
from ops_helpers import DaemonRestarter, inspect
from test_docker_clients import docker as cli  # noqa: F401  (the fixture)


@pytest.fixture
def docker(berthd, cli):  # noqa: F811
    """The docker CLI fixture; afterwards every container and volume goes, and no mount may
    be left under the volumes directory."""
    yield cli
    ids = cli("ps", "-aq").stdout.split()
    if ids:
        cli("rm", "-f", "-v", *[i.decode() for i in ids])
    names = cli("volume", "ls", "-q").stdout.split()
    if names:
        cli("volume", "rm", "-f", *[n.decode() for n in names])
    left = find_mounts_under(berthd.data_root / "volumes")
    assert not left, [m.mount_point for m in left]


def ok(r):
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode()


def volumes(docker):
    return sorted(ok(docker("volume", "ls", "-q")).split())


def image_with_volume(docker, busybox_rootfs, tag="volimg:latest"):
    """busybox plus /data (hello 0640 owned 1000:1000, a symlink, a subdirectory), with
    `VOLUME /data` and `VOLUME /cache` in its config."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(busybox_rootfs, arcname=".")

        def add(name, kind=tarfile.DIRTYPE, data=b"", mode=0o755, uid=0, gid=0, link=""):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid, info.linkname = kind, mode, uid, gid, link
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            info.mtime = 1_600_000_000
            t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        add("./data", mode=0o750, uid=1000, gid=1000)
        add("./data/hello", tarfile.REGTYPE, b"hello from the image\n", mode=0o640, uid=1000, gid=1000)
        add("./data/link", tarfile.SYMTYPE, link="hello")
        add("./data/sub", mode=0o700)
        add("./data/sub/deep", tarfile.REGTYPE, b"deep\n", mode=0o600)
    ok(docker("import", "-c", "ENV PATH=/bin", "-c", 'CMD ["sh"]', "-c", "VOLUME /data", "-c", "VOLUME /cache",
              "-", tag, input=buf.getvalue()))
    return tag


def test_named_volume_outlives_its_container_and_a_daemon_kill(berthd, docker):
    assert ok(docker("volume", "create", "--label", "tier=db", "keep")) == "keep\n"
    ok(docker("run", "--name", "writer", "-v", "keep:/data", "busybox", "sh", "-c", "echo persisted > /data/f"))
    ok(docker("rm", "-v", "writer"))   # -v takes anonymous volumes only
    assert volumes(docker) == ["keep"]
    # Written in one container, read in another.
    assert ok(docker("run", "--rm", "-v", "keep:/mnt:ro", "busybox", "cat", "/mnt/f")) == "persisted\n"
    daemon = DaemonRestarter(berthd, docker)
    try:
        daemon.kill()
        daemon.start()
        v = json.loads(ok(docker("volume", "inspect", "keep")))[0]
        assert v["Name"] == "keep" and v["Driver"] == "local" and v["Scope"] == "local"
        assert v["Labels"] == {"tier": "db"}
        assert v["Mountpoint"] == str(berthd.data_root / "volumes" / "keep" / "_data")
        assert ok(docker("run", "--rm", "-v", "keep:/data", "busybox", "cat", "/data/f")) == "persisted\n"
        ok(docker("volume", "rm", "keep"))
        assert volumes(docker) == []
        assert not (berthd.data_root / "volumes" / "keep").exists()
    finally:
        daemon.close()


def test_a_mounted_volume_in_use_across_a_daemon_kill_is_unmounted_by_its_last_user(berthd, docker):
    ok(docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "live"))
    data = berthd.data_root / "volumes" / "live" / "_data"
    ok(docker("run", "-d", "--name", "l1", "-v", "live:/l", "busybox", "sleep", "1000"))
    ok(docker("run", "-d", "--name", "l2", "-v", "live:/l", "busybox", "sleep", "1000"))
    ok(docker("exec", "l1", "sh", "-c", "echo shared > /l/f"))
    assert ok(docker("exec", "l2", "cat", "/l/f")) == "shared\n"   # one tmpfs for both
    assert len(find_mounts_under(data)) == 1
    daemon = DaemonRestarter(berthd, docker)
    try:
        daemon.kill()
        daemon.start()
        ok(docker("stop", "-t", "0", "l1"))
        assert len(find_mounts_under(data)) == 1   # l2 still uses it
        ok(docker("stop", "-t", "0", "l2"))
        assert find_mounts_under(data) == []
        r = docker("volume", "rm", "live")
        assert r.returncode == 1 and b"volume is in use" in r.stderr
        ok(docker("rm", "l1", "l2"))
        ok(docker("volume", "rm", "live"))
    finally:
        daemon.close()


def test_anonymous_volumes_go_with_rm_v_and_not_without(docker, busybox_rootfs):
    image = image_with_volume(docker, busybox_rootfs)
    ok(docker("create", "--name", "a1", "-v", "/scratch", "-v", "named1:/named", image))
    c = inspect(docker, "a1")
    mounts = {m["Destination"]: m for m in c["Mounts"]}
    assert sorted(mounts) == ["/cache", "/data", "/named", "/scratch"]
    assert mounts["/named"]["Name"] == "named1" and mounts["/named"]["Mode"] == "z"
    for dest in ("/cache", "/data", "/scratch"):
        m = mounts[dest]
        assert m["Type"] == "volume" and m["Driver"] == "local" and m["RW"] is True
        assert len(m["Name"]) == 64 and m["Source"].endswith(f"/volumes/{m['Name']}/_data")
        v = json.loads(ok(docker("volume", "inspect", m["Name"])))[0]
        assert v["Labels"] == {"com.docker.volume.anonymous": ""}
    assert len(volumes(docker)) == 4
    ok(docker("rm", "a1"))
    assert len(volumes(docker)) == 4   # without -v every volume stays
    for name in volumes(docker):
        if name != "named1":
            ok(docker("volume", "rm", name))
    ok(docker("create", "--name", "a2", "-v", "/scratch", "-v", "named1:/named", image))
    assert len(volumes(docker)) == 4
    ok(docker("rm", "-v", "a2"))
    assert volumes(docker) == ["named1"]
    # A --rm container takes its anonymous volumes with it.
    ok(docker("run", "--rm", "-v", "/x", "busybox", "true"))
    assert volumes(docker) == ["named1"]


def test_a_new_volume_is_filled_with_the_image_content(docker, busybox_rootfs):
    image = image_with_volume(docker, busybox_rootfs)
    out = ok(docker("run", "--rm", "-v", "filled:/data", image, "sh", "-c",
                    "cat /data/hello; readlink /data/link; cat /data/sub/deep; "
                    "stat -c '%a %u:%g %n' /data /data/hello /data/sub /data/sub/deep"))
    assert out.split("\n")[:3] == ["hello from the image", "hello", "deep"]
    assert out.split("\n")[3:7] == ["750 1000:1000 /data", "640 1000:1000 /data/hello", "700 0:0 /data/sub",
                                    "600 0:0 /data/sub/deep"]
    # A volume with content is not filled again.
    ok(docker("run", "--rm", "-v", "filled:/data", "busybox", "sh", "-c", "rm -r /data/*; echo mine > /data/only"))
    assert ok(docker("run", "--rm", "-v", "filled:/data", image, "ls", "/data")) == "only\n"
    # nocopy leaves it empty; so does a volume mounted where the image has nothing.
    assert ok(docker("run", "--rm", "-v", "bare:/data:nocopy", image, "ls", "-A", "/data")) == ""
    assert ok(docker("run", "--rm", "--mount", "type=volume,src=bare2,dst=/data,volume-nocopy", image,
                     "ls", "-A", "/data")) == ""
    # Filled at create, as Docker does: before that container ever starts.
    ok(docker("create", "--name", "filler", "-v", "early:/data", image))
    assert ok(docker("run", "--rm", "-v", "early:/e", "busybox", "cat", "/e/hello")) == "hello from the image\n"
    # The image's VOLUME gets the content too.
    assert ok(docker("run", "--rm", image, "cat", "/data/hello")) == "hello from the image\n"


def test_copy_up_follows_symlinks_inside_the_image_only(docker, busybox_rootfs):
    """An image whose volume path is a symlink to `/etc` gets its own /etc copied, never the
    host's (the link is resolved with the rootfs as `/`)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(busybox_rootfs, arcname=".")
        info = tarfile.TarInfo("./escape")
        info.type, info.linkname = tarfile.SYMTYPE, "../../../../etc"
        t.addfile(info)
    ok(docker("import", "-c", "ENV PATH=/bin", "-", "linkimg:latest", input=buf.getvalue()))
    # The runtime refuses to mount through a link that leaves the rootfs; copy-up ran first.
    r = docker("run", "--rm", "-v", "scoped:/escape", "linkimg", "true")
    assert r.returncode == 125 and b"escapes the container's root" in r.stderr, r.stderr
    names = sorted(ok(docker("run", "--rm", "-v", "scoped:/v", "busybox", "ls", "/v")).split())
    assert names == sorted(p.name for p in (busybox_rootfs / "etc").iterdir()), names
    assert "shadow" not in names


def test_mount_of_each_type(docker, scratch_dir):
    host = scratch_dir / "host"
    host.mkdir()
    (host / "from-host").write_text("host file\n")
    out = ok(docker("run", "--name", "mnt", "--mount", f"type=bind,source={host},target=/b",
                    "--mount", "type=volume,source=mvol,target=/v,volume-label=k=v",
                    "--mount", "type=tmpfs,target=/t,tmpfs-size=1m",
                    "--mount", f"type=bind,src={host},dst=/bro,readonly",
                    "busybox", "sh", "-c",
                    "cat /b/from-host; echo out > /b/written; echo v > /v/f; grep ' /t ' /proc/mounts; "
                    "touch /bro/x 2>/dev/null || echo read-only"))
    lines = out.split("\n")
    assert lines[0] == "host file"
    assert lines[1].startswith("tmpfs /t tmpfs ") and "size=1024k" in lines[1], lines[1]
    assert lines[2] == "read-only"
    assert (host / "written").read_text() == "out\n"
    c = inspect(docker, "mnt")
    by = {m["Destination"]: m for m in c["Mounts"]}
    assert by["/b"] == {"Type": "bind", "Source": str(host), "Destination": "/b", "Mode": "", "RW": True,
                        "Propagation": "rprivate"}
    assert by["/bro"]["RW"] is False
    assert by["/v"]["Type"] == "volume" and by["/v"]["Name"] == "mvol" and by["/v"]["Driver"] == "local"
    assert by["/t"] == {"Type": "tmpfs", "Source": "", "Destination": "/t", "Mode": "", "RW": True, "Propagation": ""}
    assert [m["Type"] for m in c["HostConfig"]["Mounts"]] == ["bind", "volume", "tmpfs", "bind"]
    assert json.loads(ok(docker("volume", "inspect", "mvol")))[0]["Labels"] == {"k": "v"}
    # A non-recursive bind leaves out what is mounted under its source.
    inner = host / "inner"
    inner.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(inner)], check=True)
    try:
        (inner / "on-tmpfs").write_text("x")
        out = ok(docker("run", "--rm", "--mount", f"type=bind,src={host},dst=/r", "--mount",
                        f"type=bind,src={host},dst=/n,bind-nonrecursive", "busybox", "ls", "/r/inner", "/n/inner"))
        assert out == "/n/inner:\n\n/r/inner:\non-tmpfs\n", out
    finally:
        subprocess.run(["umount", "-l", str(inner)], check=True)


def test_volume_subpath(docker):
    ok(docker("run", "--rm", "-v", "subs:/s", "busybox", "sh", "-c", "mkdir -p /s/a/b; echo in-b > /s/a/b/f; ln -s / /s/root"))
    assert ok(docker("run", "--rm", "--mount", "type=volume,src=subs,dst=/m,volume-subpath=a/b", "busybox",
                     "ls", "/m")) == "f\n"
    r = docker("run", "--rm", "--mount", "type=volume,src=subs,dst=/m,volume-subpath=nope", "busybox", "true")
    assert r.returncode != 0 and b"no such file or directory" in r.stderr, r.stderr
    r = docker("run", "--rm", "--mount", "type=volume,src=subs,dst=/m,volume-subpath=root/etc", "busybox", "true")
    assert r.returncode != 0 and b"symbolic link" in r.stderr, r.stderr
    r = docker("create", "--mount", "type=volume,src=subs,dst=/m,volume-subpath=../x", "busybox", "true")
    assert r.returncode != 0 and b"subpath must be a relative path within the volume" in r.stderr, r.stderr


def test_volumes_from(docker):
    ok(docker("create", "--name", "src", "-v", "shared:/shared", "-v", "/anon", "busybox"))
    ok(docker("run", "--rm", "--volumes-from", "src", "busybox", "sh", "-c", "echo one > /shared/f; echo two > /anon/g"))
    out = ok(docker("run", "--name", "ro", "--volumes-from", "src:ro", "busybox", "sh", "-c",
                    "cat /shared/f /anon/g; touch /shared/x 2>/dev/null || echo read-only"))
    assert out == "one\ntwo\nread-only\n"
    mounts = {m["Destination"]: m for m in inspect(docker, "ro")["Mounts"]}
    assert mounts["/shared"]["Name"] == "shared" and mounts["/shared"]["RW"] is False
    assert inspect(docker, "ro")["HostConfig"]["VolumesFrom"] == ["src:ro"]
    # The anonymous volume is src's: removing `ro` with -v leaves it, as it is still in use.
    ok(docker("rm", "-v", "ro"))
    assert len(volumes(docker)) == 2


def test_local_driver_tmpfs_and_bind_options(berthd, docker, scratch_dir):
    ok(docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m,mode=0770", "tvol"))
    v = json.loads(ok(docker("volume", "inspect", "tvol")))[0]
    assert v["Options"] == {"device": "tmpfs", "o": "size=2m,mode=0770", "type": "tmpfs"}
    data = berthd.data_root / "volumes" / "tvol" / "_data"
    out = ok(docker("run", "--rm", "-v", "tvol:/t", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts; stat -c %a /t"))
    assert out.split(" ")[0] == "tmpfs" and "size=2048k" in out and out.endswith("770\n"), out
    assert not find_mounts_under(data), "the tmpfs stays mounted after its last user stopped"

    host = scratch_dir / "bound"
    host.mkdir()
    (host / "old").write_text("was here\n")
    ok(docker("volume", "create", "--opt", "type=none", "--opt", f"device={host}", "--opt", "o=bind", "bvol"))
    assert ok(docker("run", "--rm", "-v", "bvol:/b", "busybox", "sh", "-c", "cat /b/old; echo new > /b/new")) == "was here\n"
    assert (host / "new").read_text() == "new\n"
    assert not find_mounts_under(berthd.data_root / "volumes" / "bvol")
    ok(docker("volume", "rm", "bvol"))
    assert sorted(p.name for p in host.iterdir()) == ["new", "old"]   # removing the volume keeps the host's files

    # A device that does not exist fails the start, and leaves nothing mounted.
    ok(docker("volume", "create", "--opt", "type=none", "--opt", f"device={scratch_dir}/nope", "--opt", "o=bind", "gone"))
    r = docker("run", "--rm", "-v", "gone:/g", "busybox", "true")
    assert r.returncode != 0 and b"failed to mount local volume" in r.stderr, r.stderr
    r = docker("volume", "create", "-o", "foo=bar", "badopt")
    assert r.returncode != 0 and b'invalid option: \\"foo\\"' in r.stderr or b'invalid option: "foo"' in r.stderr, r.stderr
    r = docker("volume", "create", "-o", "type=tmpfs", "halfopt")
    assert r.returncode != 0 and b'missing required option: "device"' in r.stderr, r.stderr
    assert "badopt" not in volumes(docker) and "halfopt" not in volumes(docker)


def test_ls_inspect_rm_and_prune(berthd, docker):
    ok(docker("volume", "create", "--label", "env=prod", "v-prod"))
    ok(docker("volume", "create", "--label", "env=dev", "v-dev"))
    ok(docker("volume", "create", "v-used"))
    ok(docker("create", "--name", "user", "-v", "v-used:/u", "-v", "/anon", "busybox"))
    anon = [m["Name"] for m in inspect(docker, "user")["Mounts"] if m["Destination"] == "/anon"][0]
    cid = inspect(docker, "user")["Id"]

    table = ok(docker("volume", "ls")).split("\n")
    assert table[0].split() == ["DRIVER", "VOLUME", "NAME"] and table[0].index("VOLUME") == 10
    assert ok(docker("volume", "ls", "-q", "--filter", "label=env=prod")) == "v-prod\n"
    assert ok(docker("volume", "ls", "-q", "--filter", "label=env")).split() == ["v-dev", "v-prod"]
    assert sorted(ok(docker("volume", "ls", "-q", "--filter", "dangling=true")).split()) == ["v-dev", "v-prod"]
    assert sorted(ok(docker("volume", "ls", "-q", "--filter", "dangling=false")).split()) == sorted([anon, "v-used"])
    assert ok(docker("volume", "ls", "-q", "--filter", "name=prod")) == "v-prod\n"
    assert ok(docker("volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}", "-f", "name=v-dev")) == "v-dev local env=dev\n"
    assert ok(docker("volume", "inspect", "--format", "{{.Name}} {{.Scope}} {{.Labels.env}}", "v-prod")) == "v-prod local prod\n"
    r = docker("volume", "ls", "--filter", "bogus=1")
    assert r.returncode != 0 and b"invalid filter 'bogus'" in r.stderr

    # In use: refused with moby's words, and force does not override that.
    r = docker("volume", "rm", "v-used")
    assert r.returncode == 1 and f"remove v-used: volume is in use - [{cid}]".encode() in r.stderr, r.stderr
    r = berthd.request("DELETE", "/volumes/v-used?force=1")
    assert r.status == 409
    r = docker("volume", "rm", "nosuch")
    assert r.returncode == 1 and b"no such volume" in r.stderr
    assert berthd.request("DELETE", "/volumes/nosuch?force=1").status == 204
    r = docker("volume", "inspect", "nosuch")
    assert r.returncode == 1

    # Prune takes anonymous unused volumes only, unless --all; labels filter.
    ok(docker("rm", "user"))
    out = ok(docker("volume", "prune", "-f"))
    assert out == f"Deleted Volumes:\n{anon}\n\nTotal reclaimed space: 0B\n", out
    assert volumes(docker) == ["v-dev", "v-prod", "v-used"]
    out = ok(docker("volume", "prune", "-f", "--all", "--filter", "label=env=dev"))
    assert out == "Deleted Volumes:\nv-dev\n\nTotal reclaimed space: 0B\n", out
    ok(docker("run", "--rm", "-v", "v-prod:/p", "busybox", "sh", "-c", "head -c 3000 /dev/zero > /p/z"))
    out = ok(docker("volume", "prune", "-f", "-a", "--filter", "label!=env=dev"))
    assert out.split("\n")[0] == "Deleted Volumes:" and sorted(out.split("\n")[1:3]) == ["v-prod", "v-used"], out
    assert out.endswith("Total reclaimed space: 3kB\n"), out
    assert ok(docker("volume", "prune", "-f")) == "Total reclaimed space: 0B\n"
    r = berthd.request("POST", "/volumes/prune?filters=" + urllib.parse.quote(json.dumps({"dangling": {"true": True}})))
    assert r.status == 400 and b"invalid filter 'dangling'" in r.body
    assert volumes(docker) == []


def test_volume_events(docker):
    since = str(int(time.time()) - 1)
    ok(docker("volume", "create", "evvol"))
    ok(docker("run", "--name", "ev", "-v", "evvol:/e", "busybox", "true"))
    ok(docker("rm", "ev"))
    ok(docker("volume", "rm", "evvol"))
    until = str(int(time.time()) + 1)
    out = ok(docker("events", "--since", since, "--until", until, "--filter", "type=volume",
                    "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}"))
    assert out.split("\n")[:-1] == ["volume create evvol local", "volume mount evvol local",
                                    "volume unmount evvol local", "volume destroy evvol local"], out
    out = ok(docker("events", "--since", since, "--until", until, "--filter", "type=volume", "--filter", "event=mount",
                    "--format", "{{json .Actor.Attributes}}"))
    attrs = json.loads(out.split("\n")[0])
    assert attrs["destination"] == "/e" and attrs["read/write"] == "true" and len(attrs["container"]) == 64


# Bad `Binds`, sent to the API as the docker CLI would pass them (it checks a few itself).
BAD_BINDS = [
    ([":/x"], "invalid volume specification: ':/x'"),
    (["a:b:c:d"], "invalid volume specification: 'a:b:c:d'"),
    (["vol:relative"], "invalid volume specification: 'vol:relative': invalid mount config for type \"volume\": "
                       "invalid mount path: 'relative' mount path must be absolute"),
    (["/h:/x:rw"], None),
    (["/x:rw"], "invalid volume specification: '/x:rw'"),
    (["vol:/x:bogus"], "invalid mode: bogus"),
    (["/h:/x", "/h2:/x"], "Duplicate mount point: /x"),
    (["vol:/"], "invalid specification: destination can't be '/'"),
    (["x:/y"], 'create x: "x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" '
               "are allowed. If you intended to pass a host directory, use absolute path"),
    (["good0:/a", "/h:/b", "bad$name:/y"], "includes invalid characters for a local volume name"),
]


@pytest.mark.parametrize("binds,message", BAD_BINDS, ids=[" ".join(b) for b, _ in BAD_BINDS])
def test_bad_binds_are_refused_and_leave_nothing(berthd, docker, binds, message):
    before = volumes(docker)
    r = berthd.request("POST", "/containers/create", body={"Image": "busybox", "HostConfig": {"Binds": binds}})
    if message is None:
        assert r.status == 201, r.body
        return
    assert r.status == 400, r.body
    assert r.json()["message"] == message or (message in r.json()["message"]), r.json()
    assert ok(docker("ps", "-aq")) == ""
    assert volumes(docker) == before


BAD = [
    (["-v", "relative"], "invalid mount path: 'relative' mount path must be absolute"),
    (["-v", "vol:relative"], "invalid mount path: 'relative' mount path must be absolute"),
    (["-v", "vol:/x:bogus"], "invalid mode: bogus"),
    (["-v", "/h:/x", "-v", "/h2:/x"], "Duplicate mount point: /x"),
    (["-v", "x:/y"], '"x" includes invalid characters for a local volume name'),
    (["--volume-driver", "nodriver", "-v", "newvol:/y"], 'error looking up volume plugin nodriver: plugin "nodriver" not found'),
    (["--volumes-from", "nosuch"], "No such container: nosuch"),
    (["--mount", "type=foo,target=/x"], 'invalid mount config for type "foo": mount type unknown'),
    (["--mount", "type=bind,source=/no/such/dir,target=/x"],
     'invalid mount config for type "bind": bind source path does not exist: /no/such/dir'),
    (["--mount", "type=volume,target=/x,readonly"], "must not set ReadOnly mode when using anonymous volumes"),
    (["--mount", "type=volume,source=dv,target=/x,volume-driver=nodriver"], 'plugin "nodriver" not found'),
    (["-v", "good1:/a", "-v", "/b", "--mount", "type=bind,source=/no/such,target=/c"], "bind source path does not exist"),
    (["-v", "good2:/a", "-v", "/b", "-v", "bad!:/c"], "includes invalid characters"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_refused_and_leaves_nothing(berthd, docker, args, message):
    before = volumes(docker)
    r = docker("create", *args, "busybox", "true")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "Error response from daemon: " in err and message in err, err
    assert "Unable to find image" not in err
    assert ok(docker("ps", "-aq")) == ""
    assert volumes(docker) == before


def test_bad_volume_create_requests(berthd, docker):
    r = docker("volume", "create", "-d", "nodriver", "v1")
    assert r.returncode != 0 and b'create v1: error looking up volume plugin nodriver: plugin "nodriver" not found' in r.stderr
    r = berthd.request("POST", "/volumes/create", body={"Name": "a"})
    assert r.status == 400 and "includes invalid characters for a local volume name" in r.json()["message"]
    r = berthd.request("POST", "/volumes/create", body={"Name": "v2", "Driver": "nodriver"})
    assert r.status == 404
    r = berthd.request("POST", "/containers/create", body={"Image": "busybox", "HostConfig": {
        "Mounts": [{"Type": "volume", "Source": "m1", "Target": "/m"}, {"Type": "bind", "Source": "/nope", "Target": "/n"}]}})
    assert r.status == 400
    r = berthd.request("POST", "/containers/create", body={"Image": "busybox", "HostConfig": {
        "Mounts": [{"Type": "volume", "Target": "/m"}, {"Type": "tmpfs", "Target": "/m"}]}})
    assert r.status == 400 and "Duplicate mount point: /m" in r.json()["message"]
    r = berthd.request("POST", "/containers/create", body={"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "volume"}]}})
    assert r.status == 400 and "field Target must not be empty" in r.json()["message"]
    # Creating an existing volume again returns it.
    first = berthd.request("POST", "/volumes/create", body={"Name": "same"}).json()
    again = berthd.request("POST", "/volumes/create", body={"Name": "same", "Labels": {"x": "y"}})
    assert again.status == 201 and again.json() == first
    r = berthd.request("GET", "/volumes")
    assert r.status == 200 and set(r.json()) == {"Volumes", "Warnings"}
    assert volumes(docker) == ["same"]


def test_berth_cli_prints_what_docker_prints(berthd, docker):
    berth = str(berth_binary("berth"))

    def both(*args):
        d = docker(*args)
        b = subprocess.run([berth, *args], env=berthd.env, capture_output=True, timeout=60)
        assert (d.returncode, d.stdout.decode()) == (b.returncode, b.stdout.decode()), (args, d.stderr, b.stderr)
        return b.stdout.decode()

    both("volume", "ls")   # the header alone
    for args in (("volume", "inspect", "nosuch"), ("volume", "rm", "nosuch"), ("volume", "create", "-d", "nodriver", "x1")):
        d = docker(*args)
        b = subprocess.run([berth, *args], env=berthd.env, capture_output=True, timeout=60)
        assert (b.returncode, b.stderr.decode()) == (d.returncode, d.stderr.decode()), args
    ok(docker("volume", "create", "--label", "a=1", "--label", "b=2", "p1"))
    assert subprocess.run([berth, "volume", "create", "--label", "c=3", "-o", "type=tmpfs", "-o", "device=tmpfs", "p2"],
                          env=berthd.env, capture_output=True).stdout == b"p2\n"
    # berth run's own -v, --mount and --volumes-from.
    r = subprocess.run([berth, "run", "--name", "bsrc", "-v", "p1:/p", "-v", "/banon", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m",
                        "busybox", "sh", "-c", "echo hi > /p/x; echo anon > /banon/y; grep ' /t ' /proc/mounts"],
                       env=berthd.env, capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith(b"tmpfs /t tmpfs ") and b"size=1024k" in r.stdout, r
    r = subprocess.run([berth, "run", "--rm", "--volumes-from", "bsrc:ro", "busybox", "cat", "/p/x", "/banon/y"],
                       env=berthd.env, capture_output=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, b"hi\nanon\n"), r
    assert subprocess.run([berth, "rm", "-v", "bsrc"], env=berthd.env, capture_output=True).returncode == 0
    ok(docker("create", "--name", "pc", "-v", "p1:/p", "-v", "/anon", "busybox"))
    both("volume", "ls")
    both("volume", "ls", "-q")
    both("volume", "ls", "--filter", "label=a=1")
    both("volume", "ls", "--filter", "dangling=true", "--format", "{{.Name}}\t{{.Labels}}\t{{.Mountpoint}}")
    both("volume", "inspect", "p1", "p2")
    both("volume", "inspect", "--format", "{{.Name}} {{json .Labels}} {{json .Options}} {{.CreatedAt}}", "p1", "p2")
    both("inspect", "--format", "{{json .Mounts}}", "pc")
    b = subprocess.run([berth, "volume", "rm", "p2"], env=berthd.env, capture_output=True)
    assert (b.returncode, b.stdout) == (0, b"p2\n")
    b = subprocess.run([berth, "volume", "rm", "p1"], env=berthd.env, capture_output=True)
    d = docker("volume", "rm", "p1")
    assert (b.returncode, b.stderr) == (d.returncode, d.stderr)
    b = subprocess.run([berth, "volume", "prune", "-f"], env=berthd.env, capture_output=True)
    assert b.returncode == 0 and b.stdout == b"Total reclaimed space: 0B\n"   # /anon is in use
    ok(docker("rm", "pc"))
    b = subprocess.run([berth, "volume", "prune", "-f"], env=berthd.env, capture_output=True)
    assert b.stdout.decode().startswith("Deleted Volumes:\n") and b.stdout.endswith(b"\n\nTotal reclaimed space: 0B\n")
    assert os.path.isdir(berthd.data_root / "volumes" / "p1")
