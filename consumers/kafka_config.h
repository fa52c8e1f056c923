#pragma once
// Building librdkafka configurations from string properties, with errors that
// name the offending property.
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace bahed::consumers {

using KafkaProperties = std::map<std::string, std::string>;

// A global configuration holding every property, in order. Fails naming the
// property librdkafka refused and librdkafka's reason.
Result<std::unique_ptr<RdKafka::Conf>> make_kafka_conf(const KafkaProperties& properties);

}  // namespace bahed::consumers
