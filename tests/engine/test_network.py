"""Networking through the docker CLI against a test berthd (issue 7's acceptance): published
ports reached with curl on 127.0.0.1, `docker port`, user networks with name and alias
resolution and isolation, `--link`, the none/host/container modes, bad input, and 100
lifecycles that leave no veth, netns, firewall rule or lease behind.

Each test daemon gets its own bridge name, default subnet and address pool (random, clear of
the host's routes), so concurrent daemons never share a bridge. Tests talk only to 127.0.0.1
and to containers they made."""
from __future__ import annotations

import ipaddress
import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from fixtures.berthd import berth_binary, run_berthd
from fixtures.host import require_root

from test_docker_clients import rootfs_tar

NETAVARK = "/usr/lib/podman/netavark"
# One HTTP request with busybox nc; a few tries, for a loaded machine.
PROBE = "for i in 1 2 3; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {} 80 && break; sleep 1; done"
HTTPD = ["sh", "-c", "mkdir -p /www && echo hello from $(hostname) > /www/index.html && exec httpd -f -p 80 -h /www"]


def host_routes() -> list[ipaddress.IPv4Network]:
    out = subprocess.run(["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True).stdout
    nets = []
    for line in out.splitlines():
        first = line.split()[0] if line.split() else ""
        if first in ("local", "broadcast"):
            first = line.split()[1]
        try:
            if first != "default":
                nets.append(ipaddress.ip_network(first, strict=False))
        except ValueError:
            pass
    return nets


def free_block() -> ipaddress.IPv4Network:
    """A random 10.x.y.0/20 that no host route overlaps."""
    routes = host_routes()
    for _ in range(200):
        net = ipaddress.ip_network(f"10.{random.randint(160, 250)}.{random.randrange(0, 256, 16)}.0/20")
        if not any(net.overlaps(r) for r in routes):
            return net
    raise RuntimeError("no free 10.x block")


class Net:
    """A test daemon with its own default bridge and pool, and the docker CLI pointed at it."""

    def __init__(self, daemon, block: ipaddress.IPv4Network, bridge: str):
        self.daemon, self.block, self.bridge = daemon, block, bridge
        subnets = list(block.subnets(new_prefix=24))
        self.bridge_subnet = subnets[0]
        self.env = daemon.env

    def docker(self, *args, input=None, timeout=60):
        return subprocess.run(["docker", *args], env=self.env, input=input, capture_output=True, timeout=timeout)

    def ok(self, *args, **kw) -> str:
        r = self.docker(*args, **kw)
        assert r.returncode == 0, f"docker {' '.join(args)}: {r.stderr.decode()}"
        return r.stdout.decode()

    def sandboxes(self) -> list[str]:
        return sorted(os.listdir(self.daemon.data_root / "network" / "sandboxes"))

    def counts(self) -> dict[str, int]:
        """What a container's network leaves on the host, limited to this daemon's addresses."""
        prefix = ".".join(str(self.block.network_address).split(".")[:2]) + "."
        rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
        veths = subprocess.run(["ip", "-o", "link", "show", "type", "veth"], capture_output=True, text=True).stdout
        bridges = self.bridges()
        return {
            "veths": sum(1 for line in veths.splitlines() if any(f"master {b} " in line for b in bridges)),
            "netns": len(os.listdir(self.daemon.data_root / "network" / "run" / "netns")),
            "rules": sum(1 for line in rules.splitlines() if prefix in line),
            "leases": len(self.sandboxes()),
        }

    def bridges(self) -> list[str]:
        return [self.bridge] + [n["Options"].get("com.docker.network.bridge.name") or "br-" + n["Id"][:12]
                                for n in json.loads(self.ok("network", "inspect", *self.user_networks()) or "[]")] \
            if self.user_networks() else [self.bridge]

    def user_networks(self) -> list[str]:
        return [n for n in self.ok("network", "ls", "--format", "{{.Name}}").split() if n not in ("bridge", "host", "none")]


@pytest.fixture
def net(busybox_rootfs):
    yield from network_daemon(busybox_rootfs)


def network_daemon(busybox_rootfs, env: dict[str, str] | None = None):
    """The `net` fixture's body: a daemon with its own bridge and pool, busybox imported."""
    require_root()
    if not shutil.which("docker"):
        pytest.skip("the docker CLI is not installed")
    if not os.access(NETAVARK, os.X_OK):
        pytest.skip("netavark is not installed (apt-get install netavark aardvark-dns)")
    binary = berth_binary("berthd")
    if binary is None:
        pytest.skip("berthd is not built")
    block = free_block()
    subnets = list(block.subnets(new_prefix=24))
    bridge = "bt%06x" % random.randrange(1 << 24)
    config = {"bridge": bridge, "bip": f"{subnets[0].network_address + 1}/24",
              "default-address-pools": [{"base": f"{subnets[8].network_address}/21", "size": 24}]}
    with run_berthd(binary=binary, daemon_config=config, env=env) as daemon:
        n = Net(daemon, block, bridge)
        n.ok("import", "-c", "ENV PATH=/bin", "-c", 'CMD ["sh"]', "-", "busybox:latest", input=rootfs_tar(busybox_rootfs))
        try:
            yield n
        finally:
            if daemon.ping():
                ids = n.docker("ps", "-aq").stdout.decode().split()
                if ids:
                    n.docker("rm", "-f", *ids)
                for name in n.user_networks():
                    n.docker("network", "rm", name)
    # A clean stop with nothing running takes the bridges down.
    assert subprocess.run(["ip", "link", "show", bridge], capture_output=True).returncode != 0


def curl(url: str, tries: int = 50) -> str:
    for _ in range(tries):
        r = subprocess.run(["curl", "-s", "-m", "2", url], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout:
            return r.stdout
        time.sleep(0.1)
    raise AssertionError(f"curl {url}: {r.returncode} {r.stderr}")


def free_port() -> int:
    import socket
    for _ in range(100):
        p = random.randint(20000, 30000)
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", p))
                return p
            except OSError:
                continue
    raise RuntimeError("no free port")


def test_publish_port_curl_ps_port_inspect(net):
    port = 18080
    with __import__("socket").socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            port = free_port()   # someone else's 18080; the behaviour is the same
    net.ok("run", "-d", "--name", "web", "-p", f"{port}:80", "busybox", *HTTPD)
    assert curl(f"http://127.0.0.1:{port}/").startswith("hello from ")
    ps = net.ok("ps")
    assert f"0.0.0.0:{port}->80/tcp" in ps
    assert net.ok("port", "web").strip() == f"80/tcp -> 0.0.0.0:{port}"
    s = json.loads(net.ok("inspect", "web"))[0]["NetworkSettings"]
    assert ipaddress.ip_address(s["IPAddress"]) in net.bridge_subnet
    assert s["Gateway"] == str(net.bridge_subnet.network_address + 1)
    assert s["MacAddress"].startswith("02:42:")
    assert s["Ports"] == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(port)}]}
    assert s["Networks"]["bridge"]["IPAddress"] == s["IPAddress"]
    # The container's own files: hostname, its address in /etc/hosts, the host's resolvers.
    out = net.ok("exec", "web", "sh", "-c", "hostname; cat /etc/hosts; cat /etc/resolv.conf")
    cid = net.ok("inspect", "-f", "{{.Id}}", "web").strip()
    assert out.startswith(cid[:12]) and f"{s['IPAddress']}\t{cid[:12]}" in out and "nameserver" in out

    # The same host port again: Docker's error; the container stays created, nothing leaks.
    before = net.counts()
    r = net.docker("run", "-d", "--name", "web2", "-p", f"{port}:80", "busybox", *HTTPD)
    assert r.returncode == 125 and b"port is already allocated" in r.stderr, r.stderr
    assert net.counts() == before


