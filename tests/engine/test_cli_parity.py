"""For the same daemon state, `berth` and the real docker CLI print the same `ps`, `images` and
`inspect --format` results (the daemon issue's acceptance)."""
import subprocess

import pytest

from fixtures.berthd import berth_binary
from test_docker_clients import docker  # noqa: F401  (the fixture)


@pytest.fixture
def both(berthd, docker):  # noqa: F811
    berth = str(berth_binary("berth"))

    def run(*args):
        d = docker(*args)
        b = subprocess.run([berth, *args], env=berthd.env, capture_output=True, timeout=60)
        return d, b
    return run


def same(both, args):
    # Relative times ("2 seconds ago") can tick between the two runs: try again then.
    for _ in range(3):
        d, b = both(*args)
        if d.returncode == b.returncode and rows(args, d.stdout) == rows(args, b.stdout):
            return
    assert d.returncode == b.returncode, (args, d.stderr, b.stderr)
    assert rows(args, d.stdout) == rows(args, b.stdout), args


def rows(args, out):
    """The output; for image listings, header then sorted rows: the docker CLI groups one
    image's tags in a Go map, so their order varies from run to run."""
    text = out.decode()
    if args[0] not in ("images", "image"):
        return text
    head, *rest = text.split("\n")
    return "\n".join([head, *sorted(rest)])


def test_ps_images_and_inspect_print_the_same(both, docker):  # noqa: F811
    assert docker("run", "--name", "done", "busybox", "sh", "-c", "exit 3").returncode == 3
    assert docker("run", "-d", "--name", "up", "-e", "A=1", "--label", "tier=web", "busybox", "sleep", "60").returncode == 0
    assert docker("tag", "busybox:latest", "parity:v1").returncode == 0
    for args in [
        ("ps",), ("ps", "-a"), ("ps", "-a", "-q"), ("ps", "-a", "--no-trunc"), ("ps", "-a", "-q", "-f", "status=exited"),
        ("ps", "-a", "-f", "label=tier=web", "--format", "{{.Names}} {{.Labels}} {{.Status}}"),
        ("ps", "-a", "--format", "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Names}}"),
        ("ps", "-a", "--format", "{{json .Names}}"), ("ps", "-n", "1"), ("ps", "-l", "-q"),
        ("images",), ("images", "-q"), ("images", "--no-trunc"), ("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"),
        ("inspect", "--format", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{json .Config.Cmd}}", "done"),
        ("inspect", "--format", "{{.Config.Env}} {{index .Config.Labels \"tier\"}} {{.State.Running}} {{.HostConfig.NetworkMode}}", "up"),
        ("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", "up"),
        ("inspect", "--format", "{{upper .Name}} {{len .Config.Cmd}} {{join .Config.Cmd \",\"}}", "up"),
        ("container", "ls", "-a", "--format", "{{.ID}} {{.Names}}"),
        ("image", "ls", "--format", "table {{.Repository}}\t{{.Tag}}\t{{.ID}}"),
        ("image", "inspect", "--format", "{{.Id}} {{.RepoTags}} {{json .Config.Env}} {{.Os}}/{{.Architecture}}", "parity:v1"),
        ("inspect", "--format", "{{json .RootFS}}", "parity:v1"),
        ("history", "parity:v1"),
    ]:
        same(both, args)
    docker("rm", "-f", "up", "done")
