"""`docker diff`, `docker commit`, `docker container prune`, `docker system df` and
`docker system prune` against berthd (issue 6), and berth's own CLI printing the same."""
import json

from fixtures.berthd import berth_binary
from fixtures.cleanup import find_mounts_under
from test_docker_clients import docker, rootfs_tar  # noqa: F401  (the fixture)
import subprocess


def ok(r):
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r


def berth(berthd, *args, input=None):
    return subprocess.run([str(berth_binary("berth")), *args], env=berthd.env, input=input, capture_output=True, timeout=60)


def past_events(berthd, **filters):
    """Every event so far matching `filters`: `until` a second ahead, so this second's count."""
    import time
    import urllib.parse
    q = urllib.parse.urlencode({"since": "0", "until": str(int(time.time()) + 1),
                                "filters": json.dumps({k: [v] for k, v in filters.items()})})
    r = berthd.request("GET", "/events?" + q, timeout=10)
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def test_diff_lists_added_changed_deleted(berthd, docker):  # noqa: F811
    ok(docker("run", "--name", "differ", "busybox", "sh", "-c",
              "mkdir -p /new/dir && echo x > /new/dir/f && echo y >> /etc/passwd && rm /bin/vi && rm -r /home 2>/dev/null; true"))
    out = ok(docker("diff", "differ")).stdout.decode().splitlines()
    assert "A /new" in out and "A /new/dir" in out and "A /new/dir/f" in out, out
    assert "C /etc" in out and "C /etc/passwd" in out, out
    assert "C /bin" in out and "D /bin/vi" in out, out
    # Lexical order, parents first, as Docker walks the upper directory.
    paths = [line[2:] for line in out]
    assert paths == sorted(paths, key=lambda p: p.split("/")), out
    r = berthd.request("GET", "/containers/differ/changes")
    kinds = {c["Path"]: c["Kind"] for c in r.json()}
    assert kinds["/new"] == 1 and kinds["/etc/passwd"] == 0 and kinds["/bin/vi"] == 2
    # berth prints what docker prints.
    assert berth(berthd, "diff", "differ").stdout.decode().splitlines() == out
    assert berth(berthd, "container", "diff", "differ").stdout.decode().splitlines() == out
    # A directory removed and made again (opaque in overlayfs): deleted, its new content added.
    ok(docker("run", "--name", "remade", "busybox", "sh", "-c", "rm -rf /home && mkdir /home && echo x > /home/new"))
    out = ok(docker("diff", "remade")).stdout.decode().splitlines()
    assert out == ["D /home", "A /home/new"], out
    # A container that changed nothing shows nothing (mount points the runtime needs are not changes).
    ok(docker("run", "--name", "quiet", "busybox", "true"))
    assert ok(docker("diff", "quiet")).stdout == b""
    assert berthd.request("GET", "/containers/quiet/changes").json() is None
    r = docker("diff", "nosuch")
    assert r.returncode != 0 and b"No such container: nosuch" in r.stderr


