#!/usr/bin/env bash
# The README's first command ends here: start berthd, make busybox:latest from Debian's
# busybox-static through Berth's own import path (when the store lacks it), and run a real,
# isolated container with the berth CLI, then serve a page from a container with a published
# port and fetch it from the host with curl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sock=/run/berth/berth.sock
log=/var/log/berthd.log
export BERTH_HOST=unix://$sock

if ! berth version >/dev/null 2>&1; then
    echo "Starting berthd in the background (log: $log)"
    nohup berthd >>"$log" 2>&1 &
    for _ in $(seq 100); do berth version >/dev/null 2>&1 && break; sleep 0.1; done
    berth version >/dev/null || { echo "berthd did not start; see $log" >&2; exit 1; }
else
    echo "berthd is already running (log: $log)"
fi

if ! berth image inspect busybox:latest >/dev/null 2>&1; then
    echo "Creating busybox:latest from Debian's busybox-static with \`berth import\`"
    work=$(mktemp -d /tmp/berth-quickstart.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    bash "$here/busybox-rootfs.sh" "$work/rootfs"
    # a tar stream of the rootfs, written by Python's tarfile (Berth itself reads it)
    python3 -c 'import sys, tarfile
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as t: t.add(sys.argv[1], arcname=".")' "$work/rootfs" \
        | berth import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - busybox:latest >/dev/null
fi

echo "+ berth run --rm busybox echo hello from berth"
berth run --rm busybox echo hello from berth
echo "+ berth run --rm busybox sh -c 'echo pid \$\$, hostname \$(hostname)'   (host: $(hostname))"
berth run --rm busybox sh -c 'echo pid $$, hostname $(hostname)'

# A published port: busybox httpd in a container on the default bridge, fetched from the host.
port=${BERTH_QUICKSTART_PORT:-18080}
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done   # skip ports in use
name=berth-quickstart-web
berth rm -f "$name" >/dev/null 2>&1 || true
echo "+ berth run -d --name $name -p $port:80 busybox sh -c 'mkdir -p /www && echo hello from a berth container > /www/index.html && exec httpd -f -p 80 -h /www'"
berth run -d --name "$name" -p "$port:80" busybox \
    sh -c 'mkdir -p /www && echo hello from a berth container > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
echo "+ curl 127.0.0.1:$port"
for _ in $(seq 50); do curl -fsS "127.0.0.1:$port" 2>/dev/null && break; sleep 0.1; done \
    || { echo "curl 127.0.0.1:$port failed" >&2; berth rm -f "$name" >/dev/null; exit 1; }
berth rm -f "$name" >/dev/null
