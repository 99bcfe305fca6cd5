#!/bin/sh
# Builds the guest programs as static binaries into $1 (the Maven build passes target/classes/dev/agentkernel/guest):
#   agent  the guest agent, injected into every rootfs as /usr/bin/agent
#   init1  the stage-one init of generated initramfs images (kernels with modular virtio drivers)
# and, from guest/host/, two programs of the host side of sandbox networking (not guest programs, but static C
# carried in the jar the same way):
#   netproxy  the allowlist proxy QEMU's user network starts per guest connection (guestfwd cmd:)
#   libagentkernel-netpolicy.so  preloaded into QEMU in the default network mode: refuses connections and
#             datagrams to the host's loopback (and with --no-host-access its own addresses); a shared
#             library for the host's C library, so built with gcc, skipped with a warning without it
# musl-gcc when installed (small binaries), else gcc -static. Without a C compiler it warns and builds nothing:
# the jar still builds, and PackagedAgent says how to get an agent.
set -eu
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)

if command -v musl-gcc >/dev/null 2>&1; then
    cc=musl-gcc
elif command -v gcc >/dev/null 2>&1 && echo 'int main(void){return 0;}' | gcc -static -x c -o /dev/null - 2>/dev/null; then
    cc=gcc
else
    echo "[WARNING] guest/build.sh: no C compiler that links statically (install musl-tools or gcc);" \
         "the jar will carry no guest agent" >&2
    exit 0
fi

mkdir -p "$out"
flags="-std=gnu11 -O2 -Wall -Wextra -static -s"
# the agent is every guest/*.c but init1.c (a program of its own); guest/fuzz/ holds the fuzz target
set --
for f in "$src"/*.c; do
    [ "$f" = "$src/init1.c" ] || set -- "$@" "$f"
done
# shellcheck disable=SC2086
$cc $flags -o "$out/agent.tmp" "$@"
# shellcheck disable=SC2086
$cc $flags -o "$out/init1.tmp" "$src/init1.c"
# shellcheck disable=SC2086
$cc $flags -o "$out/netproxy.tmp" "$src/host/netproxy.c"
mv "$out/agent.tmp" "$out/agent"
mv "$out/init1.tmp" "$out/init1"
mv "$out/netproxy.tmp" "$out/netproxy"
if command -v gcc >/dev/null 2>&1; then
    gcc -std=gnu11 -O2 -Wall -Wextra -shared -fPIC -s -o "$out/libagentkernel-netpolicy.so.tmp" "$src/host/netpolicy.c"
    mv "$out/libagentkernel-netpolicy.so.tmp" "$out/libagentkernel-netpolicy.so"
else
    echo "[WARNING] guest/build.sh: no gcc, so no network policy library: the default network mode will refuse to start" >&2
fi
echo "guest/build.sh: built agent, init1 and netproxy with $cc into $out"
