#!/bin/sh
# Builds the libFuzzer target agent_input_fuzz (ASan + UBSan, every UBSan finding fatal) into $1.
# Needs clang with its libFuzzer runtime (Debian: clang-14 libclang-rt-14-dev; scripts/install-deps installs them).
# GuestFuzzTest runs it; by hand:
#   guest/fuzz/build.sh /tmp/fz && /tmp/fz/agent_input_fuzz -max_total_time=60 /tmp/corpus guest/fuzz/corpus
set -eu
out=${1:?usage: build.sh OUTPUT_DIR}
fuzz=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$fuzz")
cc=${CLANG:-}
if [ -z "$cc" ]; then
    for c in clang-14 clang; do
        if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
    done
fi
[ -n "$cc" ] || { echo "guest/fuzz/build.sh: clang is not installed (scripts/install-deps installs it)" >&2; exit 2; }
mkdir -p "$out"
# the agent's input code and what it links to; nothing that starts processes or touches files is called
"$cc" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -o "$out/agent_input_fuzz.tmp" "$fuzz/agent_input_fuzz.c" \
    "$src/json.c" "$src/frame.c" "$src/fields.c" "$src/signals.c" "$src/exec.c" "$src/pty.c" "$src/util.c" \
    "$src/copy_entry.c" "$src/base64.c"
mv "$out/agent_input_fuzz.tmp" "$out/agent_input_fuzz"
echo "guest/fuzz/build.sh: built agent_input_fuzz with $cc into $out"
