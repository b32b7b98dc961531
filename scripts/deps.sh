#!/usr/bin/env bash
# Install the Debian packages Berth needs. Idempotent: installs only what is missing,
# runs `apt-get update` only when something is missing, and never leaves a daemon running.
#
#   scripts/deps.sh            build and run: libseccomp, libarchive, nettle, busybox-static, toolchain helpers,
#                                netavark + aardvark-dns + iptables + iproute2 (container networks), curl
#   scripts/deps.sh --test     + the peers tests use: runc, crun, podman, containerd, skopeo,
#                                docker-registry, docker.io (a reference dockerd 20.10), htpasswd,
#                                hyperfine, uidmap, iptables, pytest, docker-py
#   scripts/deps.sh --bench    + debootstrap (the pull benchmark's Debian image)
#   scripts/deps.sh --dry-run  print what would be installed and exit
#
# The Swift toolchain itself is not a Debian package; it is expected in /opt/swift (see MACHINE-NOTES).
set -euo pipefail

want_test=0 want_bench=0 dry_run=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_test=1 want_bench=1 ;;
    -n|--dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deps.sh: unknown option \`$arg\` (try --help)" >&2; exit 2 ;;
  esac
done

# Build and run. The last group is what the Swift toolchain in /opt/swift links against.
build_pkgs=(
  libseccomp-dev libarchive-dev nettle-dev busybox-static
  pkg-config zlib1g-dev libsqlite3-dev make git gcc libc6-dev binutils
  libstdc++-12-dev libgcc-12-dev libxml2-dev uuid-dev libncurses-dev libpython3-dev tzdata
  netavark aardvark-dns iptables iproute2 curl
)
# Tests and benchmarks: reference runtimes and engines, a registry, tools, Python test deps.
test_pkgs=(
  runc crun podman containerd skopeo docker-registry docker.io apache2-utils hyperfine uidmap iptables
  util-linux iproute2 procps time curl python3-pip
)
bench_pkgs=(debootstrap)

pkgs=("${build_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
[ "$want_bench" = 1 ] && pkgs+=("${bench_pkgs[@]}")

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done

# Python side of the tests: pytest and docker-py for whichever python3 is first on PATH.
# Debian's /usr/bin/python3 is "externally managed" (PEP 668): use its python3-pytest package and
# pip with --break-system-packages for docker-py (Debian's python3-docker is 5.0, too old for API 1.44).
py_missing=()
if [ "$want_test" = 1 ]; then
  py=$(command -v python3 || true)
  if [ -z "$py" ]; then
    installed python3 || missing+=(python3)
    py=/usr/bin/python3
  fi
  if ! "$py" -c 'import pytest' 2>/dev/null; then
    if [ "$(readlink -f "$py")" = "$(readlink -f /usr/bin/python3 2>/dev/null || echo none)" ]; then
      installed python3-pytest || missing+=(python3-pytest)
    else
      py_missing+=(pytest)
    fi
  fi
  "$py" -c 'import docker' 2>/dev/null || py_missing+=(docker)
  "$py" -c 'import pexpect' 2>/dev/null || py_missing+=(pexpect)
fi

if [ ${#missing[@]} -eq 0 ] && [ ${#py_missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#pkgs[@]} Debian packages present${py:+ (python: $py)}; nothing to install"
  exit 0
fi
[ ${#missing[@]} -gt 0 ] && echo "deps.sh: apt-get install ${missing[*]}"
[ ${#py_missing[@]} -gt 0 ] && echo "deps.sh: pip install ${py_missing[*]} (for $py)"
[ "$dry_run" = 1 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: must run as root to install packages" >&2
  exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Keep package scripts from starting containerd/dockerd: a policy-rc.d that denies every
  # action (exit 101). An existing one is left as it is; ours is removed afterwards.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# written by berth scripts/deps.sh during an install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  daemons=(dockerd containerd docker-proxy docker-registry)
  before=" $(pidof "${daemons[@]}" 2>/dev/null || true) "
  cleanup() {
    if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi
  }
  trap cleanup EXIT

  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"

  # Package scripts enable these units for boot; this script must not start services for good,
  # so disable the units of the daemon packages it just installed (not ones already there).
  for p in "${missing[@]}"; do
    case "$p" in
      docker.io) units=(docker.service docker.socket) ;;
      containerd) units=(containerd.service) ;;
      docker-registry) units=(docker-registry.service) ;;
      *) continue ;;
    esac
    if command -v systemctl >/dev/null; then
      # works without systemd running: it only removes the .wants symlinks
      echo "deps.sh: disabling ${units[*]} at boot (installed here; tests start their own)"
      systemctl disable "${units[@]}" >/dev/null 2>&1 || true
    fi
  done

  # Belt and braces: if a package script started a daemon anyway, stop exactly those new PIDs.
  for pid in $(pidof "${daemons[@]}" 2>/dev/null || true); do
    case "$before" in *" $pid "*) continue ;; esac
    echo "deps.sh: stopping $(cat /proc/"$pid"/comm 2>/dev/null || echo '?') (pid $pid) started by the install"
    kill "$pid" 2>/dev/null || true
  done
fi

if [ ${#py_missing[@]} -gt 0 ]; then
  pip_flags=()
  if [ "$(readlink -f "$py")" = "$(readlink -f /usr/bin/python3 2>/dev/null || echo none)" ]; then
    pip_flags+=(--break-system-packages)
  fi
  "$py" -m pip install -q "${pip_flags[@]}" "${py_missing[@]}"
fi
echo "deps.sh: done"
