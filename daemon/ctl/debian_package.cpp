#include "daemon/ctl/debian_package.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

extern char** environ;

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

// Debian policy 5.6.1: lowercase letters, digits, '+', '-', '.', starting
// with an alphanumeric, at least two characters. Checking it also keeps a
// name from being read as an option by apt-get or dpkg.
bool is_valid_package_name(const std::string& name) {
  if (name.size() < 2 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Runs argv[0] (looked up in PATH) in `cwd` and waits for it; fails unless it
// exits with status 0. No shell is involved, so arguments are passed verbatim.
Status run_program(const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::string cmdline;
  for (const auto& a : args) cmdline += (cmdline.empty() ? "" : " ") + a;

  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return Status::internal("posix_spawn_file_actions_init failed");
  struct Destroy {
    posix_spawn_file_actions_t* a;
    ~Destroy() { posix_spawn_file_actions_destroy(a); }
  } destroy{&actions};
  if (posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str()) != 0)
    return Status::internal("posix_spawn_file_actions_addchdir_np failed");
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  if (rc != 0) return Status::unavailable("cannot run '" + args[0] + "': " + std::strerror(rc));
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::internal("waitpid for '" + cmdline + "': " + std::strerror(errno));
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::ok();
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
    return Status::unavailable("'" + args[0] + "' was not found or could not start (exit 127) running '" + cmdline + "'");
  const std::string how = WIFEXITED(wstatus) ? "exited with status " + std::to_string(WEXITSTATUS(wstatus))
                                             : "was killed by signal " + std::to_string(WTERMSIG(wstatus));
  return Status::unavailable("'" + cmdline + "' " + how);
}

// The first `<package>_*.deb` in `dir`, or "".
std::string find_deb(const fs::path& dir, const std::string& package) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(package + "_", 0) == 0 && name.size() > 4 && name.compare(name.size() - 4, 4, ".deb") == 0)
      return it->path().string();
  }
  return "";
}

Status io_error(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return Status::io_error(what + " " + p.string() + ": " + ec.message());
}

// Downloads into a private directory first, then renames into debs/, so a
// concurrent caller never sees a partial .deb.
Result<std::string> download_deb(const std::string& package, const fs::path& debs) {
  std::error_code ec;
  fs::create_directories(debs, ec);
  if (ec) return io_error("creating", debs, ec);
  if (std::string existing = find_deb(debs, package); !existing.empty()) return existing;
  const fs::path staging = debs / (".download-" + package + "-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return io_error("creating", staging, ec);
  Status st = run_program({"apt-get", "download", package}, staging.string());
  if (!st.is_ok()) {
    fs::remove_all(staging, ec);
    return Status::unavailable("downloading Debian package " + package + " failed: " + st.message() +
                               ". If apt does not know the package, run `apt-get update` (as root) and retry, "
                               "or pass --package-dir with an already extracted copy.");
  }
  const std::string fetched = find_deb(staging, package);
  if (fetched.empty()) {
    fs::remove_all(staging, ec);
    return Status::unavailable("apt-get download " + package + " succeeded but left no " + package + "_*.deb");
  }
  const fs::path target = debs / fs::path(fetched).filename();
  fs::rename(fetched, target, ec);
  if (ec) return io_error("moving the .deb to", target, ec);
  fs::remove_all(staging, ec);
  return target.string();
}

}  // namespace

Result<std::string> ensure_debian_package(const std::string& package, const std::string& data_dir) {
  if (!is_valid_package_name(package)) return Status::invalid_argument("not a Debian package name: '" + package + "'");
  const fs::path pkgs = fs::path(data_dir) / "pkgs";
  const fs::path root = pkgs / package;
  std::error_code ec;
  if (fs::is_directory(root, ec)) return root.string();

  BAHED_ASSIGN_OR_RETURN(std::string deb, download_deb(package, fs::path(data_dir) / "debs"));
  fs::create_directories(pkgs, ec);
  if (ec) return io_error("creating", pkgs, ec);
  const fs::path tmp = pkgs / (package + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  Status st = run_program({"dpkg", "-x", deb, tmp.string()}, ".");
  if (!st.is_ok()) {
    fs::remove_all(tmp, ec);
    return Status::io_error("unpacking " + deb + " failed: " + st.message() +
                            " (the .deb may be corrupt; delete it to fetch it again)");
  }
  fs::rename(tmp, root, ec);
  if (ec) {
    // Another process finished first: its copy is as good as ours.
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    if (fs::is_directory(root, ignored)) return root.string();
    return io_error("renaming " + tmp.string() + " to", root, ec);
  }
  return root.string();
}

}  // namespace bahed::ctl
