#pragma once
// Value types of the behavior store's API: what the encoder is, what goes
// in, what comes out.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"
#include "encoder/store/behavior_key.h"

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

// The answer for one key of multi_get_vectors.
struct VectorLookup {
  bool found = false;
  // The stored values (already rounded to the stored dtype); empty if not
  // found.
  std::vector<float> values;
};

}  // namespace bahed::encoder
