#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for bahed and builds it (Release).
# Idempotent: packages already present are not reinstalled, and the build is
# incremental (ccache). Usage: ops/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Build and run dependencies. libopenblas0-pthread matters: with Debian's
# reference BLAS, LibTorch's matrix products are ~18x slower.
PACKAGES=(
  build-essential cmake pkg-config ccache git
  libtorch-dev libopenblas0-pthread libgloo-dev
  librdkafka-dev librocksdb-dev libxxhash-dev libboost-program-options-dev libspdlog-dev libfmt-dev
  libsimdjson-dev libyaml-cpp-dev libgtest-dev
  libsentencepiece-dev sentencepiece libpcre2-dev
  zlib1g-dev liblzma-dev libzstd-dev
  kcat gnuplot-nox
  clang libclang-rt-14-dev
  python3-torch python3-numpy
)
# npm fetches test vectors (node-llama-cpp). The machine image may ship its
# own Node.js; Debian's npm would conflict with it, so only install if absent.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# apt-get download (used for the data packages) needs fresh lists too.
stamp=/var/lib/apt/lists/.bahed-updated
if [ ${#missing[@]} -gt 0 ] || [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
  echo "setup: apt-get update" >&2
  $SUDO apt-get update -qq
  $SUDO touch "$stamp" 2>/dev/null || true
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "${1:-}" = "--no-build" ] && exit 0

jobs=$(nproc)
# ccache: a fresh clone elsewhere on the same machine still hits the cache,
# and translation units using torch's precompiled header are cacheable.
export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
echo "setup: built build/daemon/bahed and build/daemon/bahectl" >&2
