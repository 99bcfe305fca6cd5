/*
 * Stage-one init for kernels whose virtio drivers are modules: the generated initramfs holds this program
 * as /init, the modules, and /modules.load listing them in load order. It loads them, mounts the root
 * device (root=, default /dev/vda, ext4) and switches to the root filesystem's /init, passing its
 * arguments on. On failure it says why on the console and powers the VM off, so the host sees it at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROOT_WAIT_MS 10000

static void die(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "agentkernel-init: ");
    vfprintf(stderr, format, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    sync();
    reboot(RB_POWER_OFF);
    _exit(1);
}

static void load_module(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open module %s: %s", path, strerror(errno));
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
        die("cannot load module %s: %s", path, strerror(errno));
    close(fd);
}

static void load_modules(void) {
    FILE *list = fopen("/modules.load", "r");
    if (!list) return;
    char line[512];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0]) load_module(line);
    }
    fclose(list);
}

/* The value of name= on the kernel command line, or fallback. */
static const char *cmdline_value(const char *name, const char *fallback) {
    static char cmdline[4096];
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fallback;
    ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
    close(fd);
    if (n <= 0) return fallback;
    cmdline[n] = 0;
    size_t name_len = strlen(name);
    for (char *word = strtok(cmdline, " \n"); word; word = strtok(NULL, " \n")) {
        if (strncmp(word, name, name_len) == 0 && word[name_len] == '=') return word + name_len + 1;
    }
    return fallback;
}

static void wait_for(const char *device) {
    struct stat st;
    for (int waited = 0; stat(device, &st) != 0; waited += 10) {
        if (waited >= ROOT_WAIT_MS) die("root device %s did not appear within %d ms", device, ROOT_WAIT_MS);
        usleep(10000);
    }
}

int main(int argc, char **argv) {
    (void)argc;
    mkdir("/dev", 0755);
    mkdir("/proc", 0555);
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
        die("cannot mount devtmpfs: %s", strerror(errno));
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) die("cannot mount /proc: %s", strerror(errno));

    load_modules();

    char root[256], fstype[64];
    snprintf(root, sizeof root, "%s", cmdline_value("root", "/dev/vda"));
    snprintf(fstype, sizeof fstype, "%s", cmdline_value("rootfstype", "ext4"));
    wait_for(root);
    mkdir("/newroot", 0755);
    if (mount(root, "/newroot", fstype, 0, NULL) != 0)
        die("cannot mount %s (%s) on /newroot: %s", root, fstype, strerror(errno));

    umount2("/proc", MNT_DETACH);
    umount2("/dev", MNT_DETACH);
    if (chdir("/newroot") != 0) die("chdir /newroot: %s", strerror(errno));
    if (mount(".", "/", NULL, MS_MOVE, NULL) != 0) die("cannot move the root mount: %s", strerror(errno));
    if (chroot(".") != 0 || chdir("/") != 0) die("cannot enter the root file system: %s", strerror(errno));
    argv[0] = "/init";
    execv("/init", argv);
    die("cannot run /init of the root file system: %s", strerror(errno));
    return 1;
}
