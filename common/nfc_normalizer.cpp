#include "common/nfc_normalizer.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/utf8.h"

namespace bahed {
namespace {

struct CombiningClassRange {
  uint32_t first;
  uint32_t last;
  uint8_t ccc;
};
struct Decomposition {
  uint32_t code_point;
  uint16_t offset;
  uint8_t length;
};
struct Composition {
  uint32_t first;
  uint32_t second;
  uint32_t composite;
};

#include "common/nfc_tables.inc"

// Hangul syllables compose and decompose arithmetically (Unicode ch. 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

// Marks a byte that was not valid UTF-8: it is copied back verbatim and acts
// as a starter that composes with nothing. Above the Unicode range, so it
// collides with no code point.
constexpr uint32_t kRawByteFlag = 0x80000000u;

uint8_t combining_class(uint32_t cp) {
  if (cp < 0x300 || (cp & kRawByteFlag)) return 0;
  auto it = std::upper_bound(std::begin(kCombiningClasses), std::end(kCombiningClasses), cp,
                             [](uint32_t value, const CombiningClassRange& r) { return value < r.first; });
  if (it == std::begin(kCombiningClasses)) return 0;
  --it;
  return cp <= it->last ? it->ccc : 0;
}

void decompose(uint32_t cp, std::vector<uint32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  if (cp >= 0xC0 && !(cp & kRawByteFlag)) {
    auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), cp,
                               [](const Decomposition& d, uint32_t value) { return d.code_point < value; });
    if (it != std::end(kDecompositions) && it->code_point == cp) {
      out.insert(out.end(), kDecompositionData + it->offset, kDecompositionData + it->offset + it->length);
      return;
    }
  }
  out.push_back(cp);
}

// The composite of a starter and a following character, or 0.
uint32_t compose_pair(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
      second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions), std::make_pair(first, second),
                             [](const Composition& c, const std::pair<uint32_t, uint32_t>& key) {
                               return c.first != key.first ? c.first < key.first : c.second < key.second;
                             });
  if (it != std::end(kCompositions) && it->first == first && it->second == second) return it->composite;
  return 0;
}

bool needs_work(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    const size_t n = utf8_sequence_length(text, pos);
    if (n > 1 && utf8_decode(text, pos, n) >= 0x300) return true;
    pos += n;
  }
  return false;
}

}  // namespace

std::string nfc_normalize(std::string_view text) {
  if (!needs_work(text)) return std::string(text);

  // 1. Full canonical decomposition.
  std::vector<uint32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = utf8_sequence_length(text, pos);
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (n == 1 && lead >= 0x80) {
      cps.push_back(kRawByteFlag | lead);
    } else {
      decompose(utf8_decode(text, pos, n), cps);
    }
    pos += n;
  }

  // 2. Canonical ordering: stable sort of each run of non-starters by class.
  for (size_t i = 0; i < cps.size();) {
    if (combining_class(cps[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && combining_class(cps[j]) != 0) ++j;
    std::stable_sort(cps.begin() + i, cps.begin() + j,
                     [](uint32_t a, uint32_t b) { return combining_class(a) < combining_class(b); });
    i = j;
  }

  // 3. Canonical composition: each character joins the last starter unless
  // a character in between blocks it (same or higher class, or a starter).
  std::vector<uint32_t> composed;
  composed.reserve(cps.size());
  size_t starter = SIZE_MAX;  // index into `composed`
  int last_class = -1;
  for (uint32_t cp : cps) {
    const int cls = combining_class(cp);
    if (starter != SIZE_MAX && (last_class < cls || (last_class == 0 && composed.size() == starter + 1))) {
      if (const uint32_t c = compose_pair(composed[starter], cp); c != 0 && !(cp & kRawByteFlag)) {
        composed[starter] = c;
        continue;
      }
    }
    if (cls == 0) starter = composed.size();
    last_class = cls;
    composed.push_back(cp);
  }

  std::string out;
  out.reserve(text.size());
  for (uint32_t cp : composed) {
    if (cp & kRawByteFlag) {
      out.push_back(static_cast<char>(cp & 0xFF));
    } else {
      utf8_append(cp, out);
    }
  }
  return out;
}

}  // namespace bahed
