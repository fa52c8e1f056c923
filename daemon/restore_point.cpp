#include "daemon/restore_point.h"

#include "checkpoints/scorer/published_model.h"
#include "daemon/training_state_dir.h"

namespace bahed::daemon {

Result<std::optional<RestorePoint>> find_restore_point(const std::filesystem::path& publish_dir,
                                                       const std::filesystem::path& state_dir, const Logger& logger,
                                                       int64_t* n_refused) {
  std::vector<checkpoints::SkippedVersion> skipped;
  Result<checkpoints::VersionInfo> newest = checkpoints::newest_valid(publish_dir, &skipped);
  for (const auto& s : skipped) logger->warn("version_skipped name={} reason=\"{}\"", s.name, s.reason);
  if (n_refused) *n_refused = static_cast<int64_t>(skipped.size());
  if (!newest.is_ok()) {
    if (newest.status().code() == StatusCode::kNotFound) return std::optional<RestorePoint>();
    return newest.status();
  }
  RestorePoint point{std::move(newest).value(), std::nullopt};
  point.state = find_training_state(state_dir, point.version.version);
  return std::optional<RestorePoint>(std::move(point));
}

Status restore_trainer(const RestorePoint& point, const ModelIdentity& identity, trainer::Trainer& trainer,
                       const Logger& logger) {
  const checkpoints::ManifestFields& fields = point.version.manifest.fields;
  const std::string version = point.version.dir.string();
  if (fields.base_model_fingerprint != identity.base_model_fingerprint) {
    return Status::invalid_argument(
        version + " was trained from another base model (fingerprint " + fields.base_model_fingerprint +
        ", this one " + identity.base_model_fingerprint +
        "): point encoder.model_dir at that model, or checkpoints.publish_dir and checkpoints.state_dir at new "
        "folders to start a new lineage");
  }
  if (fields.encoder_fingerprint != identity.encoder_fingerprint) {
    return Status::invalid_argument(
        version + " was trained on behavior vectors of another encoder (fingerprint " + fields.encoder_fingerprint +
        ", this one " + identity.encoder_fingerprint +
        "): restore the encoder.* settings it used, or point checkpoints.publish_dir and checkpoints.state_dir at "
        "new folders to start a new lineage");
  }
  if (point.state) {
    BAHED_RETURN_IF_ERROR(trainer.restore(*point.state));
    if (trainer.n_steps() != fields.step) {
      return Status::corruption(point.state->string() + " holds step " + std::to_string(trainer.n_steps()) +
                                ", the manifest of " + version + " step " + std::to_string(fields.step));
    }
  } else {
    logger->warn("training_state_missing version={}: continuing from its published weights with fresh optimizer "
                 "moments",
                 point.version.version);
    BAHED_RETURN_IF_ERROR(checkpoints::read_model_safetensors(point.version.dir / "model.safetensors", trainer.model()));
  }
  trainer.resume_lineage(fields.step, fields.targets_trained, fields.audit);
  logger->info("restored version={} step={} targets_trained={} optimizer_state={} partitions={}",
               point.version.version, fields.step, fields.targets_trained, point.state ? "restored" : "fresh",
               fields.offsets.size());
  return Status::ok();
}

}  // namespace bahed::daemon
