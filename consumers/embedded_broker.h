#pragma once
// EmbeddedBroker: librdkafka's mock cluster (rdkafka_mock.h), a real
// Kafka-protocol broker listening on loopback inside this process. It backs
// `bahectl broker`, the daemon's `kafka.bootstrap: embedded`, and the tests.
// Messages live in memory for the life of the object.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace bahed::consumers {

struct EmbeddedBrokerOptions {
  // Number of mock brokers in the cluster. Default: 1.
  int n_brokers = 1;
  // Topics created at start, as name or name:partitions. Default: none.
  std::vector<std::string> topics;
  // Partitions of a topic named without a count. Default: 4.
  int n_partitions = 4;

  Status validate() const;
};

class EmbeddedBroker {
 public:
  // Starts the cluster and creates the topics. Thread-safe once started.
  static Result<std::unique_ptr<EmbeddedBroker>> start(const EmbeddedBrokerOptions& options);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:port[,...]", for bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_; }

  Status create_topic(const std::string& name, int n_partitions);

  // For fault-injection tests: the raw mock cluster handle (see rdkafka_mock.h).
  rd_kafka_mock_cluster_s* mock_cluster() const { return cluster_; }

 private:
  EmbeddedBroker() = default;
  rd_kafka_s* handle_ = nullptr;             // owns the cluster's threads
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace bahed::consumers
