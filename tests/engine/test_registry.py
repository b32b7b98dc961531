"""Images through a real Distribution registry (Debian's `docker-registry` on 127.0.0.1), with
skopeo as an independent client and the docker CLI as berthd's client: pull, push, tag, login,
logout, search; a corrupted blob; a pull interrupted mid-layer."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from fixtures.berthd import berth_binary, run_berthd
from fixtures.busybox import LayerSpec
from fixtures.cleanup import find_children

pytestmark = pytest.mark.skipif(not shutil.which("skopeo") or not shutil.which("docker"),
                                reason="needs skopeo and the docker CLI")


def skopeo(*args, timeout=120):
    r = subprocess.run(["skopeo", *args], capture_output=True, timeout=timeout)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def docker_in(daemon):
    def run(*args, input=None, timeout=120):
        return subprocess.run(["docker", *args], env=daemon.env, input=input, capture_output=True, timeout=timeout)
    return run


@pytest.fixture
def docker(berthd):
    run = docker_in(berthd)
    yield run
    ids = run("ps", "-aq").stdout.split()
    if ids:
        run("rm", "-f", *[i.decode() for i in ids])


def layered_image(make_oci_layout):
    """busybox, then a layer adding files, then one deleting and hiding some of them."""
    return make_oci_layout([
        LayerSpec(files={"etc/layer2.txt": "from layer 2\n", "opt/gone.txt": "deleted above\n",
                         "opt/keep/old.txt": "hidden by an opaque dir\n"},
                  created_by="layer 2"),
        LayerSpec(files={"etc/layer3.txt": "from layer 3\n", "opt/keep/new.txt": "new\n"},
                  symlinks={"etc/link3": "layer3.txt"}, hardlinks={"etc/hard3": "etc/layer3.txt"},
                  delete=["opt/gone.txt"], opaque=["opt/keep"], created_by="layer 3"),
    ], image_config={"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": {"berth.test": "layers"}})


def image_id(daemon, name):
    for row in daemon.request("GET", "/images/json").json():
        if any(t == name for t in row["RepoTags"]):
            return row["Id"]
    return None


def test_pull_a_layered_image_pushed_by_skopeo_and_run_it(registry, berthd, docker, make_oci_layout):
    layout = layered_image(make_oci_layout)
    ref = registry.ref("layers", "v1")
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + ref)

    r = docker("pull", ref)
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    assert "v1: Pulling from layers" in out
    assert "Pull complete" in out
    digest = json.loads(skopeo("inspect", "--tls-verify=false", "docker://" + ref))["Digest"]
    assert f"Digest: {digest}" in out
    assert f"Status: Downloaded newer image for {ref}" in out
    assert image_id(berthd, ref) == layout.config_digest
    r = docker("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}")
    assert f"{registry.address}/layers v1 {digest}" in r.stdout.decode().splitlines(), r.stdout

    r = docker("run", "--rm", ref, "sh", "-c",
               "cat /etc/layer2.txt /etc/layer3.txt /etc/link3; ls /opt/keep; "
               "test -e /opt/gone.txt && echo GONE-STILL-THERE; "
               "test $(stat -c %i /etc/hard3) = $(stat -c %i /etc/layer3.txt) && echo hardlinked")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().split("\n") == ["from layer 2", "from layer 3", "from layer 3", "new.txt", "hardlinked", ""]

    # Pulling again finds everything in place.
    r = docker("pull", ref)
    assert r.returncode == 0 and f"Status: Image is up to date for {ref}" in r.stdout.decode(), r.stdout


def test_pull_tag_push_and_pull_back_by_digest(registry, berthd, docker, make_oci_layout):
    layout = layered_image(make_oci_layout)
    src = registry.ref("origin/app", "1.0")
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + src)
    assert docker("pull", src).returncode == 0

    dst = registry.ref("copies/app", "2.0")
    assert docker("tag", src, dst).returncode == 0
    r = docker("push", dst)
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    assert f"The push refers to repository [{registry.address}/copies/app]" in out
    # Same registry: the layers are mounted from the repository they were pulled from.
    assert "Mounted from origin/app" in out, out
    pushed = [line for line in out.splitlines() if line.startswith("2.0: digest: sha256:")]
    assert len(pushed) == 1, out
    digest = pushed[0].split()[2]

    info = json.loads(skopeo("inspect", "--tls-verify=false", "docker://" + dst))
    assert info["Digest"] == digest
    assert info["Layers"] == layout.layer_digests

    # Pull it back by digest into a fresh daemon: the same image ID.
    with run_berthd() as other:
        r = docker_in(other)("pull", f"{registry.address}/copies/app@{digest}")
        assert r.returncode == 0, r.stderr.decode()
        ids = {row["Id"] for row in other.request("GET", "/images/json").json()}
        assert ids == {layout.config_digest}
        digests = other.request("GET", "/images/json").json()[0]["RepoDigests"]
        assert f"{registry.address}/copies/app@{digest}" in digests or digests == []

    # A second push of the same image: everything is there already.
    r = docker("push", dst)
    assert r.returncode == 0 and "Layer already exists" in r.stdout.decode(), r.stdout


def test_login_pull_logout_on_an_auth_registry(auth_registry, berthd, docker, make_oci_layout):
    layout = make_oci_layout()
    ref = auth_registry.ref("private/busybox")
    skopeo("copy", *auth_registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + ref)

    r = docker("pull", ref)
    assert r.returncode != 0
    assert "unauthorized" in r.stderr.decode() or "no basic auth credentials" in r.stderr.decode(), r.stderr

    r = docker("login", "-u", auth_registry.username, "--password-stdin", auth_registry.address,
               input=auth_registry.password.encode())
    assert r.returncode == 0 and "Login Succeeded" in r.stdout.decode(), r.stderr.decode()
    config = json.loads((Path(berthd.env["DOCKER_CONFIG"]) / "config.json").read_text())
    assert auth_registry.address in config["auths"]

    r = docker("pull", ref)
    assert r.returncode == 0, r.stderr.decode()

    r = docker("logout", auth_registry.address)
    assert r.returncode == 0 and f"Removing login credentials for {auth_registry.address}" in r.stdout.decode()
    r = docker("pull", ref)
    assert r.returncode != 0

    # berth's own CLI: a wrong password is refused with the registry's status, the right one works.
    berth = str(berth_binary("berth"))
    r = subprocess.run([berth, "login", "-u", auth_registry.username, "-p", "wrong", auth_registry.address],
                       env=berthd.env, capture_output=True, timeout=60)
    assert r.returncode != 0 and "401" in r.stderr.decode(), r.stderr
    r = subprocess.run([berth, "login", "-u", auth_registry.username, "--password-stdin", auth_registry.address],
                       env=berthd.env, input=auth_registry.password.encode(), capture_output=True, timeout=60)
    assert r.returncode == 0 and "Login Succeeded" in r.stdout.decode(), r.stderr
    r = subprocess.run([berth, "pull", ref], env=berthd.env, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([berth, "logout", auth_registry.address], env=berthd.env, capture_output=True, timeout=60)
    assert r.returncode == 0 and "Removing login credentials" in r.stdout.decode()


def test_pull_of_a_missing_image_and_a_bad_reference(registry, berthd, docker):
    r = docker("pull", registry.ref("nosuch/image"))
    assert r.returncode != 0
    assert "manifest unknown" in r.stderr.decode() or "not found" in r.stderr.decode(), r.stderr
    r = berthd.request("POST", "/images/create?fromImage=UPPER/Case&tag=latest")
    assert r.status == 400 and "invalid reference format" in r.json()["message"]
    assert berthd.request("GET", "/images/json").json() == []


def test_search_lists_catalog_matches(registry, berthd, docker, make_oci_layout):
    layout = make_oci_layout()
    for repo in ("tools/searchme", "other/thing"):
        skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + registry.ref(repo))
    r = docker("search", f"{registry.address}/searchme")
    assert r.returncode == 0, r.stderr.decode()
    lines = r.stdout.decode().splitlines()
    assert lines[0].split() == ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"]
    assert any("tools/searchme" in line for line in lines[1:])
    assert not any("other/thing" in line for line in lines[1:])


def blob_file(registry, digest):
    hex_ = digest.split(":", 1)[1]
    return registry.storage / "docker" / "registry" / "v2" / "blobs" / "sha256" / hex_[:2] / hex_ / "data"


def content_blobs(daemon):
    d = daemon.data_root / "content" / "blobs" / "sha256"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def ingests(daemon):
    d = daemon.data_root / "content" / "ingest"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def test_a_blob_that_does_not_match_its_digest_fails_the_pull(registry, berthd, docker, make_oci_layout):
    layout = layered_image(make_oci_layout)
    ref = registry.ref("corrupt")
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + ref)
    path = blob_file(registry, layout.layers[-1].digest)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    r = docker("pull", ref)
    assert r.returncode != 0
    assert "digest" in r.stderr.decode().lower(), r.stderr
    assert berthd.request("GET", "/images/json").json() == []
    assert ingests(berthd) == []
    assert layout.layers[-1].digest.split(":")[1] not in content_blobs(berthd)


class SlowProxy:
    """A TCP proxy to the registry that slows responses to about `rate` bytes/s once `free` bytes
    have passed, so a test can interrupt a pull in the middle of a layer."""

    def __init__(self, target_port: int, rate: int = 256 * 1024, free: int = 64 * 1024):
        import socket
        import threading
        self.target_port, self.rate, self.free = target_port, rate, free
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, src, dst, slow):
        sent = 0
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                dst.sendall(data)
                sent += len(data)
                if slow and sent > self.free:
                    time.sleep(len(data) / self.rate)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.listener.close()


def fetch_children(pid: int) -> list[int]:
    """The berth-fetch processes `pid` started (berthd runs each registry job in one)."""
    return find_children(pid, comm="berth-fetch")


def wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    """Waits for `pids` to exit; returns those still running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "(berth-fetch)" in Path(f"/proc/{p}/stat").read_text()]
        if not alive:
            return []
        time.sleep(0.05)
    return alive


