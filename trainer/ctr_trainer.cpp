#include "trainer/ctr_trainer.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "trainer/batch_planner.h"
#include "trainer/row_batch.h"
#include "trainer/training_state.h"

namespace bahed::trainer {
namespace {

// AdamW with decoupled weight decay on matrices only: decaying norm scales,
// biases or the SUM vector towards zero would only fight their meaning.
std::unique_ptr<torch::optim::AdamW> make_optimizer(CtrModelImpl& model, const TrainerOptions& options) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const torch::Tensor& p : model.trainable_parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  auto group_options = [&](double weight_decay) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options.lr)
                                                            .betas({options.beta1, options.beta2})
                                                            .eps(options.eps)
                                                            .weight_decay(weight_decay));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, group_options(options.weight_decay));
  groups.emplace_back(no_decay, group_options(0.0));
  return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(options.lr));
}

CtrModel make_model(const encoder::LlamaModel& base, const TrainerOptions& options) {
  const Status status = options.validate();
  TORCH_CHECK(status.is_ok(), "Trainer: ", status.to_string());
  torch::manual_seed(options.seed);
  return CtrModel(base, options.model);
}

// Runs `fn(batch, rows)` over micro-batches of `layouts` planned by
// `options`, where `rows` are the layouts' indices in the batch.
template <typename Fn>
void for_each_micro_batch(const std::vector<RowLayout>& layouts, const BatchPlanOptions& options,
                          const torch::Device& device, Fn&& fn) {
  std::vector<int64_t> n_slots;
  n_slots.reserve(layouts.size());
  for (const RowLayout& layout : layouts) n_slots.push_back(layout.n_slots());
  for (const std::vector<size_t>& group : plan_batches(n_slots, options)) {
    std::vector<const RowLayout*> pointers;
    for (const size_t index : group) pointers.push_back(&layouts[index]);
    fn(collate_rows(pointers).to(device), group);
  }
}

// Copies a micro-batch's logits into `out`, where each layout's targets start
// at first_target[layout].
void scatter_logits(const torch::Tensor& logits, const std::vector<size_t>& group,
                    const std::vector<RowLayout>& layouts, const std::vector<int64_t>& first_target,
                    std::vector<float>& out) {
  const torch::Tensor cpu = logits.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const float* data = cpu.data_ptr<float>();
  for (const size_t index : group) {
    const int64_t n = layouts[index].n_targets();
    std::copy(data, data + n, out.begin() + first_target[index]);
    data += n;
  }
}

// Labels in row order, and where each row's targets start in it.
std::vector<int64_t> target_offsets(const std::vector<RowLayout>& layouts, std::vector<float>* labels) {
  std::vector<int64_t> first(layouts.size() + 1, 0);
  for (size_t i = 0; i < layouts.size(); ++i) {
    first[i + 1] = first[i] + layouts[i].n_targets();
    labels->insert(labels->end(), layouts[i].labels.begin(), layouts[i].labels.end());
  }
  return first;
}

}  // namespace

Trainer::Trainer(const encoder::LlamaModel& base, const TrainerOptions& options, const Clock& clock,
                 const TokenTable* tokens)
    : options_(options),
      model_(make_model(base, options)),
      builder_({options.model.granularity, options.n_context, options.fused_target_slot}, tokens),
      optimizer_(make_optimizer(*model_, options)),
      trainable_(model_->trainable_parameters()),
      pending_(options.n_targets_per_row, options.max_wait_ms, options.max_pending_targets, clock),
      progressive_(options.auc_window) {}

std::vector<RowLayout> Trainer::layouts(std::span<const RowSpec> rows) const {
  std::vector<RowLayout> out;
  out.reserve(rows.size());
  for (const RowSpec& row : rows) out.push_back(builder_.build(row));
  return out;
}

StepReport Trainer::train_step(std::span<const RowSpec> rows, const torch::Tensor& vectors) {
  TORCH_CHECK(!rows.empty(), "Trainer::train_step: no rows");
  const std::vector<RowLayout> laid = layouts(rows);
  StepReport report;
  const std::vector<int64_t> first_target = target_offsets(laid, &report.labels);
  report.step = n_steps_;
  report.n_rows = static_cast<int64_t>(rows.size());
  report.n_targets = first_target.back();
  report.logits.resize(static_cast<size_t>(report.n_targets));
  const double scale = 1.0 / static_cast<double>(report.n_targets);

  model_->train();
  for_each_micro_batch(laid, options_.batch, model_->device(), [&](const RowBatch& batch, const auto& group) {
    const torch::Tensor logits = model_->forward(batch, vectors);
    const torch::Tensor loss =
        torch::binary_cross_entropy_with_logits(logits, batch.labels.to(logits.scalar_type()), {}, {},
                                                at::Reduction::Sum) *
        scale;
    loss.backward();
    report.loss += loss.item<double>();
    report.micro_batches.push_back({batch.n_rows(), batch.n_slots(), batch.n_targets()});
    scatter_logits(logits, group, laid, first_target, report.logits);
  });

  apply_gradients(report.n_targets, &report);
  n_targets_trained_ += report.n_targets;
  progressive_.add(report.logits, report.labels);
  return report;
}

bool Trainer::apply_gradients(int64_t n_targets, StepReport* report) {
  if (reducer_ != nullptr && reducer_->reduce(trainable_, n_targets) == 0) {
    optimizer_->zero_grad();
    return false;
  }
  // Clipping at infinity only measures the norm.
  report->grad_norm = torch::nn::utils::clip_grad_norm_(
      trainable_, options_.max_grad_norm > 0 ? options_.max_grad_norm : std::numeric_limits<double>::infinity());
  report->learning_rate = learning_rate_at(options_, n_steps_);
  for (torch::optim::OptimizerParamGroup& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(report->learning_rate);
  }
  optimizer_->step();
  optimizer_->zero_grad();
  ++n_steps_;
  return true;
}

