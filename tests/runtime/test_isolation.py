"""Inside a container made with Docker's defaults (its seccomp profile, capability set,
masked and read-only paths), the host is out of sight and dangerous calls fail."""
import os
import socket
import uuid

import pytest


def run_in(runtime, make_bundle, script, docker=True):
    b = make_bundle(["sh", "-c", script], docker=docker)
    r = runtime.run("run", "--bundle", str(b), "iso-" + uuid.uuid4().hex[:10])
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_pid_1_is_the_user_process(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "cat /proc/1/comm; echo $$")
    assert out.split() == ["sh", "1"]


def test_host_processes_are_invisible(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "ls /proc | grep -E '^[0-9]+$'")
    pids = [int(p) for p in out.split()]
    assert 1 in pids
    assert len(pids) <= 3, f"container sees {pids}"
    assert os.getpid() not in pids or len(pids) <= 3


def test_host_mounts_and_hostname_are_invisible(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "hostname; cat /proc/self/mountinfo")
    host, mountinfo = out.split("\n", 1)
    assert host != socket.gethostname()
    assert host == "berth"
    targets = [line.split()[4] for line in mountinfo.splitlines()]
    assert "/" in targets
    for t in targets:
        assert not t.startswith(("/work", "/home", "/var/lib", "/boot")), f"host mount {t} visible"


@pytest.mark.parametrize("call", ["mount", "unshare", "keyctl", "add_key", "reboot", "kexec_load", "init_module"])
def test_privileged_calls_fail(runtime, make_bundle, call):
    out = run_in(runtime, make_bundle, f"probe {call}; echo rc=$?")
    result, rc = out.split()
    assert rc == "rc=1", f"{call} succeeded inside the container"
    assert result in ("EPERM", "EACCES", "ENOSYS"), result


def test_proc_sys_and_sysrq_are_read_only(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "probe write /proc/sys/kernel/panic 0; probe write /proc/sysrq-trigger h; true")
    sys_result, sysrq_result = out.split()
    assert sys_result == "EROFS"
    # This VM's kernel has no /proc/sysrq-trigger (ENOENT); where it exists it is read-only.
    expected = "EROFS" if os.path.exists("/proc/sysrq-trigger") else "ENOENT"
    assert sysrq_result == expected


def test_masked_paths(runtime, make_bundle):
    out = run_in(runtime, make_bundle,
                 "wc -c < /proc/keys; ls /sys/firmware | wc -l; "
                 "if [ -e /proc/kcore ]; then wc -c < /proc/kcore; else echo absent; fi")
    keys, firmware, kcore = out.split()
    assert keys == "0", "/proc/keys is not masked"
    assert firmware == "0", "/sys/firmware is not masked"
    if os.path.exists("/proc/kcore"):
        assert kcore == "0", "/proc/kcore is not masked"
    else:
        assert kcore == "absent"   # this kernel has no /proc/kcore at all


def test_docker_capability_set(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "grep CapEff /proc/self/status")
    eff = int(out.split()[1], 16)
    assert eff == 0xa80425fb, hex(eff)   # Docker's 14 default capabilities
    assert "Seccomp:\t2" in run_in(runtime, make_bundle, "grep Seccomp: /proc/self/status")


def test_user_and_readonly_root(runtime, make_bundle):
    def edit(c):
        c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}
    b = make_bundle(["sh", "-c", "id; touch /x 2>&1; echo rc=$?"], edit=edit)
    r = runtime.run("run", "--bundle", str(b), "u-" + uuid.uuid4().hex[:8])
    lines = r.stdout.splitlines()
    assert lines[0].startswith("uid=1000(user) gid=1000(user) groups=5")
    assert "Read-only file system" in lines[1]
    assert lines[2] == "rc=1"


def test_network_namespace_has_only_loopback(runtime, make_bundle):
    out = run_in(runtime, make_bundle, "ls /sys/class/net")
    assert out.split() == ["lo"]
