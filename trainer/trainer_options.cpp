#include "trainer/trainer_options.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace bahed::trainer {
namespace {

Status positive(std::string_view key, int64_t value) {
  if (value >= 1) return Status::ok();
  return Status::invalid_argument("trainer." + std::string(key) + " must be >= 1, got " + std::to_string(value));
}

Status finite_at_least(std::string_view key, double value, double min) {
  if (std::isfinite(value) && value >= min) return Status::ok();
  return Status::invalid_argument("trainer." + std::string(key) + " must be finite and >= " + std::to_string(min) +
                                  ", got " + std::to_string(value));
}

}  // namespace

std::string_view lr_schedule_name(LrSchedule schedule) {
  return schedule == LrSchedule::kConstant ? "constant" : "cosine";
}

std::optional<LrSchedule> parse_lr_schedule(std::string_view name) {
  if (name == "constant") return LrSchedule::kConstant;
  if (name == "cosine") return LrSchedule::kCosine;
  return std::nullopt;
}

Status TrainerOptions::validate() const {
  BAHED_RETURN_IF_ERROR(model.validate());
  BAHED_RETURN_IF_ERROR(batch.validate());
  BAHED_RETURN_IF_ERROR(positive("n_context", n_context));
  BAHED_RETURN_IF_ERROR(positive("n_targets_per_row", n_targets_per_row));
  BAHED_RETURN_IF_ERROR(positive("n_targets_per_step", n_targets_per_step));
  BAHED_RETURN_IF_ERROR(positive("max_pending_targets", max_pending_targets));
  BAHED_RETURN_IF_ERROR(positive("decay_steps", decay_steps));
  BAHED_RETURN_IF_ERROR(positive("auc_window", auc_window));
  if (max_wait_ms < 0) return Status::invalid_argument("trainer.max_wait_ms must be >= 0");
  if (warmup_steps < 0) return Status::invalid_argument("trainer.warmup_steps must be >= 0");
  if (!(std::isfinite(lr) && lr > 0)) return Status::invalid_argument("trainer.lr must be finite and > 0");
  BAHED_RETURN_IF_ERROR(finite_at_least("weight_decay", weight_decay, 0.0));
  BAHED_RETURN_IF_ERROR(finite_at_least("max_grad_norm", max_grad_norm, 0.0));
  if (!(beta1 >= 0 && beta1 < 1)) return Status::invalid_argument("trainer.beta1 must be in [0, 1)");
  if (!(beta2 >= 0 && beta2 < 1)) return Status::invalid_argument("trainer.beta2 must be in [0, 1)");
  if (!(std::isfinite(eps) && eps > 0)) return Status::invalid_argument("trainer.eps must be finite and > 0");
  if (!(min_lr_ratio >= 0 && min_lr_ratio <= 1)) {
    return Status::invalid_argument("trainer.min_lr_ratio must be in [0, 1]");
  }
  return Status::ok();
}

double learning_rate_at(const TrainerOptions& options, int64_t step) {
  if (step < options.warmup_steps) {
    return options.lr * static_cast<double>(step + 1) / static_cast<double>(options.warmup_steps);
  }
  if (options.lr_schedule == LrSchedule::kConstant) return options.lr;
  const double progress =
      std::min(1.0, static_cast<double>(step - options.warmup_steps) / static_cast<double>(options.decay_steps));
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return options.lr * (options.min_lr_ratio + (1.0 - options.min_lr_ratio) * cosine);
}

}  // namespace bahed::trainer
