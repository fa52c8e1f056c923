#pragma once
// Reads a dead-letter topic from the beginning, as an operator's tool
// would, for the consumer tests.
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bahed::consumers::testing {

struct DeadLetterSeen {
  std::string key, payload;
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Up to `want` letters from partition 0 of `topic`, without joining a
// group; stops after 30 s.
inline std::vector<DeadLetterSeen> read_dead_letters(const std::string& bootstrap, const std::string& topic,
                                                     size_t want) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "dlq-reader", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> parts = {
      RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  consumer->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  std::vector<DeadLetterSeen> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen.size() < want && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    DeadLetterSeen d;
    if (m->key()) d.key = *m->key();
    d.payload.assign(static_cast<const char*>(m->payload()), m->len());
    if (auto* headers = m->headers()) {
      for (const auto& h : headers->get_all()) {
        d.headers[h.key()] = std::string(static_cast<const char*>(h.value()), h.value_size());
      }
    }
    seen.push_back(std::move(d));
  }
  consumer->close();
  return seen;
}

}  // namespace bahed::consumers::testing
