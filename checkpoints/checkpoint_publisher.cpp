#include "checkpoints/checkpoint_publisher.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <system_error>

#include "checkpoints/file_io.h"
#include "checkpoints/retention.h"
#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {
namespace {

Status errno_status(std::string_view what, const std::filesystem::path& path) {
  std::string msg(what);
  msg.append(" ").append(path.string()).append(": ").append(std::strerror(errno));
  return Status::io_error(std::move(msg));
}

// Removes a half-built version folder unless released. Removal is best
// effort: a leftover is a `.tmp-` folder that the next open() removes.
class TempFolder {
 public:
  explicit TempFolder(std::filesystem::path path) : path_(std::move(path)) {}
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort, see above
  }
  void release() { path_.clear(); }

 private:
  std::filesystem::path path_;
};

Status create_publish_dir(const PublisherOptions& options) {
  const std::filesystem::path& dir = options.publish_dir;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::ok();
  const std::filesystem::path parent = dir.has_parent_path() ? dir.parent_path() : ".";
  std::filesystem::create_directories(parent, ec);
  if (ec) return Status::io_error("cannot create " + parent.string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), options.dir_mode) != 0 && errno != EEXIST) return errno_status("cannot create", dir);
  if (options.fsync) BAHED_RETURN_IF_ERROR(sync_directory(parent));
  return Status::ok();
}

Status check_files(const std::vector<CheckpointFile>& files) {
  if (files.empty()) return Status::invalid_argument("a version needs at least one file");
  std::set<std::string_view> names;
  for (const CheckpointFile& file : files) {
    if (!is_valid_checkpoint_file_name(file.name)) {
      return Status::invalid_argument("checkpoint file name '" + file.name + "' is not allowed");
    }
    if (!names.insert(file.name).second) return Status::invalid_argument("checkpoint file '" + file.name + "' given twice");
    if (!file.write) return Status::invalid_argument("checkpoint file '" + file.name + "' has no writer");
  }
  return Status::ok();
}

// Writers may only create the files they were asked for.
Status check_only_declared(const std::filesystem::path& temp_dir, const std::vector<CheckpointFile>& files) {
  std::set<std::string, std::less<>> names;
  for (const CheckpointFile& file : files) names.insert(file.name);
  std::error_code ec;
  std::filesystem::directory_iterator it(temp_dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!names.contains(name)) return Status::internal("a writer left the undeclared entry '" + name + "'");
  }
  if (ec) return Status::io_error("cannot list " + temp_dir.string() + ": " + ec.message());
  return Status::ok();
}

}  // namespace

CheckpointFile CheckpointFile::from_bytes(std::string name, std::string bytes) {
  auto contents = std::make_shared<const std::string>(std::move(bytes));
  return CheckpointFile{std::move(name), [contents](const std::filesystem::path& file) {
                          return write_file(file, *contents, 0640, /*sync=*/false);  // the publisher fsyncs
                        }};
}

CheckpointPublisher::CheckpointPublisher(PublisherOptions options, const Clock& clock, Logger logger,
                                         PublishDirLock lock)
    : options_(std::move(options)), clock_(clock), logger_(std::move(logger)), lock_(std::move(lock)),
      rng_(std::random_device{}()) {}

CheckpointPublisher::~CheckpointPublisher() = default;

Result<std::unique_ptr<CheckpointPublisher>> CheckpointPublisher::open(PublisherOptions options, const Clock& clock,
                                                                       Logger logger) {
  BAHED_RETURN_IF_ERROR(options.validate());
  BAHED_RETURN_IF_ERROR(create_publish_dir(options));
  BAHED_ASSIGN_OR_RETURN(PublishDirLock lock, PublishDirLock::acquire(options.publish_dir, options.file_mode()));
  if (!logger) logger = make_null_logger("checkpoints");
  std::unique_ptr<CheckpointPublisher> publisher(
      new CheckpointPublisher(std::move(options), clock, std::move(logger), std::move(lock)));
  BAHED_RETURN_IF_ERROR(publisher->remove_stale_entries());
  BAHED_RETURN_IF_ERROR(publisher->find_next_version());
  publisher->logger_->info("checkpoint_publisher_opened dir={} next_version={} parent={}",
                           publisher->options_.publish_dir.string(), publisher->next_version_,
                           publisher->parent_ ? version_dir_name(*publisher->parent_) : "none");
  return publisher;
}

