"""Image management through the real docker CLI and `berth` against a test berthd: tag, rmi
(with Docker's conflict messages), inspect, history, save/load (also with skopeo as a peer),
hostile archives, prune, and container export."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from fixtures.berthd import berth_binary, run_berthd
from fixtures.cleanup import find_mounts_under


def rootfs_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


def runner(program, env):
    def run(*args, input=None, timeout=60):
        r = subprocess.run([program, *args], env=env, input=input, capture_output=True, timeout=timeout)
        r.out, r.err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        return r
    run.env = env
    return run


def import_busybox(run, rootfs, name="busybox:latest"):
    r = run("import", "-c", "ENV PATH=/bin", "-c", 'CMD ["sh"]', "-c", "LABEL org.test=yes", "-",
            *([name] if name else []), input=rootfs_tar(rootfs))
    assert r.returncode == 0, r.err
    return r.out.strip()


@pytest.fixture
def docker(berthd, busybox_rootfs):
    if not shutil.which("docker"):
        pytest.skip("the docker CLI is not installed")
    run = runner("docker", berthd.env)
    run.image_id = import_busybox(run, busybox_rootfs)
    yield run
    ids = run("ps", "-aq").out.split()
    if ids:
        run("rm", "-f", *ids)


@pytest.fixture
def berth(berthd):
    binary = berth_binary("berth")
    if binary is None:
        pytest.skip("berth is not built")
    return runner(str(binary), berthd.env)


def blobs(berthd):
    return sorted(os.listdir(berthd.data_root / "content" / "blobs" / "sha256"))


def layer_snapshots(berthd):
    root = berthd.data_root / "snapshots"
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("tmp-") and not (p / "work").exists())


def test_tag_shows_in_images_and_filters(docker, berth):
    assert docker("tag", "busybox", "myrepo/bb:v1").returncode == 0
    lines = docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").out.split("\n")
    short = docker.image_id.split(":")[1][:12]
    assert f"myrepo/bb:v1 {short}" in lines and f"busybox:latest {short}" in lines
    assert docker("images", "-q", "myrepo/bb").out.split() == [short]
    assert docker("images", "--filter", "reference=busy*", "--format", "{{.Repository}}").out.split() == ["busybox"]
    assert docker("images", "--filter", "label=org.test=yes", "-q").out.split() == [short, short]
    assert docker("images", "--filter", "dangling=true", "-q").out == ""
    r = docker("tag", "nosuch", "x:1")
    assert r.returncode == 1 and "No such image: nosuch" in r.err
    assert berth("tag", "busybox", "bt:1").returncode == 0
    table = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}"
    # The docker CLI groups one image's tags in a Go map: their order varies from run to run.
    def rows(out):
        head, *rest = out.split("\n")
        return [head, *sorted(rest)]
    assert rows(berth("images", "--format", table).out) == rows(docker("images", "--format", table).out)
    assert berth("images", "--format", "{{.Repository}}:{{.Tag}}", "bt").out == "bt:1\n"


def test_tag_refuses_bad_references(berthd, docker):
    for query, text in [("repo=Bad", "must be lowercase"), ("repo=ok&tag=b@d", "invalid tag format"),
                        ("repo=ok@sha256:" + "a" * 64, "cannot tag a digest reference"), ("repo=", "at least one component")]:
        r = berthd.request("POST", f"/images/busybox/tag?{query}")
        assert r.status == 400 and text in r.json()["message"], (query, r.status, r.text)
    assert berthd.request("POST", "/images/nosuch/tag?repo=x").status == 404


def test_rmi_refused_while_a_container_uses_the_image(berthd, docker):
    image = docker.image_id.split(":")[1]
    cid = docker("create", "busybox", "true").out.strip()
    r = docker("rmi", "busybox")
    assert r.returncode == 1
    assert r.err.strip() == (f'Error response from daemon: conflict: unable to remove repository reference "busybox" '
                             f"(must force) - container {cid[:12]} is using its referenced image {image[:12]}")
    r = docker("rmi", image[:12])
    assert r.returncode == 1 and r.err.strip() == (
        f"Error response from daemon: conflict: unable to delete {image[:12]} (must be forced) - "
        f"image is being used by stopped container {cid[:12]}")
    running = docker("run", "-d", "busybox", "sleep", "100").out.strip()
    r = docker("rmi", "-f", image)
    assert r.returncode == 1 and (f"conflict: unable to delete {image[:12]} (cannot be forced) - "
                                  f"image is being used by running container {running[:12]}") in r.err
    assert docker("rm", "-f", cid, running).returncode == 0
    before = blobs(berthd)
    assert len(before) == 3 and layer_snapshots(berthd)
    r = docker("rmi", "busybox")
    assert r.returncode == 0, r.err
    lines = r.out.splitlines()
    assert lines[:2] == ["Untagged: busybox:latest", f"Deleted: sha256:{image}"]
    assert all(line.startswith("Deleted: sha256:") for line in lines[2:])      # the unpacked layer
    assert docker("images", "-q").out == ""
    assert blobs(berthd) == [] and layer_snapshots(berthd) == []


def test_rmi_force(berthd, docker, berth):
    image = docker.image_id.split(":")[1]
    docker("tag", "busybox", "other:1")
    r = docker("rmi", image[:8])
    assert r.returncode == 1 and r.err.strip() == (
        f"Error response from daemon: conflict: unable to delete {image[:12]} (must be forced) - "
        "image is referenced in multiple repositories")
    # One of several names: only untagged, even by `berth`, printed as docker prints it.
    assert berth("rmi", "other:1").out == "Untagged: other:1\n"
    docker("tag", "busybox", "other:1")
    # Forced by ID while a stopped container uses it: every name and the image go, and the
    # container can still start.
    docker("create", "--name", "keeper", "busybox", "echo", "still runs")
    r = docker("rmi", "-f", image)
    assert r.returncode == 0, r.err
    assert r.out.splitlines()[:3] == ["Untagged: busybox:latest", "Untagged: other:1", f"Deleted: sha256:{image}"]
    assert docker("images", "-q").out == ""
    r = docker("start", "-a", "keeper")
    assert r.returncode == 0 and r.out == "still runs\n", r.err


def test_image_inspect_fields(docker, berth):
    image = docker.image_id
    fmt = "{{.Id}}|{{.Config.Labels}}|{{.Config.Cmd}}|{{.Config.Env}}|{{.Os}}|{{.RepoTags}}|{{.GraphDriver.Name}}"
    r = docker("image", "inspect", "--format", fmt, "busybox")
    assert r.out.strip() == f"{image}|map[org.test:yes]|[sh]|[PATH=/bin]|linux|[busybox:latest]|overlay2", r.err
    root = json.loads(docker("image", "inspect", "--format", "{{json .RootFS}}", "busybox").out)
    assert root["Type"] == "layers" and len(root["Layers"]) == 1 and root["Layers"][0].startswith("sha256:")
    # Without --type the CLI tries a container first, then an image.
    full = json.loads(docker("inspect", "busybox").out)
    assert len(full) == 1 and full[0]["Id"] == image and full[0]["Metadata"]["LastTagTime"]
    assert full[0]["Size"] > 0 and full[0]["Architecture"]
    assert json.loads(berth("image", "inspect", "busybox").out)[0]["Id"] == image
    r = docker("image", "inspect", "nosuch")
    assert r.returncode == 1 and "No such image: nosuch" in r.err


def test_history_table(docker, berth):
    r = docker("history", "busybox")
    lines = r.out.splitlines()
    assert lines[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"], r.err
    assert len(lines) == 2 and lines[1].startswith(docker.image_id.split(":")[1][:12])
    assert lines[1].endswith("Imported from -")
    table = "table {{.ID}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    assert berth("history", "--format", table, "busybox").out == docker("history", "--format", table, "busybox").out
    rows = docker("history", "--no-trunc", "--format", "{{.ID}} {{.Size}}", "busybox").out.split()
    assert rows[0] == docker.image_id and rows[1].endswith("B")


def test_save_load_round_trip_into_a_fresh_daemon(docker, berth, tmp_path, busybox_rootfs):
    archive = tmp_path / "bb.tar"
    assert docker("save", "-o", str(archive), "busybox").returncode == 0
    with tarfile.open(archive) as t:
        names = t.getnames()
    assert "manifest.json" in names and "index.json" in names and "oci-layout" in names
    with run_berthd() as other:
        d2 = runner("docker", other.env)
        r = d2("load", "-i", str(archive))
        assert r.returncode == 0 and r.out == "Loaded image: busybox:latest\n", r.err
        assert d2("images", "--no-trunc", "-q").out.strip() == docker.image_id
        r = d2("run", "--rm", "busybox", "echo", "loaded")
        assert r.out == "loaded\n", r.err
        # A compressed archive loads too, and loading again changes nothing.
        r = d2("load", input=gzip.compress(archive.read_bytes()))
        assert r.returncode == 0 and r.out == "Loaded image: busybox:latest\n", r.err
        assert d2("images", "--no-trunc", "-q").out.strip() == docker.image_id
    r = docker("save", "-o", str(tmp_path / "none.tar"), "busybox", "nosuch:1")
    assert r.returncode == 1 and "No such image: nosuch:1" in r.err
    docker("tag", "busybox", "second:2")
    both = docker("save", "busybox", "second:2").stdout
    with tarfile.open(fileobj=io.BytesIO(both)) as t:
        manifest = json.load(t.extractfile("manifest.json"))
    assert [sorted(e["RepoTags"]) for e in manifest] == [["busybox:latest", "second:2"]]
    # `berth save` writes the same bytes; `berth load` prints what docker prints.
    mine = tmp_path / "berth.tar"
    assert berth("save", "-o", str(mine), "busybox").returncode == 0
    assert mine.read_bytes() == archive.read_bytes()
    with run_berthd() as other:
        r = runner(str(berth_binary("berth")), other.env)("load", "-i", str(mine))
        assert r.returncode == 0 and r.out == "Loaded image: busybox:latest\n", r.err
    # An untagged image saved by ID loads as an ID.
    loose = import_busybox(docker, busybox_rootfs, name=None)
    with run_berthd() as other:
        saved = subprocess.run(["docker", "save", loose.split(":")[1][:12]], env=docker.env, capture_output=True)
        r = runner("docker", other.env)("load", input=saved.stdout)
        assert r.out == f"Loaded image ID: {loose}\n", r.err


def test_skopeo_reads_berth_save_and_berth_loads_skopeo_archives(docker, berth, tmp_path):
    if not shutil.which("skopeo"):
        pytest.skip("skopeo is not installed (scripts/deps.sh --test)")
    saved = tmp_path / "saved.tar"
    assert berth("save", "-o", str(saved), "busybox").returncode == 0
    layout = tmp_path / "layout"
    r = subprocess.run(["skopeo", "copy", f"docker-archive:{saved}", f"oci:{layout}:bb"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    made = tmp_path / "skopeo.tar"
    r = subprocess.run(["skopeo", "copy", f"oci:{layout}:bb", f"docker-archive:{made}:skopeo/bb:v2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = docker("load", "-i", str(made))
    assert r.returncode == 0 and r.out == "Loaded image: skopeo/bb:v2\n", r.err
    r = docker("run", "--rm", "skopeo/bb:v2", "echo", "via skopeo")
    assert r.out == "via skopeo\n", r.err
    assert docker("image", "inspect", "--format", "{{.Config.Cmd}}", "skopeo/bb:v2").out.strip() == "[sh]"


def hostile_tar(kind):
    buf = io.BytesIO()
    blob = b"some blob content written before the bad entry"
    with tarfile.open(fileobj=buf, mode="w") as t:
        def add(name, data=b"", **kw):
            info = tarfile.TarInfo(name)
            for k, v in kw.items():
                setattr(info, k, v)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        add("blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)
        if kind == "traversal":
            add("../evil", b"x")
        elif kind == "absolute":
            add("/tmp/berth-evil", b"x")
        elif kind == "symlink":
            add("blobs/link", type=tarfile.SYMTYPE, linkname="../../../../etc")
        add("index.json", b'{"schemaVersion":2,"manifests":[]}')
    return buf.getvalue()


@pytest.mark.parametrize("kind,text", [
    ("traversal", "invalid archive entry `../evil`: path escapes the archive"),
    ("absolute", "invalid archive entry `/tmp/berth-evil`: absolute path"),
    ("symlink", "invalid archive entry `blobs/link`: symlink `../../../../etc` escapes the archive"),
])
def test_hostile_archive_is_refused_and_leaves_nothing(berthd, docker, kind, text):
    before_blobs, before_images = blobs(berthd), docker("images", "-q", "--no-trunc").out
    r = docker("load", input=hostile_tar(kind))
    assert r.returncode == 1 and r.err.strip() == f"Error response from daemon: {text}", r.err
    assert blobs(berthd) == before_blobs and docker("images", "-q", "--no-trunc").out == before_images
    assert not os.path.exists("/tmp/berth-evil")
    assert os.listdir(berthd.data_root / "tmp") == []


def test_malformed_archives_get_clear_errors(berthd, docker):
    r = docker("load", input=b"this is not a tar archive at all" * 100)
    assert r.returncode == 1 and "Error response from daemon:" in r.err and "archive" in r.err.lower(), r.err
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("readme")
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
    r = docker("load", input=buf.getvalue())
    assert r.returncode == 1 and "not an image archive" in r.err, r.err


def test_image_prune(berthd, docker, busybox_rootfs):
    dangling = import_busybox(docker, busybox_rootfs, name=None)
    other = import_busybox(docker, busybox_rootfs, name="unused:1")
    assert dangling != docker.image_id and other != docker.image_id
    r = docker("image", "prune", "-f")
    assert r.returncode == 0, r.err
    assert r.out.startswith("Deleted Images:\ndeleted: " + dangling) and "Total reclaimed space:" in r.out
    ids = docker("images", "-q", "--no-trunc").out.split()
    assert dangling not in ids and other in ids and docker.image_id in ids
    docker("create", "busybox", "true")
    r = docker("image", "prune", "-a", "-f")
    assert "untagged: unused:1" in r.out and f"deleted: {other}" in r.out, r.out
    assert docker("images", "-q", "--no-trunc").out.split() == [docker.image_id]   # in use: kept


def test_container_export(berthd, docker, tmp_path):
    r = docker("run", "--name", "ex", "busybox", "sh", "-c", "echo hello > /root/note; rm /etc/group; mkdir /newdir")
    assert r.returncode == 0, r.err
    out = tmp_path / "ex.tar"
    r = docker("export", "-o", str(out), "ex")
    assert r.returncode == 0, r.err
    with tarfile.open(out) as t:
        names = set(t.getnames())
        assert t.extractfile("root/note").read() == b"hello\n"
        assert "bin/busybox" in names and "newdir" in names and "etc/passwd" in names
        assert "etc/group" not in names and not any(".wh." in n for n in names)
    # A running container, exported to stdout.
    docker("run", "-d", "--name", "live", "busybox", "sh", "-c", "echo up > /tmp/state; sleep 100")
    for _ in range(50):
        data = docker("export", "live").stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            if "tmp/state" in t.getnames():
                assert t.extractfile("tmp/state").read() == b"up\n"
                break
    else:
        pytest.fail("tmp/state never showed up in the export")
    assert find_mounts_under(berthd.data_root / "tmp") == []
    assert docker("export", "nosuch").returncode == 1


def test_a_real_docker_daemon_loads_berth_save_and_berth_loads_docker_save(docker, berth, tmp_path):
    from fixtures.dockerd import run_dockerd
    saved = tmp_path / "berth.tar"
    assert berth("save", "-o", str(saved), "busybox").returncode == 0
    berth_id = docker("image", "inspect", "--format", "{{.Id}}", "busybox").out.strip()
    with run_dockerd() as ref:
        r = ref.docker("load", "-i", str(saved))
        assert r.returncode == 0 and b"Loaded image: busybox:latest" in r.stdout, r.stderr
        assert ref.docker("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.decode().strip() == berth_id
        assert ref.docker("tag", "busybox", "fromdocker:v1").returncode == 0
        theirs = tmp_path / "docker.tar"
        r = ref.docker("save", "-o", str(theirs), "fromdocker:v1")
        assert r.returncode == 0, r.stderr
    r = docker("load", "-i", str(theirs))
    assert r.returncode == 0 and r.out == "Loaded image: fromdocker:v1\n", r.err
    assert docker("image", "inspect", "--format", "{{.Id}}", "fromdocker:v1").out.strip() == berth_id
    r = docker("run", "--rm", "fromdocker:v1", "echo", "saved by docker")
    assert r.out == "saved by docker\n", r.err
