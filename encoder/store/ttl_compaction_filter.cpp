#include "encoder/store/ttl_compaction_filter.h"

#include <optional>
#include <string_view>

#include "encoder/store/vector_codec.h"

namespace bahed::encoder {
namespace {

// One per compaction, with that compaction's today.
class TtlCompactionFilter final : public rocksdb::CompactionFilter {
 public:
  TtlCompactionFilter(uint32_t today, uint32_t ttl_days) : today_(today), ttl_days_(ttl_days) {}

  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& existing_value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    const std::optional<VectorHeader> header =
        parse_vector_header(std::string_view(existing_value.data(), existing_value.size()));
    return header && is_expired(header->last_seen_day, today_, ttl_days_);
  }
  const char* Name() const override { return "bahed.TtlCompactionFilter"; }

 private:
  const uint32_t today_;
  const uint32_t ttl_days_;
};

}  // namespace

std::unique_ptr<rocksdb::CompactionFilter> TtlCompactionFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  return std::make_unique<TtlCompactionFilter>(epoch_day(clock_.now_ms()), ttl_days_);
}

}  // namespace bahed::encoder
