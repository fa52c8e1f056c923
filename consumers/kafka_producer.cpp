#include "consumers/kafka_producer.h"

#include <chrono>

namespace bahed::consumers {

void KafkaProducer::DeliveryReport::dr_cb(RdKafka::Message& message) {
  if (message.err() == RdKafka::ERR_NO_ERROR) {
    delivered.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  failed.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu);
  last_error = message.errstr();
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(const std::string& bootstrap_servers,
                                                             const KafkaProperties& properties, bool idempotent) {
  KafkaProperties props = properties;
  props["bootstrap.servers"] = bootstrap_servers;
  if (idempotent) props["enable.idempotence"] = "true";
  if (!props.count("linger.ms")) props["linger.ms"] = "5";
  BAHED_ASSIGN_OR_RETURN(auto conf, make_kafka_conf(props));
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer());
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&producer->delivery_), err) != RdKafka::Conf::CONF_OK)
    return Status::internal("setting the delivery callback: " + err);
  producer->producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer->producer_) return Status::invalid_argument("creating the Kafka producer: " + err);
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (producer_) producer_->flush(5000);  // backstop; callers flush explicitly
}

Status KafkaProducer::produce(const std::string& topic, std::string_view key, std::string_view payload,
                              const KafkaHeaders& headers, int queue_full_timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(queue_full_timeout_ms);
  while (true) {
    // librdkafka takes ownership of the headers only on success.
    std::unique_ptr<RdKafka::Headers> hdrs;
    if (!headers.empty()) {
      hdrs.reset(RdKafka::Headers::create());
      for (const auto& [name, value] : headers) hdrs->add(name, value.data(), value.size());
    }
    const RdKafka::ErrorCode err = producer_->produce(
        topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()),
        payload.size(), key.data(), key.size(), 0, hdrs.get(), nullptr);
    if (err == RdKafka::ERR_NO_ERROR) {
      hdrs.release();  // now owned by librdkafka
      producer_->poll(0);
      return Status::ok();
    }
    if (err != RdKafka::ERR__QUEUE_FULL)
      return Status::unavailable("producing to '" + topic + "': " + RdKafka::err2str(err));
    if (std::chrono::steady_clock::now() > deadline)
      return Status::timed_out("producing to '" + topic + "': local queue full for " +
                               std::to_string(queue_full_timeout_ms) + " ms");
    producer_->poll(100);
  }
}

void KafkaProducer::poll(int timeout_ms) { producer_->poll(timeout_ms); }

Status KafkaProducer::flush(int timeout_ms) {
  const RdKafka::ErrorCode err = producer_->flush(timeout_ms);
  if (err == RdKafka::ERR_NO_ERROR) return Status::ok();
  return Status::timed_out("flush: " + std::to_string(producer_->outq_len()) + " messages still in flight after " +
                           std::to_string(timeout_ms) + " ms");
}

int64_t KafkaProducer::n_in_flight() const { return producer_->outq_len(); }

std::string KafkaProducer::last_error() const {
  std::lock_guard lock(delivery_.mu);
  return delivery_.last_error;
}

}  // namespace bahed::consumers
