#!/usr/bin/env bash
# Sets up a fresh machine, builds, prepares the real data and runs every test:
# the GoogleTest suites and end-to-end scripts through ctest, then each
# libFuzzer target for a bounded time under ASan/UBSan.
# Usage: ops/test.sh   (FUZZ_SECONDS=N to change the fuzzing budget; 0 skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash ops/setup.sh
bash ops/prepare_data.sh

echo "test: ctest" >&2
ctest --test-dir build -j"$(nproc)" --output-on-failure --timeout 900

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  echo "test: fuzzing ${FUZZ_SECONDS}s per target (clang, ASan+UBSan)" >&2
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DBAHED_FUZZ=ON -DBAHED_BUILD_TESTS=ON >/dev/null
  for target in event_decoder_fuzz safetensors_fuzz manifest_fuzz tokenizer_load_fuzz tokenizer_encode_fuzz config_fuzz; do
    cmake --build build-fuzz -j"$(nproc)" --target "$target" >/dev/null
    corpus=$(mktemp -d)
    cp tests/fuzz/corpus/"${target%_fuzz}"/* "$corpus"/
    ./build-fuzz/tests/fuzz/"$target" "$corpus" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -print_final_stats=1 \
      2>&1 | tail -n 3
    rm -rf "$corpus"
  done
fi
echo "test: all passed in $(( $(date +%s) - start ))s" >&2
