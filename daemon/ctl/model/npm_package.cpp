#include "daemon/ctl/model/npm_package.h"

#include <unistd.h>

#include <cctype>
#include <system_error>

#include "daemon/ctl/model/child_process.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

// npm's rules for unscoped names: lowercase, digits, '-', '.', '_', not
// starting with '.' or '_', at most 214 characters. Checking it also keeps a
// name from being read as an option by npm or a path by tar.
bool is_valid_npm_name(const std::string& name) {
  if (name.empty() || name.size() > 214 || name[0] == '.' || name[0] == '_' || name[0] == '-') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status io_error(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return Status::io_error(what + " " + p.string() + ": " + ec.message());
}

// The first `<package>-<version>.tgz` in `dir`, or "".
fs::path find_tarball(const fs::path& dir, const std::string& package) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool versioned = name.size() > package.size() + 5 && name.compare(0, package.size() + 1, package + "-") == 0 &&
                           std::isdigit(static_cast<unsigned char>(name[package.size() + 1]));
    if (versioned && name.ends_with(".tgz")) return it->path();
  }
  return {};
}

// `npm pack` in a staging directory, then the tarball renamed into `npm_dir`,
// so a concurrent caller never sees a partial one.
Result<fs::path> pack_tarball(const std::string& package, const fs::path& npm_dir, const fs::path& log) {
  if (fs::path existing = find_tarball(npm_dir, package); !existing.empty()) return existing;
  std::error_code ec;
  const fs::path staging = npm_dir / (".pack-" + package + "-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return io_error("creating", staging, ec);
  if (Status st = run_child_process({"npm", "pack", "--silent", package}, staging, log); !st.is_ok()) {
    fs::remove_all(staging, ec);
    return Status::unavailable("fetching npm package " + package + " failed (is the npm registry reachable?): " +
                               st.message());
  }
  const fs::path fetched = find_tarball(staging, package);
  if (fetched.empty()) {
    fs::remove_all(staging, ec);
    return Status::unavailable("npm pack " + package + " succeeded but left no " + package + "-<version>.tgz");
  }
  const fs::path target = npm_dir / fetched.filename();
  fs::rename(fetched, target, ec);
  if (ec) return io_error("moving the tarball to", target, ec);
  fs::remove_all(staging, ec);
  return target;
}

}  // namespace

Result<fs::path> ensure_npm_package(const std::string& package, const fs::path& data_dir) {
  if (!is_valid_npm_name(package)) return Status::invalid_argument("not an npm package name: '" + package + "'");
  const fs::path npm_dir = data_dir / "npm";
  const fs::path root = npm_dir / package;
  std::error_code ec;
  if (fs::is_directory(root, ec)) return root;
  fs::create_directories(npm_dir, ec);
  if (ec) return io_error("creating", npm_dir, ec);
  const fs::path log = npm_dir / (package + ".log");

  BAHED_ASSIGN_OR_RETURN(const fs::path tarball, pack_tarball(package, npm_dir, log));
  const fs::path tmp = npm_dir / (package + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return io_error("creating", tmp, ec);
  if (Status st = run_child_process({"tar", "-xzf", fs::absolute(tarball).string(), "-C", fs::absolute(tmp).string()},
                                    npm_dir, log);
      !st.is_ok()) {
    fs::remove_all(tmp, ec);
    return Status::io_error("unpacking " + tarball.string() + " failed: " + st.message() +
                            " (the tarball may be corrupt; delete it to fetch it again)");
  }
  // npm tarballs hold everything under "package/".
  const fs::path unpacked = tmp / "package";
  if (!fs::is_directory(unpacked, ec)) {
    fs::remove_all(tmp, ec);
    return Status::corruption(tarball.string() + " has no package/ folder");
  }
  fs::rename(unpacked, root, ec);
  std::error_code ignored;
  fs::remove_all(tmp, ignored);
  if (ec) {
    // Another process finished first: its copy is as good as ours.
    if (fs::is_directory(root, ignored)) return root;
    return io_error("renaming " + unpacked.string() + " to", root, ec);
  }
  return root;
}

}  // namespace bahed::ctl
