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

}  // namespace bahed::daemon
