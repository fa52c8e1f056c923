#pragma once
// UTC timestamps with milliseconds as manifests store them:
// "2023-11-14T22:13:20.123Z" (ISO 8601 / RFC 3339, always this one form).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bahed::checkpoints {

// Milliseconds since the Unix epoch to "YYYY-MM-DDTHH:MM:SS.mmmZ". Years
// outside 0000-9999 are clamped to that range's ends.
std::string format_utc_ms(int64_t epoch_ms);

// The inverse; nullopt unless `text` is exactly that form with a valid date
// and time of day.
std::optional<int64_t> parse_utc_ms(std::string_view text);

}  // namespace bahed::checkpoints
