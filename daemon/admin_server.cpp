#include "daemon/admin_server.h"

#include <pthread.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace bahed::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(5);

}  // namespace

class AdminServer::Impl {
 public:
  Impl(const AdminOptions& options, AdminHandler handler, Logger logger)
      : options_(options), handler_(std::move(handler)), logger_(std::move(logger)), acceptor_(ioc_) {}

  Status bind() {
    const ListenAddress hp = *parse_listen_address(options_.listen);
    boost::system::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(hp.host), hp.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::unavailable("admin.listen " + options_.listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::jthread([this] {
      pthread_setname_np(pthread_self(), "bahed-admin");
      ioc_.run();
    });
    logger_->info("admin_listening address={} port={} auth={}", hp.host, port_,
                  options_.bearer_token.empty() ? "none" : "bearer");
    return Status::ok();
  }

  void stop() {
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  // One connection: read one request, answer, close. Shared ownership keeps
  // it alive across its asynchronous steps (the asio idiom).
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket socket, Impl& server) : stream_(std::move(socket)), server_(server) {}
    void run() {
      stream_.expires_after(kRequestTimeout);
      http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec) self->respond();
      });
    }

   private:
    void respond() {
      response_ = server_.answer(request_);
      response_.prepare_payload();
      http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
    }
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    Impl& server_;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), *this)->run();
      accept();
    });
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    http::response<http::string_body> out;
    out.version(request.version());
    out.set(http::field::server, "bahed");
    out.set(http::field::cache_control, "no-store");
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find('?'));
    const auto reply = [&](int status, std::string body, std::string type) {
      out.result(static_cast<unsigned>(status));
      out.set(http::field::content_type, type);
      out.body() = request.method() == http::verb::head ? std::string() : std::move(body);
      return out;
    };
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      out.set(http::field::allow, "GET, HEAD");
      return reply(405, "only GET and HEAD\n", "text/plain; charset=utf-8");
    }
    if (!options_.bearer_token.empty() && target != "/healthz") {
      const auto auth = request[http::field::authorization];
      if (std::string_view(auth.data(), auth.size()) != "Bearer " + options_.bearer_token) {
        out.set(http::field::www_authenticate, "Bearer");
        return reply(401, "bearer token required\n", "text/plain; charset=utf-8");
      }
    }
    AdminResponse r = handler_(target);
    return reply(r.status, std::move(r.body), std::move(r.content_type));
  }

  const AdminOptions options_;
  AdminHandler handler_;
  Logger logger_;
  asio::io_context ioc_{1};
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::jthread thread_;  // last: stopped before the fields above go
};

Result<std::unique_ptr<AdminServer>> AdminServer::start(const AdminOptions& options, AdminHandler handler,
                                                        Logger logger) {
  BAHED_RETURN_IF_ERROR(options.validate());
  if (options.listen.empty()) return Status::invalid_argument("admin server disabled (admin.listen is empty)");
  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(logger));
  BAHED_RETURN_IF_ERROR(impl->bind());
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminServer::~AdminServer() { stop(); }
uint16_t AdminServer::port() const { return impl_->port(); }
void AdminServer::stop() {
  if (impl_) impl_->stop();
}

}  // namespace bahed::daemon