def test_loopback_random_port_and_dash_P(net):
    net.ok("run", "-d", "--name", "lo", "-p", "127.0.0.1::80", "busybox", *HTTPD)
    addr = net.ok("port", "lo", "80").strip()
    ip, port = addr.rsplit(":", 1)
    assert ip == "127.0.0.1" and 32768 <= int(port) <= 60999
    assert curl(f"http://{addr}/").startswith("hello")
    net.ok("run", "-d", "--name", "all", "--expose", "80", "--expose", "81/udp", "-P", "busybox", *HTTPD)
    ports = json.loads(net.ok("inspect", "all"))[0]["NetworkSettings"]["Ports"]
    assert set(ports) == {"80/tcp", "81/udp"} and all(v[0]["HostIp"] == "0.0.0.0" for v in ports.values())
    assert curl(f"http://127.0.0.1:{ports['80/tcp'][0]['HostPort']}/").startswith("hello")
    net.ok("run", "-d", "--name", "one", "-p", "80", "busybox", *HTTPD)
    assert net.ok("port", "one", "80/tcp").strip().startswith("0.0.0.0:")


def test_user_networks_names_aliases_isolation(net):
    net.ok("network", "create", "neta")
    net.ok("network", "create", "--subnet", str(list(net.block.subnets(new_prefix=24))[5]), "--label", "k=v", "netb")
    net.ok("run", "-d", "--name", "srv", "--network", "neta", "--network-alias", "db", "busybox", *HTTPD)
    probe = PROBE
    for name in ("srv", "db"):
        out = net.ok("run", "--rm", "--network", "neta", "busybox", "sh", "-c", probe.format(name))
        assert "hello from" in out, name
    srv_ip = json.loads(net.ok("inspect", "srv"))[0]["NetworkSettings"]["Networks"]["neta"]["IPAddress"]
    r = net.docker("run", "--rm", "--network", "netb", "busybox", "sh", "-c", probe.format(srv_ip))
    assert b"hello from" not in r.stdout
    r = net.docker("run", "--rm", "--network", "netb", "busybox", "nslookup", "srv")
    assert srv_ip.encode() not in r.stdout
    # connect with an alias: now reachable from netb by that alias; disconnect removes it.
    net.ok("network", "connect", "--alias", "cache", "netb", "srv")
    out = net.ok("run", "--rm", "--network", "netb", "busybox", "sh", "-c", probe.format("cache"))
    assert "hello from" in out
    ins = json.loads(net.ok("network", "inspect", "netb"))[0]
    assert ins["Labels"] == {"k": "v"} and len(ins["Containers"]) == 1
    net.ok("network", "disconnect", "netb", "srv")
    assert json.loads(net.ok("network", "inspect", "netb"))[0]["Containers"] == {}
    # In use: refused with Docker's words; prune keeps it, removes netb.
    r = net.docker("network", "rm", "neta")
    assert r.returncode != 0 and b"has active endpoints" in r.stderr
    assert "netb" in net.ok("network", "prune", "-f")
    net.ok("rm", "-f", "srv")
    net.ok("network", "rm", "neta")


