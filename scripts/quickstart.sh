#!/usr/bin/env bash
# The README's first command ends here: run a real, isolated container with the most
# Berth can do so far. The daemon (berthd) is not complete yet, so the container runs
# through berth-runtime, Berth's OCI runtime, directly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/berth-quickstart.XXXXXX)
id="quickstart-$$"
cleanup() { berth-runtime delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

bash "$here/busybox-rootfs.sh" "$work/rootfs"
cd "$work"
berth-runtime spec
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c",
    'echo "hello from berth"; echo "  pid in the container: $$"; echo "  hostname in the container: $(hostname)"']
c["hostname"] = "berth-quickstart"
c["linux"]["resources"]["memory"] = {"limit": 64 * 1024 * 1024}
json.dump(c, open("config.json", "w"), indent=2)
PY
echo "Running busybox through berth-runtime (Berth's OCI runtime; berthd is not complete yet)."
echo "  host hostname: $(hostname)"
berth-runtime run "$id"
