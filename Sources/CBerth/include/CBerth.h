// CBerth: the syscalls Swift cannot make safely or cannot name (variadic calls,
// CMSG macros, raw clone/pivot_root), and the libseccomp header. libarchive has its own
// module (CArchive) so that the runtime and the shim do not load it.
// Everything here is a thin, stateless wrapper; policy lives in Swift.
#ifndef CBERTH_H
#define CBERTH_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <seccomp.h>

// Namespace flags, spelled out so Swift sees them whatever the libc headers expose.
static const unsigned long BERTH_CLONE_NEWNS = 0x00020000;
static const unsigned long BERTH_CLONE_NEWCGROUP = 0x02000000;
static const unsigned long BERTH_CLONE_NEWUTS = 0x04000000;
static const unsigned long BERTH_CLONE_NEWIPC = 0x08000000;
static const unsigned long BERTH_CLONE_NEWUSER = 0x10000000;
static const unsigned long BERTH_CLONE_NEWPID = 0x20000000;
static const unsigned long BERTH_CLONE_NEWNET = 0x40000000;

static const int BERTH_O_PATH = 010000000;
static const int BERTH_O_CLOEXEC = 02000000;
static const int BERTH_O_NOFOLLOW = 0400000;
static const int BERTH_O_DIRECTORY = 0200000;

/// fork-like clone(2): returns 0 in the child, which continues on the caller's stack in
/// the new namespaces. Only for single-threaded processes (berth-runtime, berth-shim).
pid_t berth_clone(unsigned long flags);
int berth_unshare(int flags);
int berth_setns(int fd, int nstype);
int berth_pivot_root(const char *new_root, const char *put_old);
int berth_mount(const char *source, const char *target, const char *fstype,
                unsigned long flags, const char *data);
int berth_umount2(const char *target, int flags);
int berth_sethostname(const char *name, size_t len);
int berth_setdomainname(const char *name, size_t len);
int berth_personality(unsigned long persona);

// prctl(2) is variadic in libc.
int berth_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int berth_set_name(const char *name);

// Capabilities through the raw capget/capset syscalls (version 3, 64-bit sets).
int berth_capget(int pid, uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
int berth_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
int berth_cap_last_cap(void);

// Terminals: ioctl(2) is variadic in libc.
int berth_set_ctty(int fd);
int berth_set_winsize(int fd, unsigned short rows, unsigned short cols);
int berth_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
int berth_open_pty(int ptmx_dir_fd, int *master, char *slave_path, size_t slave_len);

// Unix sockets with SCM_RIGHTS.
int berth_send_fd(int sock, int fd, const void *data, size_t len);
ssize_t berth_recv_fd(int sock, int *fd, void *data, size_t len);
int berth_unix_connect(const char *path);
int berth_unix_listen(const char *path, int backlog);

// Misc.
int berth_pipe2(int fds[2], int flags);
int berth_setresuid(uid_t r, uid_t e, uid_t s);
int berth_setresgid(gid_t r, gid_t e, gid_t s);
int berth_close_range_from(int first_fd, int keep_cloexec);
int berth_openat2_in_root(int dirfd, const char *path, int flags);
int berth_mknod(const char *path, mode_t mode, unsigned int major, unsigned int minor);
int berth_pidfd_open(pid_t pid);
int berth_ioctl_int(int fd, unsigned long request, int value);

// epoll (<sys/epoll.h> is not in Swift's Glibc module, and `struct epoll_event` is packed
// on x86_64): events cross as 64-bit tokens. berth_epoll_add watches `fd` for input (and
// hang-up); wait fills `tokens` and returns how many, or -1 with errno.
int berth_epoll_create(void);
int berth_epoll_add(int epfd, int fd, uint64_t token);
int berth_epoll_del(int epfd, int fd);
int berth_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms);

// Extended attributes (<sys/xattr.h> is not in Swift's Glibc module) and device numbers
// (makedev/major/minor are macros), for layer unpack and diff.
int berth_fsetxattr(int fd, const char *name, const void *value, size_t size);
int berth_lsetxattr(const char *path, const char *name, const void *value, size_t size);
ssize_t berth_llistxattr(const char *path, char *list, size_t size);
ssize_t berth_lgetxattr(const char *path, const char *name, void *value, size_t size);
int berth_mknodat(int dirfd, const char *name, mode_t mode, unsigned int major, unsigned int minor);
unsigned int berth_major(dev_t dev);
unsigned int berth_minor(dev_t dev);
// syncfs(2) needs _GNU_SOURCE, which Swift's Glibc module does not define.
int berth_syncfs(int fd);

// Signals as file descriptors: blocks the given signals (up to 8, 0-terminated) and
// returns a signalfd for them; berth_signalfd_next reads one and returns its number.
int berth_signalfd(const int *signals);
int berth_signalfd_next(int fd);
/// Sets a network interface up (SIOCSIFFLAGS), in the caller's network namespace.
int berth_if_up(const char *name);
/// Returns freed heap memory to the kernel (glibc's malloc_trim(0)).
int berth_malloc_trim(void);
/// Unblocks every signal and restores default dispositions (before exec).
void berth_reset_signals(void);

// libseccomp: SCMP_ACT_ERRNO/TRACE are macros with arguments.
uint32_t berth_scmp_act_errno(uint32_t code);
uint32_t berth_scmp_act_trace(uint32_t code);
/// Exports the filter's BPF program (libseccomp's `seccomp_export_bpf`) into a new malloc'd
/// buffer: *out and *len; free it with free(). Returns 0, or a negative errno.
int berth_seccomp_export(scmp_filter_ctx ctx, uint8_t **out, size_t *len);
/// Loads a BPF program (`struct sock_filter` array of `len` bytes) with seccomp(2)
/// SECCOMP_SET_MODE_FILTER and `flags` (SECCOMP_FILTER_FLAG_*), as libseccomp's
/// `seccomp_load` does. Returns 0, or -1 with errno.
int berth_seccomp_load_bpf(const uint8_t *program, size_t len, unsigned int flags);


/// Network namespace work for the multi-threaded berthd, each on a short-lived thread of its
/// own (a thread that unshares or joins a network namespace stays in it; the thread ends, so
/// berthd's own threads never move). Both return 0 or a result >= 0, or -1 with errno and
/// `*failed` naming the step that failed ("unshare", "mount", "setns", "socket").
///
/// A new network namespace, bind-mounted on `path` (an existing empty file), as
/// `ip netns add` makes one.
int berth_netns_create_at(const char *path, const char **failed);
/// A socket made inside the network namespace `nsfd` refers to (sockets stay in the namespace
/// they were made in); returns its descriptor.
int berth_netns_socket(int nsfd, int domain, int type, int protocol, const char **failed);

#endif