def test_link_alias_and_env(net):
    net.ok("run", "-d", "--name", "web", "--expose", "80", "-e", "GREETING=hi", "busybox", *HTTPD)
    out = net.ok("run", "--rm", "--link", "web:alias", "busybox", "sh", "-c",
                 "cat /etc/hosts; env; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 alias 80")
    ip = json.loads(net.ok("inspect", "web"))[0]["NetworkSettings"]["IPAddress"]
    assert f"{ip}\talias" in out
    assert f"ALIAS_PORT_80_TCP=tcp://{ip}:80" in out and "ALIAS_ENV_GREETING=hi" in out and "ALIAS_NAME=/" in out
    assert "hello from" in out


def test_dns_search_add_host(net):
    out = net.ok("run", "--rm", "--dns", "10.9.9.9", "--dns-search", "example.test", "--add-host", "db.test:10.1.2.3",
                 "--hostname", "box", "busybox", "sh", "-c", "cat /etc/resolv.conf /etc/hosts /etc/hostname")
    assert "nameserver 10.9.9.9" in out and "search example.test" in out
    assert "10.1.2.3\tdb.test" in out and out.rstrip().endswith("box")
    net.ok("network", "create", "dnsnet")
    gw = json.loads(net.ok("network", "inspect", "dnsnet"))[0]["IPAM"]["Config"][0]["Gateway"]
    out = net.ok("run", "--rm", "--network", "dnsnet", "busybox", "cat", "/etc/resolv.conf")
    assert f"nameserver {gw}" in out