Status CheckpointPublisher::remove_stale_entries() {
  const std::filesystem::path& dir = options_.publish_dir;
  std::vector<std::filesystem::path> stale;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(kTempPrefix) || name == kLatestTempFileName) stale.push_back(it->path());
  }
  if (ec) return Status::io_error("cannot list " + dir.string() + ": " + ec.message());
  for (const auto& path : stale) {
    std::filesystem::remove_all(path, ec);
    if (ec) return Status::io_error("cannot remove the leftover " + path.string() + ": " + ec.message());
    ++metrics_.n_stale_temp_removed;
    logger_->warn("checkpoint_stale_temp_removed path={}", path.string());
  }
  if (!stale.empty() && options_.fsync) BAHED_RETURN_IF_ERROR(sync_directory(dir));
  return Status::ok();
}

Status CheckpointPublisher::find_next_version() {
  BAHED_ASSIGN_OR_RETURN(const std::vector<int64_t> versions, list_versions(options_.publish_dir));
  int64_t highest = versions.empty() ? 0 : versions.back();
  parent_.reset();
  Result<int64_t> latest = read_latest(options_.publish_dir);
  if (latest.is_ok()) {
    parent_ = *latest;
    highest = std::max(highest, *latest);
    metrics_.latest_version = *latest;
  } else if (latest.status().code() != StatusCode::kNotFound) {
    ++metrics_.n_bad_latest;
    logger_->warn("checkpoint_bad_latest error=\"{}\"", latest.status().to_string());
  }
  next_version_ = highest + 1;
  return Status::ok();
}

std::string CheckpointPublisher::random_suffix() {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng_()));
  return buf;
}

Result<PublishedVersion> CheckpointPublisher::publish(const ManifestFields& fields,
                                                      const std::vector<CheckpointFile>& files) {
  const int64_t start_ms = clock_.steady_ms();
  Result<PublishedVersion> published = publish_version(fields, files);
  if (!published.is_ok()) {
    ++metrics_.n_publish_failures;
    logger_->warn("checkpoint_publish_failed version={} error=\"{}\"", version_dir_name(next_version_),
                  published.status().to_string());
    return published;
  }
  published->duration_ms = clock_.steady_ms() - start_ms;
  metrics_.last_publish_ms = published->duration_ms;
  uint64_t size_bytes = 0;
  for (const ManifestFile& file : published->manifest.files) size_bytes += file.size_bytes;
  logger_->info("checkpoint_published version={} step={} targets_trained={} n_files={} size_bytes={} "
                "duration_ms={} n_removed={}",
                version_dir_name(published->version), published->manifest.fields.step,
                published->manifest.fields.targets_trained, published->manifest.files.size(), size_bytes,
                published->duration_ms, published->removed_versions.size());
  return published;
}