@contextmanager
def pull_in_mid_layer(daemon, ref, what):
    """Starts `docker pull ref`; once more than 512 KiB of a layer is in an ingest file,
    yields the pids of berthd's berth-fetch processes (one: the pull's). The docker CLI is
    killed on the way out."""
    pull = subprocess.Popen(["docker", "pull", ref], env=daemon.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_mid_layer(daemon, what)
        fetchers = fetch_children(daemon.pid)
        assert len(fetchers) == 1, fetchers
        yield fetchers
    finally:
        pull.kill()
        pull.wait(30)


def wait_mid_layer(daemon, what):
    """Waits until a pull has more than 512 KiB of a layer in an ingest file."""
    deadline = time.monotonic() + 60
    ingest_dir = daemon.data_root / "content" / "ingest"
    while time.monotonic() < deadline:
        sizes = []
        for p in (ingest_dir.iterdir() if ingest_dir.exists() else []):
            try:
                sizes.append(p.stat().st_size)
            except FileNotFoundError:   # committed (renamed) meanwhile
                pass
        if any(s > 512 * 1024 for s in sizes):
            return
        time.sleep(0.05)
    pytest.fail(f"{what}: the pull never got half-way into a layer")


def test_a_pull_interrupted_mid_layer_completes_when_repeated(registry, make_oci_layout, tmp_path):
    """The pull runs in a berth-fetch process. When its API client goes away, and when berthd
    itself is killed, berth-fetch stops (its stdin ends) and drops its partial download; a
    repeated pull then completes and leaves nothing partial behind."""
    big = os.urandom(6 * 1024 * 1024)   # incompressible: the gzip blob stays about 6 MiB
    layout = make_oci_layout([LayerSpec(files={"data/big.bin": big}, created_by="big layer")])
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + registry.ref("big"))
    proxy = SlowProxy(registry.port)
    slow_ref = f"127.0.0.1:{proxy.port}/big:latest"
    try:
        with run_berthd() as daemon:
            # 1. The client goes away mid-layer: berth-fetch stops and removes its ingest.
            with pull_in_mid_layer(daemon, slow_ref, "client gone") as fetchers:
                pass   # leaving kills the docker CLI
            assert wait_gone(fetchers) == [], "berth-fetch kept running after its client went away"
            assert ingests(daemon) == []
            assert daemon.ping()

            # 2. berthd is killed mid-layer: berth-fetch stops too.
            with pull_in_mid_layer(daemon, slow_ref, "berthd killed") as fetchers:
                os.kill(daemon.pid, signal.SIGKILL)
            assert wait_gone(fetchers) == [], "berth-fetch outlived berthd"

            # Start the daemon again on the same data root: leftovers are collected at start.
            args = ["--data-root", str(daemon.data_root), "--host", daemon.docker_host,
                    "--pidfile", str(daemon.pidfile), "--config-file", str(daemon.config_path)]
            with open(daemon.log_path, "a") as log:
                again = subprocess.Popen([str(berth_binary("berthd")), *args], stdout=log, stderr=log)
            try:
                for _ in range(100):
                    if daemon.ping():
                        break
                    time.sleep(0.1)
                assert daemon.ping(), daemon.log_tail()
                assert ingests(daemon) == []
                r = docker_in(daemon)("pull", f"127.0.0.1:{proxy.port}/big:latest")
                assert r.returncode == 0, r.stderr.decode()
                r = docker_in(daemon)("run", "--rm", slow_ref, "sh", "-c", "wc -c < /data/big.bin")
                assert r.stdout.decode().strip() == str(len(big)), r.stderr.decode()
                # Nothing partial is left: no ingests, no temporary snapshots, no berth-fetch,
                # and every blob belongs to the image.
                assert ingests(daemon) == []
                snaps = daemon.data_root / "snapshots"
                assert not [p for p in snaps.iterdir() if p.name.startswith("tmp-")]
                # (A layer unpacked before an interruption keeps its snapshot while garbage
                # collection takes its blob: the repeated pull fetches the blob again.)
                wanted = {d.split(":")[1] for d in [layout.config_digest, layout.manifest_digest, *layout.layer_digests]}
                assert set(content_blobs(daemon)) == wanted
                r = docker_in(daemon)("save", "-o", str(tmp_path / "big.tar"), slow_ref)
                assert r.returncode == 0, r.stderr.decode()
                assert wait_gone(fetch_children(again.pid), timeout=5) == []
            finally:
                again.send_signal(signal.SIGTERM)
                again.wait(10)
    finally:
        proxy.close()