def test_modes_none_host_container(net):
    out = net.ok("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link")
    assert [line.split(":")[1].strip() for line in out.splitlines()] == ["lo"]
    host = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    out = net.ok("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link")
    names = lambda t: sorted(line.split(":")[1].strip().split("@")[0] for line in t.splitlines())  # noqa: E731
    assert set(names(out)) & set(names(host)) >= {"lo", "eth0"}
    net.ok("run", "-d", "--name", "xx", "busybox", "sleep", "100")
    mine = net.ok("exec", "xx", "ip", "-o", "-4", "addr", "show", "eth0").split()[3]
    out = net.ok("run", "--rm", "--network", "container:xx", "busybox", "ip", "-o", "-4", "addr", "show", "eth0")
    assert out.split()[3] == mine
    r = net.docker("run", "--rm", "--network", "container:xx", "-p", "80:80", "busybox", "true")
    assert r.returncode == 125 and b"conflicting options" in r.stderr


def test_bad_input(net):
    before = net.counts()
    r = net.docker("run", "--rm", "-p", "80:80:80:80", "busybox", "true")
    assert r.returncode == 125 and b"invalid" in r.stderr.lower()
    r = net.daemon.request("POST", "/containers/create", body={"Image": "busybox", "HostConfig": {"PortBindings": {"abc/tcp": []}}})
    assert r.status == 400 and "invalid port specification" in r.json()["message"]
    sub = str(list(net.block.subnets(new_prefix=24))[6])
    net.ok("network", "create", "--subnet", sub, "n1")
    r = net.docker("network", "create", "--subnet", sub, "n2")
    assert r.returncode != 0 and b"Pool overlaps with other one on this address space" in r.stderr
    r = net.docker("network", "create", "--subnet", "10.1.2.3/33", "n3")
    assert r.returncode != 0
    r = net.docker("network", "create", "n1")
    assert r.returncode != 0 and b"already exists" in r.stderr
    r = net.docker("run", "--rm", "--network", "nosuchnet", "busybox", "true")
    assert r.returncode == 125 and b"network nosuchnet not found" in r.stderr
    r = net.docker("network", "rm", "bridge")
    assert r.returncode != 0 and b"pre-defined network" in r.stderr
    net.ok("network", "rm", "n1")
    net.docker("rm", "-f", *net.docker("ps", "-aq").stdout.decode().split())
    assert net.counts() == before


