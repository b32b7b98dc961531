"""Checks shared by the runtime tests."""
import os
from pathlib import Path


def cgroup_dirs(name_part):
    """Cgroup directories (v1 controllers and v2) whose path contains `name_part`."""
    found = []
    for top in Path("/sys/fs/cgroup").iterdir():
        if not top.is_dir():
            continue
        for dirpath, dirnames, _ in os.walk(top):
            for d in dirnames:
                if name_part in d:
                    found.append(os.path.join(dirpath, d))
            if dirpath.count("/") > 8:
                dirnames[:] = []
    return found


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(str(path))]