def test_commit_makes_an_image_that_runs_with_the_changes(berthd, docker):  # noqa: F811
    ok(docker("run", "--name", "tocommit", "-e", "FROM_RUN=1", "busybox", "sh", "-c", "echo committed > /hello.txt"))
    r = ok(docker("commit", "-m", "add hello", "-a", "Berth Tester <t@example.com>",
                  "-c", 'CMD ["cat", "/hello.txt"]', "-c", "ENV GREETING=hi", "-c", "EXPOSE 8080",
                  "-c", "LABEL stage=committed", "-c", "WORKDIR /tmp", "-c", "USER 0",
                  "tocommit", "committed:v1"))
    image_id = r.stdout.decode().strip()
    assert image_id.startswith("sha256:") and len(image_id) == 71, image_id
    assert ok(docker("run", "--rm", "committed:v1")).stdout == b"committed\n"
    info = json.loads(ok(docker("inspect", "committed:v1")).stdout)[0]
    assert info["Id"] == image_id
    assert info["Comment"] == "add hello" and info["Author"] == "Berth Tester <t@example.com>"
    cfg = info["Config"]
    assert cfg["Cmd"] == ["cat", "/hello.txt"] and cfg["WorkingDir"] == "/tmp" and cfg["User"] == "0"
    assert "GREETING=hi" in cfg["Env"] and "FROM_RUN=1" in cfg["Env"] and "PATH=/bin" in cfg["Env"]
    assert "8080/tcp" in cfg["ExposedPorts"] and cfg["Labels"]["stage"] == "committed"
    base = json.loads(ok(docker("inspect", "busybox")).stdout)[0]
    assert len(info["RootFS"]["Layers"]) == len(base["RootFS"]["Layers"]) + 1
    hist = ok(docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "committed:v1")).stdout.decode().splitlines()
    assert hist[0] == "sh -c echo committed > /hello.txt|add hello", hist
    assert len(hist) == len(ok(docker("history", "-q", "busybox")).stdout.split()) + 1
    # The other instructions commit takes, in JSON and shell forms.
    r = ok(docker("commit", "-c", "STOPSIGNAL SIGINT", "-c", 'VOLUME ["/data", "/logs"]', "-c", "ONBUILD RUN true",
                  "-c", 'ENTRYPOINT ["/bin/sh", "-c"]', "-c", "EXPOSE 80 443/udp", "tocommit", "committed:more"))
    cfg = json.loads(ok(docker("inspect", "committed:more")).stdout)[0]["Config"]
    assert cfg["StopSignal"] == "SIGINT" and set(cfg["Volumes"]) == {"/data", "/logs"} and cfg["OnBuild"] == ["RUN true"]
    assert cfg["Entrypoint"] == ["/bin/sh", "-c"] and {"80/tcp", "443/udp"} <= set(cfg["ExposedPorts"])
    # Shell-form CMD and a commit without a name: a dangling image with the ID printed.
    r = ok(docker("commit", "-c", "CMD cat /hello.txt", "tocommit"))
    anon = r.stdout.decode().strip()
    assert json.loads(ok(docker("inspect", anon)).stdout)[0]["Config"]["Cmd"] == ["/bin/sh", "-c", "cat /hello.txt"]
    # berth commit prints the ID the same way.
    r = berth(berthd, "commit", "-c", "ENV B=1", "tocommit", "committed:berth")
    assert r.returncode == 0 and r.stdout.decode().startswith("sha256:"), r.stderr
    assert ok(docker("run", "--rm", "committed:berth", "sh", "-c", "echo $B; cat /hello.txt")).stdout == b"1\ncommitted\n"
    # A running container is paused for the commit and runs on afterwards.
    ok(docker("run", "-d", "--name", "livecommit", "busybox", "sh", "-c", "echo live > /live; sleep 300"))
    ok(docker("commit", "livecommit", "committed:live"))
    assert json.loads(ok(docker("inspect", "livecommit")).stdout)[0]["State"]["Status"] == "running"
    # Docker's container `commit` event, naming the new image.
    events = past_events(berthd, event="commit")
    assert any(e["Actor"]["Attributes"].get("imageID") == image_id and e["Actor"]["Attributes"]["comment"] == "add hello"
               for e in events), events
    # Bad input.
    r = docker("commit", "-c", "FROM busybox", "tocommit")
    assert r.returncode != 0 and b"FROM is not a valid change command" in r.stderr, r.stderr
    r = docker("commit", "nosuch")
    assert r.returncode != 0 and b"No such container: nosuch" in r.stderr, r.stderr
    assert find_mounts_under(berthd.data_root / "tmp") == [] if (berthd.data_root / "tmp").exists() else True


