#pragma once
// Verifying published versions before anyone uses them. A version is valid
// when its manifest parses strictly, names the version its folder is named
// for, and the folder holds exactly the files the manifest lists (plus
// manifest.json), each with the listed size and SHA-256. Files are hashed in
// fixed-size chunks, so memory use does not grow with checkpoint size.
//
// These functions only read, never change the publish directory, and may run
// concurrently with a publisher (a version is immutable once visible;
// retention may delete an old one mid-verification, which then fails).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "checkpoints/manifest.h"
#include "common/result.h"

namespace bahed::checkpoints {

struct VersionInfo {
  int64_t version = 0;
  // The version's folder, `<publish_dir>/v000123`.
  std::filesystem::path dir;
  Manifest manifest;
};

// Why newest_valid() passed over an entry: "LATEST" or a version folder
// name, and the reason (a Status message naming the file).
struct SkippedVersion {
  std::string name;
  std::string reason;
};

// Verifies one version folder. Errors are Corruption (NotFound when there is
// no manifest) and name the offending file and what is wrong with it: a
// wrong size, a wrong sha256, a file missing or not listed in the manifest.
Result<VersionInfo> verify_version(const std::filesystem::path& version_dir);

// The version LATEST names, verified. Fails (naming LATEST's version and the
// bad file) rather than fall back: callers that must keep serving use
// newest_valid().
Result<VersionInfo> latest_verified(const std::filesystem::path& publish_dir);

// The newest version at or below LATEST that verifies (below the newest
// folder when LATEST is missing or unreadable). Versions newer than LATEST
// never finished publication and are skipped. Every entry passed over is
// appended to `skipped` when given, newest first. NotFound when none is valid.
Result<VersionInfo> newest_valid(const std::filesystem::path& publish_dir,
                                 std::vector<SkippedVersion>* skipped = nullptr);

}  // namespace bahed::checkpoints
