#include "consumers/kafka_config.h"

namespace bahed::consumers {

Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const KafkaProperties& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, err) != RdKafka::Conf::CONF_OK)
      return Status::invalid_argument("kafka property '" + name + "': " + err);
  }
  return conf;
}

}  // namespace bahed::consumers
