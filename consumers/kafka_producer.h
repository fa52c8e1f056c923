#pragma once
// KafkaProducer: an idempotent librdkafka producer with delivery reports
// counted, for the dead-letter topic and `bahectl replay`. Thread-safe
// (librdkafka's producer is); delivery callbacks run in the thread that
// calls poll() or flush().
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "consumers/kafka_config.h"

namespace bahed::consumers {

using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

class KafkaProducer {
 public:
  // `properties` pass through to librdkafka (SASL/SSL included); bootstrap
  // and idempotence are set on top of them.
  static Result<std::unique_ptr<KafkaProducer>> create(const std::string& bootstrap_servers,
                                                       const KafkaProperties& properties, bool idempotent = true);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Enqueues one message (copied). When librdkafka's local queue is full it
  // serves delivery reports and retries for up to `queue_full_timeout_ms`.
  Status produce(const std::string& topic, std::string_view key, std::string_view payload,
                 const KafkaHeaders& headers = {}, int queue_full_timeout_ms = 30000);

  // Serves delivery reports.
  void poll(int timeout_ms);
  // Waits until every message is delivered or failed; TimedOut names how
  // many are still in flight.
  Status flush(int timeout_ms);

  int64_t n_delivered() const { return delivery_.delivered.load(); }
  int64_t n_failed() const { return delivery_.failed.load(); }
  int64_t n_in_flight() const;
  // The last delivery error, empty if none.
  std::string last_error() const;

 private:
  class DeliveryReport : public RdKafka::DeliveryReportCb {
   public:
    void dr_cb(RdKafka::Message& message) override;
    std::atomic<int64_t> delivered{0};
    std::atomic<int64_t> failed{0};
    mutable std::mutex mu;
    std::string last_error;  // guarded by mu
  };

  KafkaProducer() = default;
  // Declared before the handle so it outlives it.
  DeliveryReport delivery_;
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace bahed::consumers
