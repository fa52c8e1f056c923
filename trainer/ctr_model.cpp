#include "trainer/ctr_model.h"

#include <set>
#include <string>

#include "encoder/llm/attention.h"
#include "trainer/attention_bias.h"

namespace bahed::trainer {
namespace {

// Mean of src rows per owner: [n_owners, hidden].
torch::Tensor segment_mean(const torch::Tensor& src, const torch::Tensor& owner, int64_t n_owners) {
  const torch::Tensor sum = torch::zeros({n_owners, src.size(1)}, src.options()).index_add_(0, owner, src);
  const torch::Tensor count = torch::bincount(owner, {}, n_owners).clamp_min(1).to(src.scalar_type());
  return sum / count.unsqueeze(1);
}

torch::Tensor rms_normalize(const torch::Tensor& x, double eps) {
  return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps);
}

// Per-dimension std of the action embedding at init, relative to the slot's
// RMS: the embedding's norm starts at ~0.3 of the state's (ctr_model.h).
constexpr double kActionEmbeddingInit = 0.3;

}  // namespace

CtrModelImpl::CtrModelImpl(const encoder::LlamaModel& base, const CtrModelOptions& options) : options_(options) {
  const Status status = options.validate();
  TORCH_CHECK(status.is_ok(), "CtrModel: ", status.to_string());
  const encoder::ModelConfig& config = base->config();
  llm_ = register_module("llm", encoder::LlamaModel(config, base->options()));
  llm_->to(base->device(), base->dtype());
  const torch::Device device = base->device();
  const torch::ScalarType dtype = base->dtype();

  // Deep layers and the final norm are copied and trained; everything else
  // (embeddings, shallow layers, lm_head) aliases the base's frozen tensors.
  std::set<const void*> deep;
  for (const torch::Tensor& p : llm_->deep_parameters()) deep.insert(p.unsafeGetTensorImpl());
  for (const auto& item : llm_->named_parameters()) {
    if (item.key().rfind("lm_head.", 0) == 0) deep.erase(item.value().unsafeGetTensorImpl());
  }
  const auto base_params = base->named_parameters();
  {
    torch::NoGradGuard no_grad;
    for (auto& item : llm_->named_parameters()) {
      torch::Tensor p = item.value();
      const torch::Tensor& source = base_params[item.key()];
      if (deep.count(p.unsafeGetTensorImpl()) > 0) {
        p.copy_(source);
        trainable_.push_back(p);
      } else {
        p.set_data(source);
        p.requires_grad_(false);
      }
    }
  }
  sum_vector_ = register_parameter(
      "sum_vector", torch::randn({config.hidden_size}, torch::kFloat32).mul_(config.initializer_range).to(device, dtype));
  action_embedding_ = register_parameter(
      "action_embedding",
      torch::randn({kBehaviorActionCount - 1, config.hidden_size}, torch::kFloat32).mul_(kActionEmbeddingInit).to(device, dtype));
  head_ = register_module("head", CtrHead(config.hidden_size, options.n_head_hidden));
  head_->to(device, dtype);
  trainable_.push_back(sum_vector_);
  trainable_.push_back(action_embedding_);
  for (const torch::Tensor& p : head_->parameters()) trainable_.push_back(p);
}

std::vector<torch::Tensor> CtrModelImpl::trainable_parameters() { return trainable_; }

torch::Tensor CtrModelImpl::slot_states(const RowBatch& batch, const torch::Tensor& vectors,
                                        const torch::Tensor& bias) {
  const int64_t hidden = llm_->config().hidden_size;
  const torch::Tensor source = batch.source.clamp_min(0);
  if (batch.granularity == SlotGranularity::kBehavior) {
    TORCH_CHECK(vectors.defined() && vectors.dim() == 2 && vectors.size(1) == hidden,
                "CtrModel: vectors must be [n_vectors, ", hidden, "], got ",
                vectors.defined() ? vectors.sizes() : torch::IntArrayRef{});
    TORCH_CHECK(vectors.scalar_type() == dtype() && vectors.device() == device(), "CtrModel: vectors are ",
                vectors.scalar_type(), " on ", vectors.device(), ", the model ", dtype(), " on ", device());
    TORCH_CHECK(batch.source.numel() == 0 || batch.source.max().item<int64_t>() < vectors.size(0),
                "CtrModel: a slot indexes past the ", vectors.size(0), " vectors");
    return vectors.index_select(0, source.flatten()).view({batch.n_rows(), batch.n_slots(), hidden});
  }
  // Token-level: the frozen part over tokens, with rotary at the virtual
  // positions as pretrained, and the row's mask.
  torch::NoGradGuard no_grad;
  encoder::AttentionMask mask;
  mask.causal = false;
  mask.bias = bias;
  return llm_->run_layers(llm_->embed(source), batch.position, mask, 0, llm_->options().n_layers_shallow);
}

torch::Tensor CtrModelImpl::add_actions(const torch::Tensor& x, const torch::Tensor& action) const {
  const int64_t hidden = x.size(-1);
  // Row 0 (kNone) adds nothing.
  const torch::Tensor table = torch::cat({torch::zeros({1, hidden}, action_embedding_.options()), action_embedding_});
  const torch::Tensor scale = x.pow(2).mean(-1, true).add(llm_->config().rms_norm_eps).sqrt().detach();
  return x + scale * table.index_select(0, action.flatten()).view(x.sizes());
}

torch::Tensor CtrModelImpl::forward(const RowBatch& batch, const torch::Tensor& vectors) {
  TORCH_CHECK(batch.granularity == options_.granularity, "CtrModel: a ", slot_granularity_name(batch.granularity),
              " batch for a ", slot_granularity_name(options_.granularity), " model");
  TORCH_CHECK(batch.kind.device() == device(), "CtrModel: batch on ", batch.kind.device(), ", model on ", device());
  const int64_t hidden = llm_->config().hidden_size;
  const torch::Tensor bias = window_bias(batch, options_.forgetting);
  torch::Tensor x = slot_states(batch, vectors, bias);
  x = add_actions(x, batch.action);
  const torch::Tensor item =
      rms_normalize(segment_mean(x.view({-1, hidden}).index_select(0, batch.item_index), batch.item_owner,
                                 batch.n_targets()),
                    llm_->config().rms_norm_eps);
  // SUM slots take the SUM vector; a fused target slot (it has a source,
  // row_layout.h) keeps its item vector under it.
  const torch::Tensor is_sum = batch.kind.eq(static_cast<int64_t>(SlotKind::kSum)).unsqueeze(-1);
  const torch::Tensor has_item = batch.source.ge(0).unsqueeze(-1).to(x.scalar_type());
  x = torch::where(is_sum, x * has_item + sum_vector_.view({1, 1, hidden}), x);

  encoder::AttentionMask mask;
  mask.causal = false;
  torch::Tensor positions;
  if (options_.position_scheme == PositionScheme::kAlibi) {
    mask.bias = add_alibi(bias, batch.position, alibi_slopes(llm_->config().n_heads));
    positions = torch::zeros_like(batch.position);
  } else {
    mask.bias = bias;
    positions = batch.position;
  }
  const torch::Tensor h = llm_->deep(x, positions, mask);
  const torch::Tensor sum_state = h.reshape({-1, hidden}).index_select(0, batch.sum_index);
  return head_(sum_state, item);
}

}  // namespace bahed::trainer
