#include "daemon/admin_options.h"

#include <arpa/inet.h>

#include <charconv>

namespace bahed::daemon {

std::optional<ListenAddress> parse_listen_address(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  ListenAddress out{listen.substr(0, colon), 0};
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  const auto [ptr, ec] = std::from_chars(begin, end, out.port);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  unsigned char address[16];
  if (inet_pton(AF_INET, out.host.c_str(), address) != 1 && inet_pton(AF_INET6, out.host.c_str(), address) != 1) {
    return std::nullopt;
  }
  return out;
}

Status AdminOptions::validate() const {
  if (listen.empty()) return Status::ok();
  if (!parse_listen_address(listen)) {
    return Status::invalid_argument("admin.listen must be IP:PORT (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464), got '" +
                                    listen + "'");
  }
  return Status::ok();
}

}  // namespace bahed::daemon