void Trainer::exchange_state(const std::function<void(std::vector<torch::Tensor>&)>& exchange) {
  torch::NoGradGuard no_grad;
  auto& states = optimizer_->state();
  std::vector<torch::optim::AdamWParamState*> adam;
  std::vector<torch::Tensor> tensors;
  for (const torch::optim::OptimizerParamGroup& group : optimizer_->param_groups()) {
    for (const torch::Tensor& p : group.params()) {
      // libtorch keys optimizer state by the address of the parameter's TensorImpl, as text.
      auto& slot = states[c10::guts::to_string(p.unsafeGetTensorImpl())];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto* state = static_cast<torch::optim::AdamWParamState*>(slot.get());
      adam.push_back(state);
      tensors.push_back(p);
      tensors.push_back(state->exp_avg());
      tensors.push_back(state->exp_avg_sq());
    }
  }
  // Step counts ride along as float32 (exact below 2^24 steps): the
  // trainer's, then each parameter's AdamW step.
  std::vector<float> counts = {static_cast<float>(n_steps_)};
  for (const auto* state : adam) counts.push_back(static_cast<float>(state->step()));
  torch::Tensor steps = torch::tensor(counts, torch::kFloat32);
  tensors.push_back(steps);
  exchange(tensors);
  n_steps_ = std::llround(steps[0].item<double>());
  for (size_t i = 0; i < adam.size(); ++i) adam[i]->step(std::llround(steps[static_cast<int64_t>(i) + 1].item<double>()));
}

bool Trainer::idle_step() {
  if (reducer_ == nullptr) return false;
  model_->train();
  StepReport report;
  return apply_gradients(0, &report);
}

EvalReport Trainer::evaluate(std::span<const RowSpec> rows, const torch::Tensor& vectors) {
  const std::vector<RowLayout> laid = layouts(rows);
  EvalReport report;
  const std::vector<int64_t> first_target = target_offsets(laid, &report.labels);
  report.n_targets = first_target.back();
  report.logits.resize(static_cast<size_t>(report.n_targets));
  model_->eval();
  {
    torch::NoGradGuard no_grad;
    for_each_micro_batch(laid, options_.batch, model_->device(), [&](const RowBatch& batch, const auto& group) {
      scatter_logits(model_->forward(batch, vectors), group, laid, first_target, report.logits);
    });
  }
  model_->train();
  report.auc = exact_auc(report.logits, report.labels);
  report.logloss = mean_logloss(report.logits, report.labels);
  return report;
}

Status Trainer::add(const EncodedBatch& batch) {
  if (options_.model.granularity != SlotGranularity::kBehavior) {
    return Status::invalid_argument("trainer: streaming needs trainer.granularity=behavior");
  }
  const int64_t hidden = model_->llm()->config().hidden_size;
  if (!batch.targets.empty() && static_cast<int64_t>(batch.dimension) != hidden) {
    return Status::invalid_argument("trainer: behavior vectors of dimension " + std::to_string(batch.dimension) +
                                    " for a model of hidden size " + std::to_string(hidden));
  }
  try {
    return pending_.add(batch);
  } catch (const c10::Error& e) {
    return Status::internal(std::string("trainer: ") + e.what_without_backtrace());
  }
}

Result<std::optional<StepReport>> Trainer::step() {
  try {
    pending_.emit_expired();
    const std::vector<ReadyRow> ready = pending_.take_ready(options_.n_targets_per_step);
    if (ready.empty()) return std::optional<StepReport>();
    // One table for the step: each row's vectors after the previous rows'.
    const int64_t dimension = pending_.dimension();
    std::vector<RowSpec> specs;
    std::vector<float> table;
    for (const ReadyRow& row : ready) {
      const auto offset = static_cast<int64_t>(table.size()) / dimension;
      RowSpec spec = row.spec;
      for (int64_t& id : spec.behaviors) id += offset;
      for (RowTarget& target : spec.targets) target.item += offset;
      specs.push_back(std::move(spec));
      table.insert(table.end(), row.vectors.begin(), row.vectors.end());
    }
    const auto n_vectors = static_cast<int64_t>(table.size()) / dimension;
    const torch::Tensor vectors = torch::from_blob(table.data(), {n_vectors, dimension}, torch::kFloat32)
                                      .to(model_->device(), model_->dtype(), /*non_blocking=*/false, /*copy=*/true);
    StepReport report = train_step(specs, vectors);
    pending_.mark_trained(ready);
    for (const ReadyRow& row : ready)
      for (const SourcePosition& source : row.sources) audit_.add(source);
    return std::optional<StepReport>(std::move(report));
  } catch (const c10::Error& e) {
    optimizer_->zero_grad();  // a failed step leaves no partial gradients behind
    return Status::internal(std::string("trainer step: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {  // the group's transport (gloo) failed
    optimizer_->zero_grad();
    return Status::unavailable(std::string("trainer step (gradient reduction): ") + e.what());
  }
}

Status Trainer::save(const std::filesystem::path& dir) {
  return save_training_state(dir, *model_, *optimizer_, n_steps_);
}

Status Trainer::restore(const std::filesystem::path& dir) {
  return load_training_state(dir, *model_, *optimizer_, &n_steps_);
}

void Trainer::resume_lineage(int64_t n_steps, int64_t n_targets_trained, TargetAudit audit) {
  n_steps_ = n_steps;
  n_targets_trained_ = n_targets_trained;
  audit_ = std::move(audit);
}

}  // namespace bahed::trainer
