"""What each program links. berthd's idle memory is mostly its own code: the kernel maps in
nearly every page of a freshly built binary's text at start (fault-around over the page
cache), so code berthd links but never runs still counts against its 20 MiB idle target.
The registry client (async-http-client, NIOSSL, Foundation) belongs to berth-fetch, the CLI
to berth, and no program needs the regex engine."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from fixtures.berthd import berth_binary

pytestmark = pytest.mark.skipif(not shutil.which("nm"), reason="needs nm (binutils)")

# Swift symbols of a module start with `$s<length><name>`.
MODULES = {name: f"$s{len(name)}{name}" for name in (
    "AsyncHTTPClient", "NIOSSL", "NIOHTTP2", "Foundation", "FoundationEssentials",
    "_StringProcessing", "_RegexParser", "BerthRegistry", "BerthFetch", "BerthCLI")}


def linked(program: str) -> set[str]:
    path = berth_binary(program)
    if path is None:
        pytest.skip(f"{program} is not built")
    symbols = subprocess.run(["nm", str(path)], capture_output=True, text=True, check=True).stdout
    return {name for name, prefix in MODULES.items() if prefix in symbols}


def test_berthd_links_no_registry_client_no_cli_and_no_regex_engine():
    assert linked("berthd") == set()


def test_the_registry_client_is_berth_fetchs():
    # Also shows that the check above can see a linked module.
    assert {"AsyncHTTPClient", "NIOSSL", "BerthRegistry", "BerthFetch"} <= linked("berth-fetch")
    assert not {"_StringProcessing", "_RegexParser", "BerthCLI"} & linked("berth-fetch")


def test_berth_and_the_shim_link_neither_the_registry_client_nor_the_regex_engine():
    assert linked("berth") == {"BerthCLI"}
    assert linked("berth-shim") == set()
