#include "checkpoints/version_verifier.h"

#include <sys/stat.h>

#include <set>
#include <system_error>

#include "checkpoints/file_io.h"
#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {
namespace {

// Every directory entry must be the manifest or a listed file.
Status check_no_unlisted_files(const std::filesystem::path& dir, const Manifest& manifest) {
  std::set<std::string, std::less<>> listed;
  for (const ManifestFile& file : manifest.files) listed.insert(file.name);
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == kManifestFileName || listed.contains(name)) continue;
    return Status::corruption((dir / name).string() + ": not listed in the manifest");
  }
  if (ec) return Status::io_error("cannot list " + dir.string() + ": " + ec.message());
  return Status::ok();
}

Status check_file(const std::filesystem::path& dir, const ManifestFile& file) {
  const auto path = dir / file.name;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::corruption(path.string() + ": missing (the manifest lists it)");
  }
  if (!S_ISREG(st.st_mode)) return Status::corruption(path.string() + ": not a regular file");
  const auto on_disk = static_cast<uint64_t>(st.st_size);
  if (on_disk != file.size_bytes) {
    return Status::corruption(path.string() + ": " + std::to_string(on_disk) + " bytes, the manifest says " +
                              std::to_string(file.size_bytes) + (on_disk < file.size_bytes ? " (truncated)" : ""));
  }
  Result<FileDigest> digest = digest_file(path, /*sync=*/false);
  if (!digest.is_ok()) return digest.status();
  if (digest->size_bytes != file.size_bytes) {
    return Status::corruption(path.string() + ": changed size while being verified");
  }
  if (digest->sha256 != file.sha256) {
    return Status::corruption(path.string() + ": sha256 " + digest->sha256 + " does not match the manifest's " +
                              file.sha256);
  }
  return Status::ok();
}

}  // namespace

Result<VersionInfo> verify_version(const std::filesystem::path& version_dir) {
  std::filesystem::path dir = version_dir;
  if (!dir.has_filename()) dir = dir.parent_path();  // "…/v000001/"
  BAHED_ASSIGN_OR_RETURN(Manifest manifest, read_manifest(dir));
  // A folder named for a version must hold that version (no swapped folders);
  // a renamed copy ("backup/") is accepted as what its manifest says.
  const auto named = parse_version_dir_name(dir.filename().string());
  if (named && *named != manifest.version) {
    return Status::corruption((dir / kManifestFileName).string() + ": describes version " +
                              std::to_string(manifest.version) + ", not " + std::to_string(*named));
  }
  BAHED_RETURN_IF_ERROR(check_no_unlisted_files(dir, manifest));
  for (const ManifestFile& file : manifest.files) BAHED_RETURN_IF_ERROR(check_file(dir, file));
  VersionInfo info;
  info.version = manifest.version;
  info.dir = std::move(dir);
  info.manifest = std::move(manifest);
  return info;
}

Result<VersionInfo> latest_verified(const std::filesystem::path& publish_dir) {
  BAHED_ASSIGN_OR_RETURN(const int64_t latest, read_latest(publish_dir));
  const std::string name = version_dir_name(latest);
  Result<VersionInfo> info = verify_version(publish_dir / name);
  if (!info.is_ok()) return info.status().with_context("LATEST names " + name + ", which fails verification");
  return info;
}

Result<VersionInfo> newest_valid(const std::filesystem::path& publish_dir, std::vector<SkippedVersion>* skipped) {
  const auto skip = [&](std::string name, std::string reason) {
    if (skipped) skipped->push_back(SkippedVersion{std::move(name), std::move(reason)});
  };
  BAHED_ASSIGN_OR_RETURN(std::vector<int64_t> versions, list_versions(publish_dir));
  std::optional<int64_t> latest;
  if (Result<int64_t> read = read_latest(publish_dir); read.is_ok()) {
    latest = *read;
  } else {
    skip(std::string(kLatestFileName), read.status().to_string() + "; trying every version");
  }
  std::string reasons;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const std::string name = version_dir_name(*it);
    if (latest && *it > *latest) {
      skip(name, "newer than LATEST (" + version_dir_name(*latest) + "): its publication did not complete");
      continue;
    }
    Result<VersionInfo> info = verify_version(publish_dir / name);
    if (info.is_ok()) return info;
    reasons.append(reasons.empty() ? "" : "; ").append(info.status().message());
    skip(name, info.status().to_string());
  }
  return Status::not_found("no valid version in " + publish_dir.string() + (reasons.empty() ? "" : ": " + reasons));
}

}  // namespace bahed::checkpoints
