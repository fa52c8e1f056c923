#pragma once
// Transparent string hash, so maps keyed by std::string can be searched with
// a std::string_view without building a temporary string per look-up (the
// BPE loop looks up every character of every pre-token). Private to
// encoder/tokenizer/.
#include <functional>
#include <string>
#include <string_view>

namespace bahed::encoder {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  size_t operator()(const std::string& s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace bahed::encoder
