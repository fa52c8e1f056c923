#include "consumers/embedded_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace bahed::consumers {

Status EmbeddedBrokerOptions::validate() const {
  if (n_brokers < 1 || n_brokers > 16) return Status::invalid_argument("n_brokers must be in [1, 16]");
  if (n_partitions < 1 || n_partitions > 1024) return Status::invalid_argument("n_partitions must be in [1, 1024]");
  for (const auto& t : topics) {
    if (t.empty() || t.front() == ':') return Status::invalid_argument("topic names must not be empty");
  }
  return Status::ok();
}

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::start(const EmbeddedBrokerOptions& options) {
  BAHED_RETURN_IF_ERROR(options.validate());
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The mock cluster runs on this handle's threads; it never sends anything.
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return Status::internal(std::string("mock broker config: ") + errstr);
  }
  broker->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!broker->handle_) {
    rd_kafka_conf_destroy(conf);
    return Status::internal(std::string("creating the mock broker's handle: ") + errstr);
  }
  broker->cluster_ = rd_kafka_mock_cluster_new(broker->handle_, options.n_brokers);
  if (!broker->cluster_) return Status::internal("rd_kafka_mock_cluster_new failed");
  broker->bootstrap_ = rd_kafka_mock_cluster_bootstraps(broker->cluster_);
  for (const auto& spec : options.topics) {
    std::string name = spec;
    int n_partitions = options.n_partitions;
    if (auto colon = spec.rfind(':'); colon != std::string::npos) {
      name = spec.substr(0, colon);
      try {
        n_partitions = std::stoi(spec.substr(colon + 1));
      } catch (const std::exception&) {
        return Status::invalid_argument("topic '" + spec + "': partitions after ':' must be a number");
      }
    }
    BAHED_RETURN_IF_ERROR(broker->create_topic(name, n_partitions));
  }
  return broker;
}

Status EmbeddedBroker::create_topic(const std::string& name, int n_partitions) {
  if (n_partitions < 1) return Status::invalid_argument("topic '" + name + "' needs at least one partition");
  const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, name.c_str(), n_partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::internal("creating topic '" + name + "': " + rd_kafka_err2str(err));
  return Status::ok();
}

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

}  // namespace bahed::consumers
