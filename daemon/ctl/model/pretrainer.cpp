#include "daemon/ctl/model/pretrainer.h"

#include <chrono>
#include <cmath>

namespace bahed::ctl {

Pretrainer::Pretrainer(const PretrainOptions& options, int64_t n_vocab) : options_(options) {
  torch::manual_seed(options.seed);
  encoder::LlmOptions llm;
  llm.n_layers_shallow = 0;  // the BAHE split does not matter for plain causal-LM training
  model_ = encoder::LlamaModel(options.model_config(n_vocab), llm);
  model_->train();

  // Decoupled weight decay on matrices; norm weights (1-d) are exempt, as
  // decaying a scale towards zero only fights the normalization.
  std::vector<torch::Tensor> decay, no_decay;
  for (const torch::Tensor& p : model_->parameters()) {
    parameters_.push_back(p);
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  auto adamw = [&](double weight_decay) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options.lr)
                                                            .betas({options.adam_beta1, options.adam_beta2})
                                                            .eps(1e-8)
                                                            .weight_decay(weight_decay));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, adamw(options.weight_decay));
  groups.emplace_back(no_decay, adamw(0.0));
  optimizer_ = std::make_unique<torch::optim::AdamW>(std::move(groups), *adamw(options.weight_decay));
}

Result<bool> Pretrainer::resume(const PretrainState& state) {
  BAHED_ASSIGN_OR_RETURN(std::optional<TrainProgress> loaded, state.load_latest(model_, *optimizer_));
  if (!loaded) return false;
  progress_ = *loaded;
  return true;
}

int64_t Pretrainer::n_parameters() const {
  int64_t n = 0;
  for (const torch::Tensor& p : parameters_) n += p.numel();
  return n;
}

int64_t Pretrainer::n_parameters_non_embedding() const {
  const auto& config = model_->config();
  return n_parameters() - config.n_vocab * config.hidden_size * (config.tie_word_embeddings ? 1 : 2);
}

double Pretrainer::step(PackedWindows& data) {
  const double lr = options_.lr_at(progress_.step);
  for (torch::optim::OptimizerParamGroup& group : optimizer_->param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  const int64_t seq_len = options_.seq_len;
  const torch::Tensor batch = data.batch(progress_.step, options_.batch_size);
  const torch::Tensor input = batch.slice(1, 0, seq_len);
  const torch::Tensor target = batch.slice(1, 1, seq_len + 1).reshape({-1});
  const torch::Tensor lengths = torch::full({options_.batch_size}, seq_len, torch::kInt64);

  optimizer_->zero_grad();
  const torch::Tensor logits = model_->forward_tokens(input, lengths);
  const torch::Tensor loss =
      torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), target);
  loss.backward();
  torch::nn::utils::clip_grad_norm_(parameters_, options_.grad_clip);
  optimizer_->step();
  ++progress_.step;
  progress_.tokens_seen += options_.batch_size * seq_len;
  return loss.item<double>();
}

Result<bool> Pretrainer::train(PackedWindows& data, const PackedWindows& heldout, const PretrainState& state,
                               const TrainHooks& hooks) {
  const int64_t total = options_.total_steps();
  try {
    while (progress_.step < total) {
      if (hooks.stop_requested && hooks.stop_requested()) {
        BAHED_RETURN_IF_ERROR(state.save_checkpoint(progress_, model_, *optimizer_));
        return false;
      }
      const double lr = options_.lr_at(progress_.step);
      const auto start = std::chrono::steady_clock::now();
      const double loss = step(data);
      progress_.train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!std::isfinite(loss)) {
        return Status::internal("the training loss became " + std::to_string(loss) + " at step " +
                                std::to_string(progress_.step) + "; try a lower --lr");
      }
      progress_.add_loss(loss);
      if (hooks.on_step) hooks.on_step(progress_, lr, loss);
      if (options_.eval_interval_steps > 0 && progress_.step % options_.eval_interval_steps == 0 &&
          progress_.step < total) {
        const HeldoutLoss eval = evaluate_model(model_, heldout, options_.batch_size, options_.eval_max_tokens);
        if (hooks.on_eval) hooks.on_eval(progress_, eval);
      }
      if (progress_.step % options_.checkpoint_interval_steps == 0 || progress_.step == total) {
        BAHED_RETURN_IF_ERROR(state.save_checkpoint(progress_, model_, *optimizer_));
      }
    }
  } catch (const c10::Error& e) {
    return Status::internal("training step " + std::to_string(progress_.step) + " failed: " +
                            e.what_without_backtrace());
  }
  return true;
}

}  // namespace bahed::ctl
