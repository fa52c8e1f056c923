#pragma once
// Loading and saving a LlamaModel in the Hugging Face layout, unchanged:
// config.json plus model.safetensors (or a sharded model.safetensors.index.json).
// Loading runs in named stages: config (load_model_config), tensor check
// (check_checkpoint_tensors: every tensor present, expected, right shape),
// then weight copy with conversion to the model's dtype.
#include <filesystem>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/llama_model.h"
#include "encoder/llm/llm_options.h"
#include "encoder/llm/model_config.h"
#include "encoder/llm/safetensors_reader.h"

namespace bahed::encoder {

// Reads `<dir>/config.json` and the safetensors weights, builds the model on
// options.device in options.dtype (bf16/fp16/fp32 weights are converted) and
// returns it. Fails with the key or tensor named: unsupported config,
// n_layers_shallow beyond num_hidden_layers, missing, unexpected or
// mis-shaped tensors, non-float tensors, unavailable device. Blocking; the
// files are memory-mapped only while loading. `dir` replaces
// options.model_dir (tools load other directories with the same settings);
// the model's options() report `dir`.
Result<LlamaModel> load_hf_model(const std::filesystem::path& dir, const LlmOptions& options);
// load_hf_model(options.model_dir, options).
Result<LlamaModel> load_hf_model(const LlmOptions& options);

// Checks names and shapes of every checkpoint tensor against the config
// (weight_names.h): Corruption naming the first missing, unexpected or
// mis-shaped tensor.
Status check_checkpoint_tensors(const ModelConfig& config, const SafetensorsReader& reader);

// Copies checked tensors into `model`'s parameters, converting dtype and device.
Status copy_checkpoint_tensors(LlamaModel& model, const SafetensorsReader& reader);

// Writes config.json (torch_dtype = the model's dtype) and model.safetensors
// into `<dir>.tmp`, fsyncs them, then renames it to `dir`. Refuses
// (AlreadyExists) when `dir` exists; a stale `<dir>.tmp` is replaced. Tied
// models store no lm_head.weight, as Hugging Face does.
Status save_hf_model(const LlamaModel& model, const std::filesystem::path& dir);

}  // namespace bahed::encoder
