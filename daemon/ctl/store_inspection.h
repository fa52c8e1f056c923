#pragma once
// What the `bahectl store` commands share: opening a behavior store
// read-only for inspection (choosing the encoder version it is opened for)
// and formatting its keys, versions and times.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "encoder/store/behavior_store.h"

namespace bahed::ctl {

// A store opened read-only for inspection, with what meta records.
struct InspectedStore {
  std::unique_ptr<encoder::BehaviorStore> store;
  encoder::RecordedEncoders recorded;
};

// Options for inspecting the store at `path`: defaults, except that
// histories are read whole whatever H the writer used.
encoder::StoreOptions inspection_options(const std::string& path);

// Opens the store at `path` read-only. The EncoderSpec comes from meta: for
// `version` if given (NotFound if the store records no such version), else
// for the version of the store's last read-write open. Opening through
// BehaviorStore::recorded_encoders first is what lets an operator inspect a
// store without knowing its encoder's fingerprint and dimension.
Result<InspectedStore> open_for_inspection(const std::string& path, std::optional<uint64_t> version,
                                           const Clock& clock);

// "0x" and 16 hex digits: how encoder versions are printed everywhere.
std::string version_hex(uint64_t version);
// Decimal, or hexadecimal with a 0x prefix; nullopt otherwise.
std::optional<uint64_t> parse_version(std::string_view text);
// Lower-case hex of exactly `n_bytes` bytes into raw bytes; nullopt if the
// text is not that.
std::optional<std::string> parse_hex_bytes(std::string_view text, size_t n_bytes);
// "feature: "text"" (the text JSON-quoted, so control characters show), or
// "-" for a behavior the texts family does not know.
std::string describe_text(const std::optional<encoder::BehaviorText>& text);
// `s` padded with spaces to `width` columns, on the right (left-aligned) or
// on the left (right-aligned); ASCII content.
std::string pad_column(const std::string& s, size_t width, bool right_aligned = false);
// Milliseconds since the Unix epoch as ISO-8601 UTC: 2023-11-14T22:13:20.000Z.
std::string iso8601_utc(int64_t epoch_ms);

}  // namespace bahed::ctl
