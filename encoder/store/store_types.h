#pragma once
// Value types of the behavior store's API: what the encoder is, what goes
// in, what comes out.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encoder/store/behavior_key.h"
#include "encoder/store/half_float.h"
#include "encoder/store/store_options.h"

namespace bahed::encoder {

// The shallow encoder the store is opened for. Vectors of other versions are
// never read or written through this store object.
struct EncoderSpec {
  // Fingerprint of shallow weights, L_s, pooling and token limit.
  uint64_t version = 0;
  // Length of every vector of this version.
  uint32_t dimension = 0;

  Status validate() const;
};

struct EncoderVersionInfo {
  uint64_t version = 0;
  uint32_t dimension = 0;
  bool operator==(const EncoderVersionInfo&) const = default;
};

// What `meta` records about encoder versions, read without opening the store
// for one (BehaviorStore::recorded_encoders).
struct RecordedEncoders {
  // The version of the last read-write open ("encoder/current"); nullopt if
  // the store was never opened read-write.
  std::optional<EncoderVersionInfo> last_opened;
  // Every recorded version, ascending by version (not by age).
  std::vector<EncoderVersionInfo> all;
};

// What open() found in `meta`.
struct OpenReport {
  // The version this store object serves.
  EncoderVersionInfo current;
  // The version the store was last opened with read-write; nullopt for a
  // new store.
  std::optional<EncoderVersionInfo> previous;
  // Every recorded version other than `current`, ascending: their vectors
  // are dead weight until drop_encoder_version removes them.
  std::vector<EncoderVersionInfo> other_versions;
  // False when a read-only or secondary open found no record of `current`
  // (no primary has written this version yet: every lookup will miss).
  bool current_known = true;

  bool encoder_changed() const { return previous.has_value() && previous->version != current.version; }
};

// One vector to write. `values` must have the store's dimension.
struct VectorRecord {
  BehaviorKey key;
  std::span<const float> values;
};

// One behavior to write with put_behaviors: its vector and its text. The
// strings and values are borrowed for the call.
struct BehaviorRecord {
  // Of the store's encoder version; key.behavior must equal
  // hash_behavior(feature, normalized_text).
  BehaviorKey key;
  std::string_view feature;
  // normalize_behavior_text's output: the string the vector encodes.
  std::string_view normalized_text;
  // The store's dimension.
  std::span<const float> values;
};

// A behavior's text as multi_get_texts returns it.
struct BehaviorText {
  std::string feature;
  std::string text;  // normalized
  bool operator==(const BehaviorText&) const = default;
};

// The answer for one key of multi_get_vectors.
struct VectorLookup {
  bool found = false;
  // The stored values (already rounded to the stored dtype); empty if not
  // found.
  std::vector<float> values;
  // The dtype the vector is stored in; meaningful only if found.
  VectorDtype dtype = VectorDtype::kBf16;
};

// `value` as a vector of `dtype` stores it: what a reader of the store gets
// back. Freshly encoded vectors go through this too, so a behavior's vector
// is the same number whether it was just encoded or read back.
inline float round_to_vector_dtype(float value, VectorDtype dtype) {
  return dtype == VectorDtype::kFp16 ? fp16_to_float(float_to_fp16(value)) : bf16_to_float(float_to_bf16(value));
}

}  // namespace bahed::encoder