def _blob(layout: Path, data: bytes) -> dict:
    from fixtures.busybox import sha256_digest
    digest = sha256_digest(data)
    path = layout / "blobs" / "sha256" / digest.split(":", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": digest, "size": len(data)}


def _image(layout: Path, layers: list[tuple[str, bytes, bytes]], arch: str, variant: str | None = None) -> dict:
    """Writes a config and manifest for (media type, blob, uncompressed tar) layers; returns
    the index entry for it."""
    from fixtures.busybox import sha256_digest
    config = {"architecture": arch, "os": "linux", "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar) for _, _, tar in layers]}}
    if variant:
        config["variant"] = variant
    cfg = _blob(layout, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
                "layers": [{"mediaType": mt, **_blob(layout, blob)} for mt, blob, _ in layers]}
    m = _blob(layout, json.dumps(manifest).encode())
    platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", **m, "platform": platform,
            "config": cfg["digest"]}


def test_an_index_picks_the_platform_and_zstd_and_plain_layers_unpack(registry, berthd, docker, busybox_rootfs, tmp_path):
    from fixtures.busybox import LayerSpec, gzip_bytes, layer_tar
    base = layer_tar(LayerSpec(from_dir=busybox_rootfs))
    zst_tar = layer_tar(LayerSpec(files={"etc/zstd.txt": "zstd layer\n"}))
    plain_tar = layer_tar(LayerSpec(files={"etc/plain.txt": "plain layer\n"}))
    zst = subprocess.run(["zstd", "-q", "-c"], input=zst_tar, capture_output=True, check=True).stdout
    layout = tmp_path / "multi"
    amd64 = _image(layout, [("application/vnd.oci.image.layer.v1.tar+gzip", gzip_bytes(base), base),
                            ("application/vnd.oci.image.layer.v1.tar+zstd", zst, zst_tar),
                            ("application/vnd.oci.image.layer.v1.tar", plain_tar, plain_tar)], "amd64")
    arm64 = _image(layout, [("application/vnd.oci.image.layer.v1.tar+gzip", gzip_bytes(base), base),
                            ("application/vnd.oci.image.layer.v1.tar", plain_tar, plain_tar)], "arm64", "v8")
    configs = {e["platform"]["architecture"]: e.pop("config") for e in (amd64, arm64)}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [arm64, amd64]}
    idx = _blob(layout, json.dumps(index).encode())
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", **idx,
         "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    ref = registry.ref("multi", "v1")
    skopeo("copy", "--all", "--preserve-digests", *registry.skopeo_args("dest"), f"oci:{layout}:multi", "docker://" + ref)

    r = docker("pull", ref)
    assert r.returncode == 0, r.stderr.decode()
    assert f"Digest: {idx['digest']}" in r.stdout.decode()
    assert image_id(berthd, ref) == configs["amd64"]
    r = docker("run", "--rm", ref, "cat", "/etc/zstd.txt", "/etc/plain.txt")
    assert r.returncode == 0 and r.stdout == b"zstd layer\nplain layer\n", r.stderr.decode()

    arm = registry.ref("multi", "v1")
    r = docker("pull", "--platform", "linux/arm64/v8", arm)
    assert r.returncode == 0, r.stderr.decode()
    assert image_id(berthd, arm) == configs["arm64"]


