package dev.agentkernel.rootfs;

import java.nio.charset.StandardCharsets;

/**
 * The {@code /init} every rootfs gets: a POSIX shell script that mounts proc, sysfs and devtmpfs, sets the
 * hostname, starts the guest agent, says it is ready on the console, and then runs its arguments (powering the
 * VM off when they end) or waits on the agent. Bump {@link #VERSION} whenever the body changes: it is part of
 * the rootfs cache key, so cached root filesystems with an old script are not reused.
 */
public final class InitScript {
    public static final int VERSION = 2;

    /** What the guest prints on its console once the agent has been started. */
    public static final String READY_LINE = "Agentkernel guest ready";

    private static final String BODY = """
            #!/bin/sh
            # agentkernel /init, version %d: prepares the guest, starts the agent, runs the given command.
            export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            mountpoint -q /proc 2>/dev/null || mount -t proc proc /proc
            mountpoint -q /sys 2>/dev/null || mount -t sysfs sysfs /sys
            mountpoint -q /dev 2>/dev/null || mount -t devtmpfs devtmpfs /dev
            mkdir -p /dev/pts /dev/shm
            mount -t devpts devpts /dev/pts 2>/dev/null
            hostname agentkernel 2>/dev/null || echo agentkernel > /proc/sys/kernel/hostname
            agent_pid=
            if [ -x /usr/bin/agent ]; then
                /usr/bin/agent &
                agent_pid=$!
            elif [ "$#" -eq 0 ]; then
                # nothing could ever answer the host: say why and stop, instead of leaving it waiting
                echo "agentkernel: /usr/bin/agent is missing: this root file system was converted without the guest agent"
                sync
                poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
            fi
            echo "%s"
            if [ "$#" -gt 0 ]; then
                "$@"
                status=$?
                sync
                echo "agentkernel: command exited with status $status"
                poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
                exit "$status"
            fi
            if [ -n "$agent_pid" ]; then
                wait "$agent_pid"
            fi
            sync
            poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
            """.formatted(VERSION, READY_LINE);

    private InitScript() {
    }

    public static byte[] bytes() {
        return BODY.getBytes(StandardCharsets.UTF_8);
    }
}