def wait_counts(net, expected, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = net.counts()
        if now == expected:
            return now
        time.sleep(0.2)
    return net.counts()


def test_100_lifecycles_leak_nothing(net):
    net.ok("network", "create", "cycles")
    net.ok("run", "--rm", "busybox", "true")               # bridges and anchors exist from here on
    net.ok("run", "--rm", "--network", "cycles", "busybox", "true")
    before = wait_counts(net, net.counts())
    for i in range(50):
        net.ok("run", "--rm", "busybox", "true")
        net.ok("run", "--rm", "--network", "cycles", "-p", "80", "busybox", "true")
    for i in range(5):   # and the other paths out: stop, kill, rm -f
        net.ok("run", "-d", "--name", f"s{i}", "-p", "80", "busybox", "sleep", "100")
        net.ok("kill", f"s{i}") if i % 2 else net.ok("stop", "-t", "0", f"s{i}")
        net.ok("wait", f"s{i}")
        net.ok("rm", f"s{i}")
    net.ok("run", "-d", "--name", "ff", "--network", "cycles", "busybox", "sleep", "100")
    net.ok("rm", "-f", "ff")
    assert wait_counts(net, before) == before


def test_restart_keeps_networks_and_connectivity(net):
    net.ok("network", "create", "keep")
    net.ok("run", "-d", "--name", "srv", "--network", "keep", "-p", "127.0.0.1::80", "busybox", *HTTPD)
    addr = net.ok("port", "srv", "80").strip()
    assert curl(f"http://{addr}/").startswith("hello")
    d = net.daemon
    os.kill(d.pid, 9)
    time.sleep(0.5)
    args = ["--data-root", str(d.data_root), "--host", d.docker_host, "--pidfile", str(d.pidfile),
            "--config-file", str(d.config_path)]
    with open(d.log_path, "a") as log:
        proc = subprocess.Popen([str(berth_binary("berthd")), *args], stdout=log, stderr=log)
    try:
        for _ in range(100):
            if d.ping():
                break
            time.sleep(0.1)
        assert d.ping(), d.log_tail()
        assert "keep" in net.ok("network", "ls")
        assert curl(f"http://{addr}/").startswith("hello")
        out = net.ok("run", "--rm", "--network", "keep", "busybox", "sh", "-c",
                     PROBE.format("srv"))
        assert "hello from" in out
        net.ok("rm", "-f", "srv")
        net.ok("network", "rm", "keep")
        assert net.sandboxes() == [] or wait_counts(net, {**net.counts(), "leases": 0})["leases"] == 0
    finally:
        ids = net.docker("ps", "-aq").stdout.decode().split()
        if ids:
            net.docker("rm", "-f", *ids)
        for name in net.user_networks():
            net.docker("network", "rm", name)
        proc.terminate()
        proc.wait(15)


def host_address_outside(net) -> str | None:
    """A global IPv4 address of the host outside this daemon's block: reached from a container
    only through its default route."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        addr = ipaddress.ip_interface(line.split()[3])
        if addr.ip not in net.block and not addr.ip.is_loopback:
            return str(addr.ip)
    return None


def test_default_route_with_and_without_published_ports(net):
    """The first network's default route via its gateway, whether netavark's firewall run made it
    (published ports) or Berth added it (no ports): the host answers on an address outside
    the bridge; a network connected later leaves the first one's route in place."""
    import socket
    import threading
    host_ip = host_address_outside(net)
    if host_ip is None:
        pytest.skip("the host has no global IPv4 address outside the test block")
    listener = socket.socket()
    listener.bind((host_ip, 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"hello from the host\n")
    threading.Thread(target=serve, daemon=True).start()
    try:
        gw = str(net.bridge_subnet.network_address + 1)
        probe = f"ip route; nc -w 3 {host_ip} {port} </dev/null"
        for extra in ([], ["-p", "80"]):
            out = net.ok("run", "--rm", *extra, "busybox", "sh", "-c", probe)
            assert f"default via {gw} dev eth0" in out, (extra, out)
            assert "hello from the host" in out, (extra, out)
        net.ok("network", "create", "routes")
        user_gw = json.loads(net.ok("network", "inspect", "routes"))[0]["IPAM"]["Config"][0]["Gateway"]
        out = net.ok("run", "--rm", "--network", "routes", "busybox", "sh", "-c", probe)
        assert f"default via {user_gw} dev eth0" in out and "hello from the host" in out, out
        # Connected to a second network while running: the first network's route stays.
        net.ok("run", "-d", "--name", "two", "busybox", "sleep", "100")
        net.ok("network", "connect", "routes", "two")
        out = net.ok("exec", "two", "sh", "-c", probe)
        assert f"default via {gw} dev eth0" in out and "hello from the host" in out, out
        net.ok("rm", "-f", "two")
        net.ok("network", "rm", "routes")
    finally:
        listener.close()


# A netavark that sets anchors up and fails every container's setup.
FAILING_NETAVARK = """#!/bin/sh
input=$(cat)
case "$input" in
  *berth-anchor-*) printf '%s' "$input" | exec {netavark} "$@" ;;
esac
echo '{{"error":"injected setup failure"}}'
exit 1
"""


@pytest.fixture
def failing_net(busybox_rootfs, tmp_path):
    wrapper = tmp_path / "netavark"
    wrapper.write_text(FAILING_NETAVARK.format(netavark=NETAVARK))
    wrapper.chmod(0o755)
    yield from network_daemon(busybox_rootfs, env={**os.environ, "BERTH_NETAVARK": str(wrapper)})


def test_failed_setup_leaves_nothing(failing_net):
    """The container's network is set up while the shim creates the container; a setup that
    fails fails the start with netavark's message and leaves no namespace, veth or lease."""
    net = failing_net
    before = net.counts()
    for args in (["--rm"], ["-d", "--name", "kept"]):
        r = net.docker("run", *args, "busybox", "sleep", "5")
        assert r.returncode != 0 and b"injected setup failure" in r.stderr, r.stderr
    r = net.docker("start", "kept")
    assert r.returncode != 0 and b"injected setup failure" in r.stderr, r.stderr
    assert wait_counts(net, before) == before
    out = net.ok("run", "--rm", "--network", "none", "busybox", "true")
    assert out == ""
