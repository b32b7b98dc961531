"""10,000 randomized Engine API requests against a test berthd: random routes and methods,
mutated create/exec bodies, random query strings, invalid IDs, truncated bodies, bad
Content-Length and broken HTTP. Afterwards the same daemon still answers, and every container
it has is whole: inspectable, with its container.json, no stray shim or mount.

Seeded (BERTH_FUZZ_SEED, default 5) and bounded: BERTH_FUZZ_COUNT requests (10,000), at most
BERTH_FUZZ_SECONDS (60) of sending. A failure prints the seed and the last requests."""
import json
import os
import random
import re
import socket
import threading
import time
from collections import deque
from pathlib import Path

from fixtures.cleanup import find_cgroup_dirs, find_mounts_under, find_processes
from test_docker_clients import docker  # noqa: F401  (the fixture)

SEED = int(os.environ.get("BERTH_FUZZ_SEED", "5"))
COUNT = int(os.environ.get("BERTH_FUZZ_COUNT", "10000"))
SECONDS = float(os.environ.get("BERTH_FUZZ_SECONDS", "60"))
WORKERS = 4

ROUTES = [
    ("GET", "/_ping"), ("HEAD", "/_ping"), ("GET", "/version"), ("GET", "/info"), ("GET", "/images/json"),
    ("GET", "/containers/json"), ("POST", "/containers/create"), ("POST", "/containers/create"),
    ("POST", "/containers/create"), ("GET", "/containers/{id}/json"), ("GET", "/containers/{id}/logs"),
    ("GET", "/containers/{id}/top"), ("POST", "/containers/{id}/start"), ("POST", "/containers/{id}/start"),
    ("POST", "/containers/{id}/stop"), ("POST", "/containers/{id}/restart"), ("POST", "/containers/{id}/kill"),
    ("POST", "/containers/{id}/pause"), ("POST", "/containers/{id}/unpause"), ("POST", "/containers/{id}/rename"),
    ("POST", "/containers/{id}/resize"), ("POST", "/containers/{id}/wait"), ("POST", "/containers/{id}/attach"),
    ("POST", "/containers/{id}/exec"), ("POST", "/containers/{id}/exec"), ("DELETE", "/containers/{id}"),
    ("POST", "/exec/{id}/start"), ("POST", "/exec/{id}/resize"), ("GET", "/exec/{id}/json"),
    ("POST", "/images/create"), ("GET", "/nosuch/route"), ("POST", "/containers/{id}/nosuch"),
]
# Routes that may hold the connection open (streams, waits): short client timeouts.
SLOW = ("/wait", "/attach", "/logs", "/exec/", "/stop", "/restart")
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "BREW"]
VERSIONS = ["", "", "", "", "", "", "", "/v1.44", "/v1.44", "/v1.41", "/v1.12", "/v9.99", "/vx", "/v1.", "/v1.44/v1.44"]
QUERY_KEYS = ["name", "t", "timeout", "signal", "force", "v", "all", "filters", "limit", "size", "stdout", "stderr",
              "follow", "tail", "timestamps", "since", "h", "w", "condition", "stream", "stdin", "logs",
              "detachKeys", "fromSrc", "repo", "tag", "message", "changes"]
CMDS = [["true"], ["sleep", "2"], ["sh", "-c", "exit 3"], ["sh", "-c", "echo hi; echo err >&2"], ["nosuchcmd"],
        ["sleep", "1000"], "true", [], ["cat"]]
CREATE_KEYS = ["Image", "Cmd", "Entrypoint", "Env", "User", "WorkingDir", "Hostname", "Labels", "Tty", "OpenStdin",
               "StdinOnce", "StopSignal", "StopTimeout", "AttachStdout", "Domainname"]
HOST_KEYS = ["Binds", "Memory", "MemorySwap", "NanoCpus", "CpuShares", "PidsLimit", "Privileged", "ReadonlyRootfs",
             "CapAdd", "CapDrop", "SecurityOpt", "Init", "Tmpfs", "Ulimits", "PortBindings", "NetworkMode",
             "AutoRemove"]
