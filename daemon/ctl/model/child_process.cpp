#include "daemon/ctl/model/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace bahed::ctl {
namespace {

// The last `max_bytes` of a log, trimmed to whole lines, for error messages.
std::string log_tail(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > max_bytes) {
    text = text.substr(text.size() - max_bytes);
    if (const size_t nl = text.find('\n'); nl != std::string::npos) text = text.substr(nl + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// posix_spawn's two attribute objects, destroyed on every return path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  bool actions_ok = false;
  bool attr_ok = false;
  ~SpawnSetup() {
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
    if (attr_ok) posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

Status run_child_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::filesystem::path& log_path) {
  if (args.empty()) return Status::invalid_argument("run_child_process: no program given");
  std::vector<char*> argv;
  std::string cmdline;
  for (const std::string& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
    cmdline += (cmdline.empty() ? "" : " ") + a;
  }
  argv.push_back(nullptr);

  SpawnSetup setup;
  setup.actions_ok = posix_spawn_file_actions_init(&setup.actions) == 0;
  setup.attr_ok = posix_spawnattr_init(&setup.attr) == 0;
  if (!setup.actions_ok || !setup.attr_ok) return Status::internal("posix_spawn attribute init failed");
  const std::string cwd_string = cwd.string();
  // Absolute, because the child changes directory before opening it.
  std::error_code ec;
  const std::filesystem::path log_abs = std::filesystem::absolute(log_path, ec);
  if (ec) return Status::io_error("resolving " + log_path.string() + ": " + ec.message());
  const std::string log_string = log_abs.string();
  if (posix_spawn_file_actions_addchdir_np(&setup.actions, cwd_string.c_str()) != 0 ||
      posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, log_string.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644) != 0 ||
      posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO) != 0 ||
      posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0) {
    return Status::internal("posix_spawn file actions failed for '" + cmdline + "'");
  }
  sigset_t empty;
  sigemptyset(&empty);
  if (posix_spawnattr_setsigmask(&setup.attr, &empty) != 0 ||
      posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK) != 0) {
    return Status::internal("posix_spawnattr signal mask failed for '" + cmdline + "'");
  }

  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), environ);
  if (rc != 0) return Status::unavailable("cannot run '" + args[0] + "': " + std::strerror(rc));
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::internal("waitpid for '" + cmdline + "': " + std::strerror(errno));
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::ok();
  const std::string how = WIFEXITED(wstatus) ? "exited with status " + std::to_string(WEXITSTATUS(wstatus))
                                             : "was killed by signal " + std::to_string(WTERMSIG(wstatus));
  std::string message = "'" + cmdline + "' (in " + cwd_string + ") " + how;
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) message += " (program not found or could not start)";
  if (const std::string tail = log_tail(log_abs, 800); !tail.empty()) message += "; its output ends:\n" + tail;
  return Status::unavailable(message);
}

}  // namespace bahed::ctl
