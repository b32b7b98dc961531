"""`docker events` against a test berthd (issue 6): the lifecycle of a container in
Docker's Type/Action/Actor shape, past events with --since/--until, live streaming, filters."""
import json
import subprocess
import threading
import time

import pytest

from fixtures.berthd import berth_binary
from ops_helpers import inspect
from test_docker_clients import docker  # noqa: F401  (the fixture)


def past(docker, *args):  # noqa: F811
    """Events from the start of the daemon until now, as `Type Action name` lines."""
    r = docker("events", "--since", "0", "--until", str(int(time.time()) + 1), *args,
               "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().splitlines()


def test_lifecycle_events_in_order(docker):  # noqa: F811
    docker("run", "-d", "--name", "ev", "--label", "team=ops", "busybox", "sleep", "100")
    docker("pause", "ev")
    docker("unpause", "ev")
    docker("exec", "ev", "true")
    docker("rename", "ev", "ev2")
    docker("stop", "-t", "1", "ev2")
    docker("rm", "ev2")
    lines = past(docker, "--filter", "type=container")
    actions = [line.split(" ", 1)[1] for line in lines]
    expected = ["create ev", "start ev", "pause ev", "unpause ev", "exec_create: true ev", "exec_start: true ev", "exec_die ev",
                "rename ev2", "kill ev2", "die ev2", "stop ev2", "destroy ev2"]
    # stop sends SIGTERM, then SIGKILL (sleep as pid 1 ignores SIGTERM): two kill events.
    assert actions.count("kill ev2") == 2, lines
    seen = [a for a in actions if a in expected]
    assert [a for i, a in enumerate(seen) if i == 0 or a != seen[i - 1]] == expected, lines
    # The image import of the fixture is an image event.
    assert any(line.startswith("image import") for line in past(docker, "--filter", "type=image"))


def test_event_json_shape_and_filters(docker):  # noqa: F811
    docker("run", "--name", "fails", "--label", "tier=db", "busybox", "sh", "-c", "exit 4")
    docker("run", "--name", "other", "busybox", "true")
    r = docker("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "event=die",
               "--filter", "container=fails", "--format", "{{json .}}")
    events = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert len(events) == 1, events
    e = events[0]
    cid = inspect(docker, "fails")["Id"]
    assert e["Type"] == "container" and e["Action"] == "die" and e["scope"] == "local"
    assert e["Actor"]["ID"] == cid
    attributes = dict(e["Actor"]["Attributes"])
    assert int(attributes.pop("execDuration")) in (0, 1, 2)   # whole seconds it ran
    assert attributes == {"exitCode": "4", "image": "busybox", "name": "fails", "tier": "db"}
    assert e["time"] == e["timeNano"] // 1_000_000_000 and e["time"] > time.time() - 120
    assert len(past(docker, "--filter", "label=tier=db", "--filter", "event=start")) == 1
    assert past(docker, "--filter", "label=tier=nope") == []
    # `docker events` prints Docker's line: time, type, action, ID, sorted attributes.
    line = docker("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "container=fails",
                  "--filter", "event=die").stdout.decode().strip()
    assert f" container die {cid} (execDuration=" in line, line
    assert line.endswith(", exitCode=4, image=busybox, name=fails, tier=db)"), line
    r = docker("events", "--since", "0", "--until", "1", "--filter", "colour=blue")
    assert r.returncode != 0 and b"invalid filter 'colour'" in r.stderr


def test_events_stream_live(berthd, docker):  # noqa: F811
    p = subprocess.Popen(["docker", "events", "--filter", "container=live", "--format", "{{.Action}}"],
                         env=berthd.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = []
    reader = threading.Thread(target=lambda: got.extend(line.decode().strip() for line in p.stdout), daemon=True)
    reader.start()
    try:
        time.sleep(0.5)
        docker("run", "-d", "--name", "live", "busybox", "sleep", "100")
        docker("kill", "live")
        deadline = time.monotonic() + 10
        while "die" not in got and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        p.kill()
        p.wait()
    assert got[:4] == ["create", "start", "kill", "die"], got


@pytest.fixture
def berth_cli(berthd):
    berth = berth_binary("berth")
    if berth is None:
        pytest.skip("berth is not built")
    return lambda *args: subprocess.run([str(berth), *args], env=berthd.env, capture_output=True, timeout=30)


def test_berth_events(docker, berth_cli):  # noqa: F811
    docker("run", "--name", "be", "busybox", "true")
    r = berth_cli("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "container=be")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert [line.split()[2] for line in lines][:3] == ["create", "attach", "start"] or \
        [line.split()[2] for line in lines][:2] == ["create", "start"], lines
    assert all(" container " in line and "name=be" in line for line in lines)
    r = berth_cli("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "event=die",
                  "--format", "{{.Actor.Attributes.exitCode}}")
    assert r.stdout == b"0\n", r.stdout


def test_pull_and_push_are_image_events(berthd, registry, make_oci_layout):
    import shutil
    if not shutil.which("skopeo") or not shutil.which("docker"):
        pytest.skip("needs skopeo and the docker CLI")
    layout = make_oci_layout([], image_config={"Env": ["PATH=/bin"], "Cmd": ["sh"]})
    src = registry.ref("events/app", "1.0")
    r = subprocess.run(["skopeo", "copy", *registry.skopeo_args("dest"), layout.skopeo_ref, "docker://" + src],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    run = lambda *a: subprocess.run(["docker", *a], env=berthd.env, capture_output=True, timeout=120)  # noqa: E731
    assert run("pull", src).returncode == 0
    assert run("push", src).returncode == 0
    r = run("events", "--since", "0", "--until", str(int(time.time()) + 1), "--filter", "type=image",
            "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}")
    lines = r.stdout.decode().splitlines()
    name = src.rsplit(":", 1)[0]
    assert f"pull {src} {name}" in lines and f"push {src} {name}" in lines, lines
