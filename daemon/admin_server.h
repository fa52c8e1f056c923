#pragma once
// AdminServer: the daemon's HTTP endpoint for operators and monitoring
// (/metrics, /healthz, /readyz, /status). Boost.Beast on one named thread
// ("bahed-admin"), asynchronous, each request bounded by a timeout so a slow
// client cannot hold the thread. GET and HEAD only; the handler maps a path
// to a response and must be safe to call from the admin thread (it reads
// the stages' atomic metrics).
//
// Security: binds loopback unless told otherwise; with a bearer token set,
// every path except /healthz (liveness probes carry no secrets) requires
// `Authorization: Bearer <token>`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/logger.h"
#include "common/result.h"
#include "daemon/admin_options.h"

namespace bahed::daemon {

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(std::string_view path)>;

class AdminServer {
 public:
  // Binds and starts serving. Unavailable when the address cannot be bound
  // (in use, not local), naming it.
  static Result<std::unique_ptr<AdminServer>> start(const AdminOptions& options, AdminHandler handler, Logger logger);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The port actually bound (useful with port 0).
  uint16_t port() const;
  // Stops accepting and joins the thread. Idempotent.
  void stop();

 private:
  class Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bahed::daemon
