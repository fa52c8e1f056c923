#!/usr/bin/env bash
# Fetches llama.cpp's tokenizer test vectors (models/ggml-vocab-*.gguf plus
# their .inp/.out pairs) into <data_dir>/npm/llama-vocab/.
#
# Usage: ops/fetch_llama_vocab.sh [data_dir]     (default: <repo>/data)
#
# Why npm: only Debian and the npm registry are reachable from our machines.
# The npm package node-llama-cpp ships llama.cpp's whole source tree as a git
# bundle (package/llama/gitRelease.bundle); its models/ folder holds the
# vocabulary-only GGUF files and the published inputs/expected token ids. The
# version is pinned so the vectors, and the pass counts the tests document,
# do not move under us. Idempotent: a stamp file records what was extracted,
# and a second run with the same pin does nothing.
set -euo pipefail

readonly NLC_VERSION="3.22.1"
# The llama.cpp commit inside that package's bundle (checked after fetching).
readonly LLAMA_CPP_COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${1:-${repo_root}/data}"
out_dir="${data_dir}/npm/llama-vocab"
stamp="${out_dir}/.fetched"
stamp_text="node-llama-cpp@${NLC_VERSION} llama.cpp@${LLAMA_CPP_COMMIT}"

if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${stamp_text}" ]]; then
  echo "fetch_llama_vocab: up to date in ${out_dir}"
  exit 0
fi

for tool in npm tar git; do
  command -v "${tool}" >/dev/null || { echo "fetch_llama_vocab: needs ${tool}" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "fetch_llama_vocab: npm pack node-llama-cpp@${NLC_VERSION}"
(cd "${work}" && npm pack --silent "node-llama-cpp@${NLC_VERSION}" >/dev/null)
tarball="$(ls "${work}"/node-llama-cpp-*.tgz)"
tar -xzf "${tarball}" -C "${work}" package/llama/gitRelease.bundle

# Read the bundle without a checkout: fetch its HEAD into a bare repository
# and archive only the vocabulary files.
git init -q --bare "${work}/llama.git"
git -C "${work}/llama.git" fetch -q "${work}/package/llama/gitRelease.bundle" HEAD
commit="$(git -C "${work}/llama.git" rev-parse FETCH_HEAD)"
if [[ "${commit}" != "${LLAMA_CPP_COMMIT}" ]]; then
  echo "fetch_llama_vocab: bundle holds llama.cpp ${commit}, expected ${LLAMA_CPP_COMMIT}" >&2
  exit 1
fi

# Built beside the destination and renamed into place, so a reader never sees
# a half-extracted folder.
mkdir -p "${data_dir}/npm"
staging="${out_dir}.tmp"
rm -rf "${staging}"
mkdir -p "${staging}"
git -C "${work}/llama.git" archive FETCH_HEAD -- 'models/ggml-vocab-*' LICENSE \
  | tar -x -C "${staging}"
mv "${staging}/models/"ggml-vocab-* "${staging}/"
mv "${staging}/LICENSE" "${staging}/LICENSE.llama.cpp"
rmdir "${staging}/models"
n_files="$(ls "${staging}" | grep -c '^ggml-vocab-')"
if (( n_files == 0 )); then
  echo "fetch_llama_vocab: no ggml-vocab-* files in the bundle" >&2
  exit 1
fi
echo "${stamp_text}" > "${staging}/.fetched"
rm -rf "${out_dir}"
mv "${staging}" "${out_dir}"
echo "fetch_llama_vocab: ${n_files} files in ${out_dir}"