def test_a_hostile_layer_fails_the_pull_and_leaves_nothing(registry, berthd, docker, busybox_rootfs, tmp_path):
    import io
    import tarfile
    from fixtures.busybox import LayerSpec, gzip_bytes, layer_tar
    base = layer_tar(LayerSpec(from_dir=busybox_rootfs))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"escaped\n"
        info = tarfile.TarInfo("../../../../../../tmp/berth-escape-" + tmp_path.name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    evil = buf.getvalue()
    layout = tmp_path / "evil"
    entry = _image(layout, [("application/vnd.oci.image.layer.v1.tar+gzip", gzip_bytes(base), base),
                            ("application/vnd.oci.image.layer.v1.tar+gzip", gzip_bytes(evil), evil)], "amd64")
    entry.pop("config")
    entry["annotations"] = {"org.opencontainers.image.ref.name": "evil"}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    ref = registry.ref("evil")
    skopeo("copy", "--preserve-digests", *registry.skopeo_args("dest"), f"oci:{layout}:evil", "docker://" + ref)

    r = docker("pull", ref)
    assert r.returncode != 0
    assert ".." in r.stderr.decode(), r.stderr
    assert not Path("/tmp/berth-escape-" + tmp_path.name).exists()
    assert berthd.request("GET", "/images/json").json() == []
    snaps = berthd.data_root / "snapshots"
    assert not [p for p in snaps.iterdir() if p.name.startswith("tmp-")] if snaps.exists() else True


def test_run_pulls_a_missing_image_and_berth_pull_shows_progress(registry, berthd, docker, make_oci_layout):
    layout = layered_image(make_oci_layout)
    ref = registry.ref("autopull")
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + ref)
    r = docker("run", "--rm", ref, "cat", "/etc/layer3.txt")
    assert r.returncode == 0, r.stderr.decode()
    assert f"Unable to find image '{ref}' locally" in r.stderr.decode()
    assert r.stdout == b"from layer 3\n"

    with run_berthd() as other:
        r = subprocess.run([str(berth_binary("berth")), "pull", ref], env=other.env, capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr.decode()
        out = r.stdout.decode()
        assert "latest: Pulling from autopull" in out and "Pull complete" in out and out.endswith(ref + "\n"), out
        r = subprocess.run([str(berth_binary("berth")), "run", "--rm", ref, "cat", "/etc/layer2.txt"],
                           env=other.env, capture_output=True, timeout=60)
        assert r.stdout == b"from layer 2\n", r.stderr.decode()


def test_import_from_a_url(berthd, docker, busybox_rootfs, tmp_path):
    import http.server
    import io
    import tarfile
    import threading
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(busybox_rootfs, arcname=".")
    (tmp_path / "rootfs.tar").write_bytes(buf.getvalue())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(tmp_path), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        r = docker("import", "-c", "ENV PATH=/bin", f"{url}/rootfs.tar", "fromurl:v1")
        assert r.returncode == 0, r.stderr.decode()
        assert r.stdout.decode().strip().startswith("sha256:")
        r = docker("run", "--rm", "fromurl:v1", "echo", "imported from a URL")
        assert r.stdout == b"imported from a URL\n", r.stderr.decode()
        r = docker("import", f"{url}/missing.tar", "nothing:v1")
        assert r.returncode != 0 and "404" in r.stderr.decode(), r.stderr
        assert image_id(berthd, "nothing:v1") is None
        assert list((berthd.data_root / "tmp").iterdir()) == []
    finally:
        server.shutdown()


def test_push_an_image_pulled_from_another_registry(registry, berthd, docker, make_oci_layout):
    from fixtures.registry import run_registry
    layout = layered_image(make_oci_layout)
    src = registry.ref("from/here", "1")
    skopeo("copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + src)
    assert docker("pull", src).returncode == 0
    with run_registry() as other:
        dst = other.ref("to/there", "1")
        assert docker("tag", src, dst).returncode == 0
        r = docker("push", dst)
        assert r.returncode == 0, r.stderr.decode()
        assert r.stdout.decode().count(": Pushed") == len(layout.layers), r.stdout
        info = json.loads(skopeo("inspect", "--tls-verify=false", "docker://" + dst))
        assert info["Layers"] == layout.layer_digests
        config = json.loads(skopeo("inspect", "--config", "--tls-verify=false", "docker://" + dst))
        assert config["rootfs"]["diff_ids"] == layout.diff_ids