EXEC_KEYS = ["Cmd", "Env", "User", "WorkingDir", "Tty", "Privileged", "AttachStdin", "AttachStdout", "Detach"]


class Fuzzer:
    def __init__(self, berthd, seed, scratch):
        self.berthd = berthd
        self.rng = random.Random(seed)
        self.scratch = scratch
        self.ids = []        # container IDs and names seen
        self.execs = []      # exec IDs seen
        self.statuses = {}
        self.errors = []     # 500 answers: (method, path, body, response body)
        self.last = deque(maxlen=20)

    # --- values --------------------------------------------------------------------------
    def scalar(self):
        r = self.rng
        return r.choice([None, True, False, 0, 1, -1, 7, 2**31, 2**63 - 1, -2**63, 2**64, 1.5, -0.0, 1e308, "",
                         "x", "busybox", "/", "ALL", "SIGKILL", "9", "nofile", "none", "host", "a" * 5000,
                         "\u0000", "\u00e9\u4e2d", "../..", "%00", "1000:1000", "root", "/tmp"])

    def value(self, depth=0):
        r = self.rng
        k = r.random()
        if depth > 3 or k < 0.6:
            return self.scalar()
        if k < 0.8:
            return [self.value(depth + 1) for _ in range(r.randrange(4))]
        return {r.choice(["a", "Name", "Soft", "Hard", "HostPort", "/run", "80/tcp", ""]): self.value(depth + 1)
                for _ in range(r.randrange(4))}

    def host_value(self, key):
        r = self.rng
        sensible = {
            "Binds": [[f"{self.scratch}/b{r.randrange(3)}:/mnt"], [f"{self.scratch}/c:/c:ro"], [":/x"], ["/a:rel"]],
            "Memory": [0, 6 << 20, 1024, -5, 2**63 - 1], "MemorySwap": [-1, 0, 2**63 - 1],
            "NanoCpus": [0, 5 * 10**8, 2**63 - 1, -1], "CpuShares": [0, 512, 2**63 - 1], "PidsLimit": [0, 50, -1],
            "CapAdd": [["NET_ADMIN"], ["ALL"], ["NOPE"]], "CapDrop": [["ALL"], ["CHOWN"]],
            "SecurityOpt": [["no-new-privileges"], ["seccomp=unconfined"], ["seccomp={\"defaultAction\":1}"],
                            ["seccomp=/nonexistent"], ["bogus"], ["apparmor=x"]],
            "Tmpfs": [{"/run": "size=1m"}, {"rel": ""}, {"/dev/shm": "size=x"}, {"/t": "mode=0777,size=64k"}],
            "Ulimits": [[{"Name": "nofile", "Soft": 100, "Hard": 200}], [{"Name": "bogus", "Soft": 1, "Hard": 1}],
                        [{"Name": "nofile", "Soft": -1, "Hard": -1}], [{"Name": "nproc", "Soft": 9, "Hard": 1}]],
            "PortBindings": [{"80/tcp": [{"HostPort": "8080"}]}, {"99999": None}, {"80/tcp": [{"HostPort": "x"}]}],
            "NetworkMode": ["none", "host", "default", "bridge", "container:x"],
        }.get(key)
        if sensible and r.random() < 0.8:
            return r.choice(sensible)
        return self.value()

    def create_body(self):
        r = self.rng
        body = {"Image": r.choice(["busybox", "busybox", "busybox:latest", "nosuch", ""]), "Cmd": r.choice(CMDS)}
        host = {}
        if r.random() < 0.5:   # mostly valid: containers that get created, started, stopped
            body["Image"] = "busybox"
            for _ in range(r.randrange(3)):
                key = r.choice(HOST_KEYS[:15])
                host[key] = self.host_value(key)
            body["HostConfig"] = host
            return body
        for _ in range(r.randrange(4)):
            key = r.choice(CREATE_KEYS)
            body[key] = r.choice(CMDS) if key in ("Cmd", "Entrypoint") and r.random() < 0.5 else self.value()
        for _ in range(r.randrange(4)):
            key = r.choice(HOST_KEYS)
            host[key] = self.host_value(key)
        if host or r.random() < 0.5:
            body["HostConfig"] = host if r.random() < 0.9 else self.value()
        if r.random() < 0.05:
            body = self.value()
        return body

    def exec_body(self):
        r = self.rng
        body = {"Cmd": r.choice(CMDS), "AttachStdout": r.random() < 0.5, "AttachStderr": r.random() < 0.5}
        for _ in range(r.randrange(3)):
            body[r.choice(EXEC_KEYS)] = self.value()
        return body

    def ident(self):
        r = self.rng
        k = r.random()
        if self.ids and k < 0.55:
            ref = r.choice(self.ids)
            return ref[:r.randrange(1, 13)] if len(ref) == 64 and r.random() < 0.3 else ref
        if self.execs and k < 0.65:
            return r.choice(self.execs)
        return r.choice(["", "0", "a", "nosuch", "%2F", "..", "%00", "x" * 300, "%zz", "\u00e9", "-", "/",
                         "".join(r.choice("0123456789abcdef") for _ in range(64)), "sha256:" + "0" * 64])

    def query(self, path):
        r = self.rng
        if r.random() < 0.3:
            return ""
        items = []
        for _ in range(r.randrange(1, 5)):
            key = r.choice(QUERY_KEYS)
            val = r.choice(["", "1", "0", "true", "-1", "9223372036854775807", "99999999999999999999", "abc",
                            "%zz", "%", "SIGTERM", "KILL", "bogus", "not-running", "next-exit", "removed",
                            "fz" + str(r.randrange(50)), '{"status":["exited"]}', '{"label":["a=b"]}', "{",
                            '{"bogus":["x"]}', "ctrl-p,ctrl-q", "-", "2", "100000"])
            if key in ("t", "timeout") and r.random() < 0.8:
                val = r.choice(["0", "1", "-1", "9223372036854775807", "x"])
            items.append(f"{key}={val}")
        return "?" + "&".join(items)

    # --- requests ------------------------------------------------------------------------
    def body_for(self, path, method):
        r = self.rng
        if method not in ("POST", "PUT", "PATCH") and r.random() < 0.9:
            return None
        if path.endswith("/containers/create"):
            obj = self.create_body()
            if r.random() < 0.5:
                return json.dumps(obj).encode()
        elif path.endswith("/exec"):
            obj = self.exec_body()
        elif "/exec/" in path and path.endswith("/start"):
            obj = {"Detach": r.random() < 0.7, "Tty": r.random() < 0.2}
        elif path.endswith("/images/create"):
            return bytes(r.randrange(256) for _ in range(r.randrange(600)))
        else:
            obj = self.value()
        data = json.dumps(obj).encode()
        k = r.random()
        if k < 0.08:
            data = data[:r.randrange(len(data) + 1)]           # truncated JSON
        elif k < 0.12:
            i = r.randrange(len(data) + 1)
            data = data[:i] + bytes([r.randrange(256)]) + data[i:]
        elif k < 0.14:
            data = bytes(r.randrange(256) for _ in range(r.randrange(64)))
        return data

    def one(self):
        r = self.rng
        method, pattern = r.choice(ROUTES)
        if r.random() < 0.1:
            method = r.choice(METHODS)
        path = pattern.replace("{id}", self.ident())
        if pattern.startswith("/images/create") and "fromSrc" not in path:
            path += "?fromSrc=-&repo=fz" + str(r.randrange(5))
        else:
            path += self.query(path)
        path = r.choice(VERSIONS) + path
        body = self.body_for(path, method)
        if r.random() < 0.12:
            return self.raw(method, path, body)
        return self.http(method, path, body)

    def send(self, data, timeout):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(str(self.berthd.socket))
            if data:
                s.sendall(data)
            out = b""
            while len(out) < 65536:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if self.complete(out):
                    break
            return out
        except (socket.timeout, ConnectionError, BrokenPipeError):
            return None
        finally:
            s.close()

    @staticmethod
    def complete(out):
        head, sep, rest = out.partition(b"\r\n\r\n")
        if not sep:
            return False
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if m:
            return len(rest) >= int(m.group(1))
        if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
            return rest.endswith(b"0\r\n\r\n")
        return head.startswith(b"HTTP/1.1 204") or head.startswith(b"HTTP/1.1 304") or b" 101 " in head[:20]

    def http(self, method, path, body):
        target = path.encode("utf-8", "surrogateescape")
        req = method.encode() + b" " + target + b" HTTP/1.1\r\nHost: berth\r\n"
        if self.rng.random() < 0.1:
            req += b"Connection: Upgrade\r\nUpgrade: tcp\r\n"
        if body is not None:
            req += b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
        req += b"Connection: close\r\n\r\n" + (body or b"")
        timeout = 0.3 if any(s in path for s in SLOW) else 15
        out = self.send(req, timeout)
        self.last.append((method, path[:120], (body or b"")[:120], out[:60] if out else out))
        if out and out[9:12] == b"500":
            self.errors.append((method, path[:200], (body or b"")[:300], out.partition(b"\r\n\r\n")[2][:300]))
        if out:
            self.learn(path, out)
        return out

    def raw(self, method, path, body):
        r = self.rng
        body = body or b'{"Image": "busybox"}'
        target = path.encode("utf-8", "surrogateescape")
        head = method.encode() + b" " + target + b" HTTP/1.1\r\nHost: berth\r\n"
        cases = [
            head + b"Content-Length: " + str(len(body) + 50).encode() + b"\r\n\r\n" + body,   # truncated body
            head + b"Content-Length: abc\r\n\r\n" + body,
            head + b"Content-Length: -5\r\n\r\n" + body,
            head + b"Content-Length: 99999999999999999999\r\n\r\n" + body,
            head + b"Content-Length: 3\r\nContent-Length: 9\r\n\r\n" + body,
            head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + b"\r\n0\r\n\r\n",
            head + b"Transfer-Encoding: chunked\r\n\r\n" + hex(len(body) + 9)[2:].encode() + b"\r\n" + body,
            head + b"X-Long: " + b"a" * r.choice([100, 10000, 200000]) + b"\r\n\r\n",
            head + b"NoColonHeader\r\n\r\n",
            b"GARBAGE\r\n\r\n", b"\x00\xff\xfe" * 20, b"GET / HTTP/9.9\r\n\r\n", b"GET\r\n\r\n", b"",
            head + b"\r\n" + head + b"\r\n",   # pipelined
            bytes(r.randrange(256) for _ in range(r.randrange(200))),
        ]
        data = r.choice(cases)
        if r.random() < 0.3:
            data = data[:r.randrange(len(data) + 1)]
        out = self.send(data, 0.3)
        self.last.append(("RAW", data[:120], b"", out[:60] if out else out))
        return out

    def learn(self, path, out):
        status = out[9:12].decode(errors="replace")
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == "201" and b'"Id"' in out:
            m = re.search(rb'"Id":"([0-9a-f]{64})"', out)
            if m:
                (self.execs if "/exec" in path else self.ids).append(m.group(1).decode())


