#pragma once
// Helpers for the behavior store tests: a temporary directory, store
// options over it, deterministic vectors, and a file system that fails
// writes on demand (for the sticky-error tests).
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "encoder/store/store_options.h"
#include "tests/common/temp_dir.h"

namespace bahed::encoder::testing {

using bahed::testing::TempDir;

// Small options for tests: a 1 MiB write buffer and cache keep them quick.
inline StoreOptions test_options(const std::string& path) {
  StoreOptions o;
  o.path = path;
  o.block_cache_bytes = 1 << 20;
  o.write_buffer_bytes = 1 << 20;
  o.hot_cache_entries = 16;
  o.history_length = 4;
  o.max_background_jobs = 1;
  return o;
}

// Values exactly representable in bf16 and fp16 (small integers / 8), so
// round trips compare equal.
inline std::vector<float> test_vector(uint32_t dimension, int seed) {
  std::vector<float> v(dimension);
  for (uint32_t i = 0; i < dimension; ++i)
    v[i] = static_cast<float>((seed * 31 + static_cast<int>(i) * 7) % 64 - 32) / 8.0f;
  return v;
}

// Every writable file fails Append/Flush/Sync while fail_writes is set,
// as a full or broken disk would.
class FailingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FailingFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), fail_writes);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), fail_writes);
    return s;
  }

  std::atomic<bool> fail_writes{false};

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> t, const std::atomic<bool>& fail)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(t)), fail_(fail) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      return fail_ ? injected() : target()->Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
      return fail_ ? injected() : target()->Append(d, o, v, dbg);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return fail_ ? injected() : target()->Flush(o, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return fail_ ? injected() : target()->Sync(o, dbg);
    }

   private:
    static rocksdb::IOStatus injected() { return rocksdb::IOStatus::IOError("injected write failure"); }
    const std::atomic<bool>& fail_;
  };
};

// An Env over a FailingFileSystem; keep `fs` to flip the switch.
struct FailingEnv {
  std::shared_ptr<FailingFileSystem> fs = std::make_shared<FailingFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
};

}  // namespace bahed::encoder::testing

#include "common/clock.h"
#include "encoder/store/behavior_store.h"

namespace bahed::encoder::testing {

// Opens read-write, failing the current test (and returning nullptr) on error.
inline std::unique_ptr<BehaviorStore> open_or_fail(const StoreOptions& options, const EncoderSpec& spec,
                                                   const Clock& clock, rocksdb::Env* env = nullptr) {
  Result<std::unique_ptr<BehaviorStore>> store = BehaviorStore::open(options, spec, clock, env);
  EXPECT_TRUE(store.is_ok()) << store.status().to_string();
  return store.is_ok() ? std::move(store).value() : nullptr;
}

// Writes one vector per key (test_vector(dimension, seed + i)).
inline Status put_test_vectors(BehaviorStore& store, const std::vector<BehaviorKey>& keys, int seed = 0) {
  std::vector<std::vector<float>> values;
  std::vector<VectorRecord> records;
  for (size_t i = 0; i < keys.size(); ++i)
    values.push_back(test_vector(store.encoder().dimension, seed + static_cast<int>(i)));
  for (size_t i = 0; i < keys.size(); ++i) records.push_back({keys[i], values[i]});
  return store.put_vectors(records);
}

// A behavior as the encoder sees it before normalization.
struct TestBehavior {
  std::string feature;
  std::string text;  // raw; put_test_behaviors normalizes it
};

// Writes each behavior with put_behaviors (vector test_vector(dimension,
// seed + i), normalized text); returns their keys, or the failure.
inline Result<std::vector<BehaviorKey>> put_test_behaviors(BehaviorStore& store,
                                                           const std::vector<TestBehavior>& behaviors, int seed = 0) {
  std::vector<std::string> texts;
  std::vector<std::vector<float>> values;
  std::vector<BehaviorKey> keys;
  for (size_t i = 0; i < behaviors.size(); ++i) {
    texts.push_back(normalize_behavior_text(behaviors[i].text));
    values.push_back(test_vector(store.encoder().dimension, seed + static_cast<int>(i)));
    keys.push_back({store.encoder().version, hash_behavior(behaviors[i].feature, texts.back())});
  }
  std::vector<BehaviorRecord> records;
  for (size_t i = 0; i < behaviors.size(); ++i) records.push_back({keys[i], behaviors[i].feature, texts[i], values[i]});
  BAHED_RETURN_IF_ERROR(store.put_behaviors(records));
  return keys;
}

inline HistoryUpdate update(const std::string& user, int32_t partition, int64_t offset, const std::string& text = "") {
  const std::string behavior = text.empty() ? "behavior at " + std::to_string(offset) : text;
  return HistoryUpdate{user, {hash_behavior("default", behavior), 1'700'000'000'000 + offset, partition, offset}};
}

}  // namespace bahed::encoder::testing