Result<PublishedVersion> CheckpointPublisher::publish_version(const ManifestFields& fields,
                                                              const std::vector<CheckpointFile>& files) {
  BAHED_RETURN_IF_ERROR(check_files(files));
  Manifest manifest;
  BAHED_ASSIGN_OR_RETURN(manifest.fields, checked_manifest_fields(fields));
  manifest.version = next_version_;
  manifest.parent = parent_;
  manifest.created_at_ms = clock_.now_ms();

  const std::string name = version_dir_name(manifest.version);
  const auto temp_dir = options_.publish_dir / (std::string(kTempPrefix) + name + "-" + random_suffix());
  if (::mkdir(temp_dir.c_str(), options_.dir_mode) != 0) return errno_status("cannot create", temp_dir);
  TempFolder temp_guard(temp_dir);
  BAHED_ASSIGN_OR_RETURN(manifest, build_version(temp_dir, std::move(manifest), files));

  const auto final_dir = options_.publish_dir / name;
  if (::renameat2(AT_FDCWD, temp_dir.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_NOREPLACE) != 0) {
    const Status failed = errno_status("cannot rename " + temp_dir.string() + " to", final_dir);
    find_next_version().ignore();  // re-reads the numbers on disk; the rename error is what matters
    return failed;
  }
  temp_guard.release();
  next_version_ = manifest.version + 1;  // taken from here on, even if LATEST cannot move
  if (options_.fsync) BAHED_RETURN_IF_ERROR(sync_directory(options_.publish_dir));
  BAHED_RETURN_IF_ERROR(replace_latest(manifest.version));

  parent_ = manifest.version;
  ++metrics_.n_published;
  metrics_.latest_version = manifest.version;
  PublishedVersion published;
  published.version = manifest.version;
  published.dir = final_dir;
  published.manifest = std::move(manifest);
  apply_retention(published.version, published);
  return published;
}

Result<Manifest> CheckpointPublisher::build_version(const std::filesystem::path& temp_dir, Manifest manifest,
                                                    const std::vector<CheckpointFile>& files) {
  for (const CheckpointFile& file : files) {
    const std::filesystem::path path = temp_dir / file.name;
    const Status written = file.write(path);
    if (!written.is_ok()) return written.with_context("writing checkpoint file " + file.name);
    // The writers create files with the process umask (0644 as a rule): the
    // publisher owns the version's permissions, so every file gets file_mode.
    if (::chmod(path.c_str(), options_.file_mode()) != 0 && errno != ENOENT) return errno_status("cannot set the mode of", path);
  }
  BAHED_RETURN_IF_ERROR(check_only_declared(temp_dir, files));
  for (const CheckpointFile& file : files) {
    Result<FileDigest> digest = digest_file(temp_dir / file.name, options_.fsync);
    if (!digest.is_ok()) {
      if (digest.status().code() == StatusCode::kNotFound) {
        return Status::internal("the writer of " + file.name + " returned OK without creating it");
      }
      return digest.status();
    }
    manifest.files.push_back(ManifestFile{file.name, digest->size_bytes, std::move(digest->sha256)});
  }
  BAHED_RETURN_IF_ERROR(write_file(temp_dir / kManifestFileName, serialize_manifest(manifest), options_.file_mode(),
                                   options_.fsync));
  if (options_.fsync) BAHED_RETURN_IF_ERROR(sync_directory(temp_dir));
  return manifest;
}

Status CheckpointPublisher::replace_latest(int64_t version) {
  const auto temp = options_.publish_dir / kLatestTempFileName;
  const auto latest = options_.publish_dir / kLatestFileName;
  BAHED_RETURN_IF_ERROR(write_file(temp, version_dir_name(version) + "\n", options_.file_mode(), options_.fsync));
  if (::rename(temp.c_str(), latest.c_str()) != 0) return errno_status("cannot rename " + temp.string() + " to", latest);
  if (options_.fsync) BAHED_RETURN_IF_ERROR(sync_directory(options_.publish_dir));
  return Status::ok();
}

void CheckpointPublisher::apply_retention(int64_t latest, PublishedVersion& published) {
  RetentionOutcome outcome = remove_old_versions(options_.publish_dir, options_.keep_versions, latest, random_suffix());
  for (int64_t version : outcome.removed) {
    ++metrics_.n_versions_removed;
    logger_->debug("checkpoint_version_removed version={}", version_dir_name(version));
  }
  for (const std::string& failure : outcome.failures) {
    ++metrics_.n_retention_failures;
    logger_->warn("checkpoint_retention_failed error=\"{}\"", failure);
  }
  if (options_.fsync && !outcome.removed.empty()) {
    const Status synced = sync_directory(options_.publish_dir);
    if (!synced.is_ok()) {
      ++metrics_.n_retention_failures;
      logger_->warn("checkpoint_retention_failed error=\"{}\"", synced.to_string());
    }
  }
  published.removed_versions = std::move(outcome.removed);
}

}  // namespace bahed::checkpoints