def berthd_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], fields[19]   # state, start time


def test_fuzz_api(berthd, docker, tmp_path):  # noqa: F811
    state, started = berthd_state(berthd.pid)
    # A few real containers to aim at: running, exited, created.
    pool = []
    for args in (["run", "-d", "--name", "fz-run", "busybox", "sleep", "1000"],
                 ["run", "--name", "fz-exit", "busybox", "sh", "-c", "exit 2"],
                 ["create", "--name", "fz-created", "busybox", "sleep", "1000"]):
        docker(*args)
    pool = docker("ps", "-aq", "--no-trunc").stdout.decode().split() + ["fz-run", "fz-exit", "fz-created"]

    fuzzers = [Fuzzer(berthd, SEED * 100 + i, tmp_path) for i in range(WORKERS)]
    for f in fuzzers:
        f.ids = list(pool)
    sent = [0] * WORKERS
    deadline = time.monotonic() + SECONDS

    def work(i):
        f = fuzzers[i]
        while sent[i] < COUNT // WORKERS and time.monotonic() < deadline:
            f.one()
            sent[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    statuses = {}
    for f in fuzzers:
        for k, v in f.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    last = [x for f in fuzzers for x in f.last]
    context = f"seed {SEED}, {sum(sent)} requests in {elapsed:.1f}s, statuses {sorted(statuses.items())}, last: {last[-12:]}"
    print(context)
    for e in (e for f in fuzzers for e in f.errors):
        print("500:", e)

    # The daemon never crashed: same process, still answering.
    assert berthd.ping(timeout=10), context + "\n" + berthd.log_tail()
    now_state, now_started = berthd_state(berthd.pid)
    assert now_state != "Z" and now_started == started, context
    assert sum(sent) >= COUNT or elapsed >= SECONDS, context
    assert "500" not in statuses or statuses["500"] < sum(sent), context
    assert_whole(berthd)

    # Everything goes away cleanly with a force remove.
    ids = [c["Id"] for c in berthd.request("GET", "/containers/json?all=1").json()]
    for cid in ids:
        r = berthd.request("DELETE", f"/containers/{cid}?force=1", timeout=60)
        assert r.status in (204, 404), (cid, r.status, r.body)
    assert berthd.request("GET", "/containers/json?all=1").json() == []
    assert os.listdir(berthd.data_root / "containers") == []
    assert find_mounts_under(berthd.data_root / "containers") == []
    time.sleep(0.5)
    left = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:300] for p in find_processes(cmdline_contains=str(berthd.base))
            if p != berthd.pid}
    assert left == {}, left
    for cid in ids:
        assert find_cgroup_dirs(cid) == [], cid


