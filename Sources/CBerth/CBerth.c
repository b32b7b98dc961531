#define _GNU_SOURCE
#include "CBerth.h"
#include <sched.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/signalfd.h>
#include <net/if.h>

pid_t berth_clone(unsigned long flags) {
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}
int berth_unshare(int flags) { return unshare(flags); }
int berth_setns(int fd, int nstype) { return setns(fd, nstype); }
int berth_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}
int berth_mount(const char *source, const char *target, const char *fstype,
                unsigned long flags, const char *data) {
    return mount(source, target, fstype, flags, data);
}
int berth_umount2(const char *target, int flags) { return umount2(target, flags); }
int berth_sethostname(const char *name, size_t len) { return sethostname(name, len); }
int berth_setdomainname(const char *name, size_t len) { return setdomainname(name, len); }
int berth_personality(unsigned long persona) { return personality(persona) == -1 ? -1 : 0; }

int berth_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}
int berth_set_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

int berth_capget(int pid, uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, pid };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) < 0) return -1;
    *effective = ((uint64_t)data[1].effective << 32) | data[0].effective;
    *permitted = ((uint64_t)data[1].permitted << 32) | data[0].permitted;
    *inheritable = ((uint64_t)data[1].inheritable << 32) | data[0].inheritable;
    return 0;
}
int berth_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective; data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted; data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable; data[1].inheritable = (uint32_t)(inheritable >> 32);
    return (int)syscall(SYS_capset, &hdr, data);
}
int berth_cap_last_cap(void) {
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    int last = 40;
    if (f) { if (fscanf(f, "%d", &last) != 1) last = 40; fclose(f); }
    return last;
}

int berth_set_ctty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
int berth_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = { .ws_row = rows, .ws_col = cols };
    return ioctl(fd, TIOCSWINSZ, &ws);
}
int berth_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
// Opens a pty pair from the devpts instance whose ptmx is `ptmx_dir_fd`/ptmx
// (or /dev/ptmx when ptmx_dir_fd < 0). The slave path is written to slave_path.
int berth_open_pty(int ptmx_dir_fd, int *master, char *slave_path, size_t slave_len) {
    int m = ptmx_dir_fd >= 0 ? openat(ptmx_dir_fd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
                             : open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    int unlock = 0, n = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &n) < 0) {
        int e = errno; close(m); errno = e; return -1;
    }
    snprintf(slave_path, slave_len, "/dev/pts/%d", n);
    *master = m;
    return 0;
}

int berth_send_fd(int sock, int fd, const void *data, size_t len) {
    char byte = 0;
    struct iovec iov = { .iov_base = (void *)(len ? data : &byte), .iov_len = len ? len : 1 };
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof(cbuf));
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd >= 0) {
        msg.msg_control = cbuf; msg.msg_controllen = sizeof(cbuf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}
ssize_t berth_recv_fd(int sock, int *fd, void *data, size_t len) {
    struct iovec iov = { .iov_base = data, .iov_len = len };
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
    *fd = -1;
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof(int));
    }
    return r;
}
static int fill_addr(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a->sun_path)) { errno = ENAMETOOLONG; return -1; }
    strcpy(a->sun_path, path);
    return 0;
}
int berth_unix_connect(const char *path) {
    struct sockaddr_un a;
    if (fill_addr(&a, path) < 0) return -1;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    int r;
    do { r = connect(s, (struct sockaddr *)&a, sizeof(a)); } while (r < 0 && errno == EINTR);
    if (r < 0) { int e = errno; close(s); errno = e; return -1; }
    return s;
}
int berth_unix_listen(const char *path, int backlog) {
    struct sockaddr_un a;
    if (fill_addr(&a, path) < 0) return -1;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    unlink(path);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog) < 0) {
        int e = errno; close(s); errno = e; return -1;
    }
    return s;
}

int berth_close_range_from(int first_fd, int keep_cloexec) {
    // CLOSE_RANGE_CLOEXEC (4) marks instead of closing, so exec closes them.
    return (int)syscall(SYS_close_range, (unsigned)first_fd, ~0U, keep_cloexec ? 4U : 0U);
}
int berth_openat2_in_root(int dirfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)flags;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}
int berth_mknod(const char *path, mode_t mode, unsigned int major, unsigned int minor) {
    return mknod(path, mode, makedev(major, minor));
}
int berth_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int berth_setresuid(uid_t r, uid_t e, uid_t s) { return setresuid(r, e, s); }
int berth_setresgid(gid_t r, gid_t e, gid_t s) { return setresgid(r, e, s); }
int berth_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int berth_ioctl_int(int fd, unsigned long request, int value) { return ioctl(fd, request, value); }