def test_container_prune_removes_stopped_containers(berthd, docker):  # noqa: F811
    ok(docker("create", "--name", "p-created", "busybox", "true"))
    ok(docker("run", "--name", "p-exited", "busybox", "sh", "-c", "head -c 5000 /dev/zero > /big"))
    ok(docker("run", "--name", "p-kept", "--label", "keep=yes", "busybox", "true"))
    ok(docker("run", "-d", "--name", "p-running", "busybox", "sleep", "300"))
    ids = {n: json.loads(ok(docker("inspect", n)).stdout)[0]["Id"] for n in ("p-created", "p-exited", "p-kept")}
    # Nothing here is older than an hour: until=1h keeps everything.
    assert ok(docker("container", "prune", "-f", "--filter", "until=1h")).stdout.decode() == "Total reclaimed space: 0B\n"
    r = ok(docker("container", "prune", "-f", "--filter", "label!=keep=yes"))
    out = r.stdout.decode()
    assert out.startswith("Deleted Containers:\n"), out
    assert ids["p-created"] in out and ids["p-exited"] in out and ids["p-kept"] not in out
    assert "Total reclaimed space: 5kB" in out, out
    names = ok(docker("ps", "-a", "--format", "{{.Names}}")).stdout.decode().split()
    assert sorted(names) == ["p-kept", "p-running"]
    # berth's prune says the same; with nothing left to prune, only the total.
    r = berth(berthd, "container", "prune", "-f")
    assert r.stdout.decode() == f"Deleted Containers:\n{ids['p-kept']}\n\nTotal reclaimed space: 0B\n", r.stdout
    r = berth(berthd, "container", "prune", "-f")
    assert r.stdout.decode() == "Total reclaimed space: 0B\n"
    assert ok(docker("container", "prune", "-f")).stdout.decode() == "Total reclaimed space: 0B\n"
    ev = [e["Actor"]["Attributes"]["reclaimed"] for e in past_events(berthd, type="container", event="prune")]
    assert ev == ["0", "5000", "0", "0", "0"], ev


def test_system_df_and_prune(berthd, docker):  # noqa: F811
    ok(docker("run", "--name", "df-exited", "busybox", "sh", "-c", "head -c 3000 /dev/zero > /f"))
    ok(docker("run", "-d", "--name", "df-running", "busybox", "sleep", "300"))
    ok(docker("commit", "df-exited", "dangling-soon:latest"))
    ok(docker("tag", "dangling-soon:latest", "other:latest"))
    ok(docker("rmi", "dangling-soon:latest"))
    d = ok(docker("system", "df")).stdout.decode()
    lines = d.splitlines()
    assert lines[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], d
    assert lines[1].split()[:3] == ["Images", "2", "1"], d
    assert lines[2].split()[:3] == ["Containers", "2", "1"], d
    assert lines[3].split()[:4] == ["Local", "Volumes", "0", "0"], d
    assert lines[4].split() == ["Build", "Cache", "0", "0", "0B", "0B"], d
    assert berth(berthd, "system", "df").stdout.decode() == d
    v = ok(docker("system", "df", "-v")).stdout.decode()
    assert "df-exited" in v and "df-running" in v and "other" in v, v
    # The same tables; "N seconds ago" may tick between the two calls, so a few tries.
    for _ in range(3):
        bv = berth(berthd, "system", "df", "-v").stdout.decode()
        v = ok(docker("system", "df", "-v")).stdout.decode()
        if bv == v:
            break
    assert bv == v
    r = ok(docker("system", "prune", "-f"))
    out = r.stdout.decode()
    assert "Deleted Containers:" in out and "Total reclaimed space:" in out, out
    names = ok(docker("ps", "-a", "--format", "{{.Names}}")).stdout.decode().split()
    assert names == ["df-running"]
    # berth system prune -a -f: the unused tagged image goes too.
    r = berth(berthd, "system", "prune", "-a", "-f")
    assert r.returncode == 0, r.stderr
    assert "Deleted Images:" in r.stdout.decode() and "other:latest" in r.stdout.decode(), r.stdout
    assert ok(docker("images", "-q", "other")).stdout == b""


