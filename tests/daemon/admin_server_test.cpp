#include "daemon/admin_server.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/daemon/http_get.h"

namespace bahed::daemon {
namespace {

namespace http = boost::beast::http;

AdminResponse echo(std::string_view path) {
  if (path == "/missing") return {404, "text/plain", "no\n"};
  return {200, "text/plain", "path=" + std::string(path) + "\n"};
}

TEST(AdminServer, AnswersWithTheHandlersResponseWhenAsked) {
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  auto server = AdminServer::start(options, echo, make_null_logger("admin"));
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  ASSERT_GT((*server)->port(), 0);
  const auto reply = testing::http_request((*server)->port(), "/status?verbose=1");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "path=/status\n");  // the query string is not part of the path
  EXPECT_EQ(testing::http_request((*server)->port(), "/missing").status, 404);
}

TEST(AdminServer, RefusesOtherMethodsThanGetAndHead) {
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  auto server = AdminServer::start(options, echo, make_null_logger("admin"));
  ASSERT_TRUE(server.is_ok());
  EXPECT_EQ(testing::http_request((*server)->port(), "/metrics", "", http::verb::post).status, 405);
  const auto head = testing::http_request((*server)->port(), "/metrics", "", http::verb::head);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(AdminServer, RequiresTheBearerTokenExceptOnHealthzWhenOneIsSet) {
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  options.bearer_token = "s3cret";
  auto server = AdminServer::start(options, echo, make_null_logger("admin"));
  ASSERT_TRUE(server.is_ok());
  const uint16_t port = (*server)->port();
  EXPECT_EQ(testing::http_request(port, "/metrics").status, 401);
  EXPECT_EQ(testing::http_request(port, "/metrics", "wrong").status, 401);
  EXPECT_EQ(testing::http_request(port, "/metrics", "s3cret").status, 200);
  EXPECT_EQ(testing::http_request(port, "/healthz").status, 200);
}

TEST(AdminServer, FailsNamingTheAddressWhenThePortIsTaken) {
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  auto first = AdminServer::start(options, echo, make_null_logger("admin"));
  ASSERT_TRUE(first.is_ok());
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = AdminServer::start(options, echo, make_null_logger("admin"));
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.status().message().find(options.listen), std::string::npos) << second.status().to_string();
}

TEST(AdminOptions, RefusesListenAddressesThatAreNotIpAndPort) {
  AdminOptions options;
  for (const char* bad : {"localhost:9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", ":9464", "1.2.3:80"}) {
    options.listen = bad;
    const Status s = options.validate();
    EXPECT_FALSE(s.is_ok()) << bad;
    EXPECT_NE(s.message().find("admin.listen"), std::string::npos);
  }
  for (const char* good : {"127.0.0.1:9464", "[::1]:0", "0.0.0.0:80", ""}) {
    options.listen = good;
    EXPECT_TRUE(options.validate().is_ok()) << good;
  }
}

}  // namespace
}  // namespace bahed::daemon
