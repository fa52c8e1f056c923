#pragma once
// bahed_checkpoints' public header: publishing versioned checkpoints and
// verifying them (design.md "Checkpoints").
//
//   <publish_dir>/v000123/{manifest.json, model.safetensors, ...}  immutable
//   <publish_dir>/LATEST                                           "v000123\n"
//
// publish() builds a version in `.tmp-v000123-<random>`, has the caller's
// writers fill it, hashes every file, writes manifest.json, fsyncs files and
// folder, renames the folder to v000123, fsyncs the publish directory, and
// only then replaces LATEST (LATEST.tmp, fsync, rename, fsync). A crash at
// any point leaves LATEST naming a complete version; the leftovers are
// removed by the next open(). Version numbers continue after the highest
// ever seen in the directory, across restarts.
//
// Readers use verify_version(), latest_verified() and newest_valid()
// (version_verifier.h, included here).
//
// Thread safety: a CheckpointPublisher is used from one thread (the trainer
// stage's); metrics() may be read from any thread. One publisher per
// directory, enforced with a lock file (open() fails with Unavailable).
// Blocking: publish() and open() do file I/O and fsyncs; publish() blocks for
// the writers plus one read of every file to hash it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "checkpoints/manifest.h"
#include "checkpoints/publish_dir_lock.h"
#include "checkpoints/publisher_metrics.h"
#include "checkpoints/publisher_options.h"
#include "checkpoints/version_verifier.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/result.h"
#include "common/status.h"

namespace bahed::checkpoints {

// One file of a version. `write` must create `file` (a path inside the
// temporary folder) and fill it completely, or return an error; it need not
// fsync (the publisher does). It must not create other files.
struct CheckpointFile {
  // A plain file name: "model.safetensors" (see is_valid_checkpoint_file_name).
  std::string name;
  std::function<Status(const std::filesystem::path& file)> write;

  // A file with already-serialized contents (e.g. safetensors bytes).
  static CheckpointFile from_bytes(std::string name, std::string bytes);
};

struct PublishedVersion {
  int64_t version = 0;
  // `<publish_dir>/v000123`.
  std::filesystem::path dir;
  // Exactly what manifest.json holds.
  Manifest manifest;
  // Wall time of publish(), writers and fsyncs included (the publication
  // pause when the caller's stage waits for it).
  int64_t duration_ms = 0;
  // Versions deleted by retention afterwards.
  std::vector<int64_t> removed_versions;
};

class CheckpointPublisher {
 public:
  // Creates `options.publish_dir` (mode options.dir_mode) when missing, takes
  // its lock, removes leftovers of a crash (.tmp-* folders, LATEST.tmp) and
  // finds the next version number. `clock` must outlive the publisher.
  static Result<std::unique_ptr<CheckpointPublisher>> open(PublisherOptions options, const Clock& clock,
                                                           Logger logger);
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;
  // Releases the directory lock. Nothing else to flush: every publish() is
  // complete when it returns.
  ~CheckpointPublisher();

  // Publishes `files` (at least one, names unique) as the next version with
  // `fields`, then applies retention. On error nothing becomes visible and
  // LATEST is unchanged (except when LATEST itself cannot be replaced: the
  // version folder then exists but readers skip it as unpublished); the
  // temporary folder is removed. Errors: InvalidArgument for bad names or
  // fields, the writer's own Status, IOError for the file system. A failed
  // retention is logged and counted, not returned: the version is published.
  Result<PublishedVersion> publish(const ManifestFields& fields, const std::vector<CheckpointFile>& files);

  // The number the next publish() will use.
  int64_t next_version() const { return next_version_; }
  // The version the next publish() names as its parent: the last one
  // published, or the one LATEST named at open; nullopt for none.
  std::optional<int64_t> parent() const { return parent_; }
  // After restoring from an older version than LATEST (newest_valid()
  // skipped a corrupt one), the next version descends from that one.
  void set_parent(std::optional<int64_t> version) { parent_ = version; }

  const PublisherOptions& options() const { return options_; }
  const PublisherMetrics& metrics() const { return metrics_; }

 private:
  CheckpointPublisher(PublisherOptions options, const Clock& clock, Logger logger, PublishDirLock lock);
  Result<PublishedVersion> publish_version(const ManifestFields& fields, const std::vector<CheckpointFile>& files);
  Status remove_stale_entries();
  Status find_next_version();
  // Fills `temp_dir` with the files and manifest.json; returns the manifest.
  Result<Manifest> build_version(const std::filesystem::path& temp_dir, Manifest manifest,
                                 const std::vector<CheckpointFile>& files);
  Status replace_latest(int64_t version);
  void apply_retention(int64_t latest, PublishedVersion& published);
  std::string random_suffix();

  PublisherOptions options_;
  const Clock& clock_;
  Logger logger_;
  PublishDirLock lock_;
  std::mt19937_64 rng_;
  int64_t next_version_ = 1;
  std::optional<int64_t> parent_;
  PublisherMetrics metrics_;
};

}  // namespace bahed::checkpoints