def test_prune_prompts_as_docker_does(berthd, docker):  # noqa: F811
    ok(docker("create", "--name", "p-prompt", "busybox", "true"))
    for args in (["container", "prune"], ["system", "prune"], ["system", "prune", "-a", "--volumes"]):
        d = docker(*args, input=b"n\n")
        b = berth(berthd, *args, input=b"n\n")
        assert (b.returncode, b.stdout, b.stderr) == (d.returncode, d.stdout, d.stderr), args
    # Declined: nothing was removed. Accepted: it goes.
    assert ok(docker("ps", "-aq")).stdout.strip() != b""
    b = berth(berthd, "container", "prune", input=b"y\n")
    assert b.returncode == 0 and b"Deleted Containers:" in b.stdout, b.stdout
    assert ok(docker("ps", "-aq")).stdout.strip() == b""


def test_system_prune_prints_what_docker_prints(berthd, docker):  # noqa: F811
    """The same state pruned by docker and then by berth: the same report, IDs aside."""
    import re

    def make_state():
        ok(docker("run", "--name", "sp-exited", "busybox", "sh", "-c", "echo data > /file"))
        ok(docker("commit", "sp-exited"))                       # a dangling image
        ok(docker("network", "create", "sp-unused"))

    def normal(text):
        # IDs differ, and so may the compressed layer's size by a few bytes (file times).
        text = re.sub(r"[0-9a-f]{64}", "<id>", text)
        return re.sub(r"Total reclaimed space: [0-9.]+kB", "Total reclaimed space: <n>kB", text)

    ok(docker("run", "-d", "--name", "sp-running", "busybox", "sleep", "300"))
    make_state()
    d = ok(docker("system", "prune", "-f")).stdout.decode()
    make_state()
    b = berth(berthd, "system", "prune", "-f")
    assert b.returncode == 0, b.stderr
    assert "Deleted Containers:" in d and "Deleted Networks:\nsp-unused\n" in d and "Deleted Images:" in d, d
    assert normal(b.stdout.decode()) == normal(d)
    # --volumes prunes anonymous volumes no container uses (API >= 1.42); named ones stay.
    def make_volumes():
        ok(docker("volume", "create", "sp-named"))
        cid = ok(docker("create", "-v", "/data", "-v", "sp-named:/named", "busybox", "true")).stdout.decode().strip()
        anon = [m["Name"] for m in json.loads(ok(docker("inspect", cid)).stdout)[0]["Mounts"] if m["Destination"] == "/data"]
        ok(docker("rm", cid))
        return anon[0]

    anon = make_volumes()
    d = ok(docker("system", "prune", "-f", "--volumes")).stdout.decode()
    assert f"Deleted Volumes:\n{anon}\n" in d, d
    anon = make_volumes()
    b = berth(berthd, "system", "prune", "-f", "--volumes")
    assert b.returncode == 0, b.stderr
    assert f"Deleted Volumes:\n{anon}\n" in b.stdout.decode()
    assert normal(b.stdout.decode()) == normal(d)
    assert ok(docker("volume", "ls", "-q")).stdout.decode().split() == ["sp-named"]


def test_system_df_counts_volumes(berthd, docker):  # noqa: F811
    ok(docker("volume", "create", "df-idle"))
    ok(docker("run", "--name", "df-user", "-v", "df-used:/d", "busybox", "sh", "-c", "head -c 4096 /dev/zero > /d/f"))
    d = ok(docker("system", "df")).stdout.decode()
    row = d.splitlines()[3].split()
    assert row[:4] == ["Local", "Volumes", "2", "1"], d
    assert row[4] == "4.096kB", d
    assert berth(berthd, "system", "df").stdout.decode() == d
    v = ok(docker("system", "df", "-v")).stdout.decode()
    assert "df-idle" in v and "df-used" in v, v
    assert berth(berthd, "system", "df", "-v").stdout.decode().split("Local Volumes space usage:")[1] == \
        v.split("Local Volumes space usage:")[1]
