#pragma once
// What a published version holds for serving: the CTR model's trained
// tensors (deep layers, final norm, SUM vector, head) as float32
// safetensors, named as the CtrModel registers them
// ("llm.model.layers.4.self_attn.q_proj.weight", "sum_vector",
// "head.fc1.weight", ...). Frozen tensors (embeddings, shallow layers) come
// from the base model, which serving loads itself.
#include <filesystem>

#include "common/status.h"
#include "trainer/ctr_trainer.h"

namespace bahed::daemon {

[[nodiscard]] Status write_model_safetensors(trainer::CtrModel& model, const std::filesystem::path& file);

// The inverse: copies a published file's tensors into `model`'s trainable
// parameters. Corruption (naming the tensor) when one is missing, extra, not
// float32 or of another shape; the model may then be partly overwritten.
[[nodiscard]] Status read_model_safetensors(const std::filesystem::path& file, trainer::CtrModel& model);

}  // namespace bahed::daemon
