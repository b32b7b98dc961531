/* berth-probe: a static test program run inside test containers (as crun's tests/init.c
 * and youki's runtimetest). Each subcommand tries one thing and prints "ok" or the errno
 * name, so tests can check isolation from the inside. Test code only; not part of Berth. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/reboot.h>

static int report(long rc) {
    if (rc == 0 || rc > 0) { puts("ok"); return 0; }
    printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "unknown");
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: probe CHECK\n"); return 2; }
    const char *c = argv[1];
    if (!strcmp(c, "mount")) return report(mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(c, "unshare")) return report(unshare(CLONE_NEWNS));
    if (!strcmp(c, "keyctl")) return report(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    if (!strcmp(c, "add_key")) return report(syscall(SYS_add_key, "user", "berth", "x", 1, -3));
    if (!strcmp(c, "reboot")) return report(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, 0));
    if (!strcmp(c, "kexec_load")) return report(syscall(SYS_kexec_load, 0, 0, NULL, 0));
    if (!strcmp(c, "init_module")) return report(syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(c, "write") && argc > 2) {
        int fd = open(argv[2], O_WRONLY);
        if (fd < 0) return report(-1);
        long rc = write(fd, argc > 3 ? argv[3] : "1", 1);
        close(fd);
        return report(rc < 0 ? -1 : 0);
    }
    fprintf(stderr, "probe: unknown check %s\n", c);
    return 2;
}
