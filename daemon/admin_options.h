#pragma once
// AdminOptions: where the admin HTTP endpoint listens and whether it wants
// a bearer token. Apart from the server so that validating a configuration
// does not need the HTTP stack.
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace bahed::daemon {

struct AdminOptions {
  // host:port to listen on; port 0 picks a free one; empty disables the
  // server. Default: "127.0.0.1:9464".
  std::string listen = "127.0.0.1:9464";
  // Required as `Authorization: Bearer <token>` on every path but /healthz
  // when set (use ${env:NAME}). Default: "" (none).
  std::string bearer_token;

  Status validate() const;
};

struct ListenAddress {
  std::string host;  // a numeric IPv4 or IPv6 address, without brackets
  uint16_t port = 0;
};

// "IP:PORT" or "[IPv6]:PORT"; nullopt for anything else (host names too:
// the admin endpoint binds one address, on purpose).
std::optional<ListenAddress> parse_listen_address(const std::string& listen);

}  // namespace bahed::daemon
