#pragma once
// Fetches and unpacks a Debian package's files, without installing it: the
// project's real data sets (MovieLens in r-cran-dslabs, Jane Austen's novels
// in r-cran-janeaustenr) ship inside Debian packages.
#include <string>

#include "common/result.h"

namespace bahed::ctl {

// Returns the root of `package`'s extracted files, `<data_dir>/pkgs/<package>`
// (so its files are under e.g. `<root>/usr/lib/R/...`). If that directory
// exists it is returned as is. Otherwise the .deb is fetched with
// `apt-get download` into `<data_dir>/debs/` (reused when already there),
// unpacked with `dpkg -x` into a temporary directory and renamed into place,
// so a half-extracted package never has the final name and concurrent callers
// do not collide.
//
// Runs apt-get and dpkg directly (no shell), with the package name checked
// against Debian's naming rules. Blocks until both finish. Fails with
// InvalidArgument for a bad name, Unavailable when the download fails (the
// message suggests `apt-get update`), IOError for file system errors.
Result<std::string> ensure_debian_package(const std::string& package, const std::string& data_dir);

}  // namespace bahed::ctl