def assert_whole(berthd):
    """Every container listed inspects; every directory is a listed container with its
    container.json; every running container has its shim, and every shim and rootfs mount
    belongs to a running container."""
    listed = berthd.request("GET", "/containers/json?all=1").json()
    ids = {c["Id"] for c in listed}
    for c in listed:
        r = berthd.request("GET", f"/containers/{c['Id']}/json")
        assert r.status == 200, (c["Id"], r.status, r.body)
        info = r.json()
        assert info["Id"] == c["Id"] and info["State"]["Status"] in ("created", "running", "paused", "exited")
    dirs = set(os.listdir(berthd.data_root / "containers"))
    assert dirs == ids, (dirs ^ ids)
    for d in dirs:
        assert (berthd.data_root / "containers" / d / "container.json").is_file(), d
    # A shim whose container exited a moment ago may still be on its way out: give it time.
    for _ in range(50):
        stray = shim_ids(berthd) - running_ids(berthd)
        if not stray:
            break
        time.sleep(0.1)
    assert not stray, stray
    running = running_ids(berthd)
    assert running <= shim_ids(berthd), running - shim_ids(berthd)
    for m in find_mounts_under(berthd.data_root / "containers"):
        cid = Path(m.mount_point).relative_to(berthd.data_root / "containers").parts[0]
        assert cid in running, (m.mount_point, cid)


def running_ids(berthd):
    return {c["Id"] for c in berthd.request("GET", "/containers/json").json()}


def shim_ids(berthd):
    """The container IDs of the berth-shims this daemon started."""
    ids = set()
    for pid in find_processes(cmdline_contains=str(berthd.base)):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"berth-shim") and b"--id" in cmd:
            ids.add(cmd[cmd.index(b"--id") + 1].decode())
    return ids
