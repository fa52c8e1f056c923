#pragma once
// CtrModel: the CTR model trained over rows (row_layout.h), for BAHE and
// token-level slots alike.
//
//   BAHE:        slot states = behavior/item vectors from a table (the frozen
//                shallow layers' pooled output, computed once by the encoder).
//   token-level: slot states = the frozen embeddings and shallow layers run
//                over the row's tokens (no gradient), with the row's mask.
//   both:        SUM slots take the learned SUM vector (a fused BAHE target
//                slot: its item vector plus the SUM vector); the deep layers
//                [L_s, L) and final norm run over the row with one attention
//                bias per layer call (window mask, forgetting, ALiBi); each
//                target's logit = head([SUM output, item vector, product]).
// A behavior that is a past impression carries its action (clicked or
// skipped, common/behavior_action.h): its slots, as they enter the deep
// layers, get the learned action embedding scaled by the slot's own RMS, so
// the embedding is relative to the states whatever their scale (the demo
// model's pooled vectors have norm ~136, a random model's ~1). It starts at
// about 0.3 of the state's norm: large enough for the deep layers to read the
// user's click history from the first step, which a template word in the
// behavior text was not (behavior_action.h).
//
// The item vector is the mean of the target's item slots as they enter the
// deep layers (BAHE: the item's own vector; token-level: its tokens after
// the shallow layers), RMS-normalized to the scale of the normed SUM output.
//
// Registered: "llm" (a LlamaModel; its embeddings, shallow layers and lm_head
// share the base model's tensors and are frozen, its deep layers and norm
// are this model's own copies), "sum_vector" [hidden], "action_embedding"
// [2, hidden] (clicked, skipped), "head" (CtrHead).
// Thread safety: like any torch module.
#include <torch/torch.h>

#include <vector>

#include "encoder/llm/llama_model.h"
#include "trainer/ctr_head.h"
#include "trainer/ctr_model_options.h"
#include "trainer/row_batch.h"

namespace bahed::trainer {

class CtrModelImpl : public torch::nn::Module {
 public:
  // Initializes the deep layers from `base`'s layers [L_s, L) (copies, so
  // training never changes `base`), on base's device and dtype; the SUM
  // vector ~ N(0, initializer_range) and the head from the global generator.
  // Precondition (checked): options.validate() is OK.
  CtrModelImpl(const encoder::LlamaModel& base, const CtrModelOptions& options);

  // Logits [targets], in the batch's target order.
  //   batch: on the model's device, of options().granularity;
  //   vectors: [n_vectors, hidden] in the model's dtype and device, the
  //            table BAHE slot sources index; unused (may be undefined) for
  //            token-level batches.
  torch::Tensor forward(const RowBatch& batch, const torch::Tensor& vectors);

  // What the optimizer gets: deep layers, final norm, SUM vector, action
  // embedding, head.
  std::vector<torch::Tensor> trainable_parameters();

  const CtrModelOptions& options() const { return options_; }
  const encoder::LlamaModel& llm() const { return llm_; }
  torch::Device device() const { return llm_->device(); }
  torch::ScalarType dtype() const { return llm_->dtype(); }

 private:
  // [rows, slots, hidden] states entering the deep layers (SUM slots not yet set).
  torch::Tensor slot_states(const RowBatch& batch, const torch::Tensor& vectors, const torch::Tensor& bias);

  // x plus each slot's action embedding (action: [rows, slots]).
  torch::Tensor add_actions(const torch::Tensor& x, const torch::Tensor& action) const;

  CtrModelOptions options_;
  encoder::LlamaModel llm_ = nullptr;
  torch::Tensor sum_vector_;
  torch::Tensor action_embedding_;  // rows: kClicked, kSkipped (kNone adds nothing)
  CtrHead head_ = nullptr;
  std::vector<torch::Tensor> trainable_;
};
TORCH_MODULE(CtrModel);

}  // namespace bahed::trainer