#include <sys/epoll.h>
int berth_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
int berth_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }
int berth_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
int berth_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) tokens[i] = events[i].data.u64;
    return n;
}

uint32_t berth_scmp_act_errno(uint32_t code) { return SCMP_ACT_ERRNO(code); }
uint32_t berth_scmp_act_trace(uint32_t code) { return SCMP_ACT_TRACE(code); }

#include <malloc.h>
int berth_malloc_trim(void) { return malloc_trim(0); }

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
int berth_seccomp_export(scmp_filter_ctx ctx, uint8_t **out, size_t *len) {
    // libseccomp 2.5 exports only to a file descriptor: a memfd, read back.
    int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc != 0) { close(fd); return rc; }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % sizeof(struct sock_filter) != 0) { close(fd); return -EINVAL; }
    uint8_t *buf = malloc((size_t)size);
    if (buf == NULL) { close(fd); return -ENOMEM; }
    ssize_t got = pread(fd, buf, (size_t)size, 0);
    int e = errno;
    close(fd);
    if (got != size) { free(buf); return got < 0 ? -e : -EIO; }
    *out = buf;
    *len = (size_t)size;
    return 0;
}
int berth_seccomp_load_bpf(const uint8_t *program, size_t len, unsigned int flags) {
    struct sock_fprog prog = {
        .len = (unsigned short)(len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)program,
    };
    if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

#include <sys/xattr.h>
#include <sys/sysmacros.h>
int berth_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}
int berth_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}
ssize_t berth_llistxattr(const char *path, char *list, size_t size) { return llistxattr(path, list, size); }
ssize_t berth_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return lgetxattr(path, name, value, size);
}
int berth_mknodat(int dirfd, const char *name, mode_t mode, unsigned int major, unsigned int minor) {
    return mknodat(dirfd, name, mode, makedev(major, minor));
}
unsigned int berth_major(dev_t dev) { return major(dev); }
unsigned int berth_minor(dev_t dev) { return minor(dev); }
int berth_syncfs(int fd) { return syncfs(fd); }

int berth_signalfd(const int *signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < 8 && signals[i]; i++) sigaddset(&set, signals[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}
int berth_signalfd_next(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof(info));
    return n == (ssize_t)sizeof(info) ? (int)info.ssi_signo : -1;
}
void berth_reset_signals(void) {
    sigset_t empty;
    sigemptyset(&empty);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        signal(sig, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &empty, NULL);
}
int berth_if_up(const char *name) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) { ifr.ifr_flags |= IFF_UP; rc = ioctl(s, SIOCSIFFLAGS, &ifr); }
    int e = errno; close(s); errno = e;
    return rc;
}

#include <pthread.h>
#include <sys/socket.h>

struct berth_netns_job {
    const char *path;
    int nsfd, domain, type, protocol;
    int result, error;
    const char *failed;
};

static void *berth_netns_create_thread(void *arg) {
    struct berth_netns_job *job = arg;
    if (unshare(CLONE_NEWNET) != 0) { job->failed = "unshare"; job->error = errno; return NULL; }
    if (mount("/proc/thread-self/ns/net", job->path, NULL, MS_BIND, NULL) != 0) {
        job->failed = "mount"; job->error = errno; return NULL;
    }
    job->result = 0;
    return NULL;
}

static void *berth_netns_socket_thread(void *arg) {
    struct berth_netns_job *job = arg;
    if (setns(job->nsfd, CLONE_NEWNET) != 0) { job->failed = "setns"; job->error = errno; return NULL; }
    int fd = socket(job->domain, job->type, job->protocol);
    if (fd < 0) { job->failed = "socket"; job->error = errno; return NULL; }
    job->result = fd;
    return NULL;
}

static int berth_netns_run(void *(*body)(void *), struct berth_netns_job *job, const char **failed) {
    pthread_t thread;
    job->result = -1;
    job->error = 0;
    job->failed = NULL;
    int rc = pthread_create(&thread, NULL, body, job);
    if (rc != 0) { *failed = "pthread_create"; errno = rc; return -1; }
    pthread_join(thread, NULL);
    if (job->result < 0) { *failed = job->failed; errno = job->error; }
    return job->result;
}

int berth_netns_create_at(const char *path, const char **failed) {
    struct berth_netns_job job = { .path = path };
    return berth_netns_run(berth_netns_create_thread, &job, failed);
}

int berth_netns_socket(int nsfd, int domain, int type, int protocol, const char **failed) {
    struct berth_netns_job job = { .nsfd = nsfd, .domain = domain, .type = type, .protocol = protocol };
    return berth_netns_run(berth_netns_socket_thread, &job, failed);
}
