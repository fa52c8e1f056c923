// bahectl model init: writes a Llama model with random weights and a
// byte-level tokenizer in the Hugging Face layout. Tests, smoke runs and
// benchmarks use it where a trained model is not needed (it encodes texts
// into meaningless but deterministic vectors); the daemon loads it like any
// real checkpoint.
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/atomic_file.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "encoder/llm/hf_checkpoint.h"
#include "encoder/tokenizer/byte_tokenizer_json.h"

namespace po = boost::program_options;

namespace bahed::ctl {

int run_model_init(int argc, char** argv) {
  std::string out;
  encoder::ModelConfig config;
  config.hidden_size = 64;
  config.intermediate_size = 128;
  config.n_layers = 4;
  config.n_heads = 4;
  config.n_kv_heads = 2;
  config.max_position_embeddings = 512;
  config.tie_word_embeddings = true;
  uint64_t seed = 1;
  po::options_description flags(
      "bahectl model init: write a Llama model with random weights and a byte-level tokenizer\n"
      "(one token per byte) as a Hugging Face directory: config.json, model.safetensors,\n"
      "tokenizer.json, tokenizer_config.json. For tests and smoke runs; the demo pretrains a real\n"
      "one (bahectl pretrain).\n\noptions");
  flags.add_options()("help,h", "print this help")("out", po::value(&out)->required(), "directory to create")(
      "hidden", po::value(&config.hidden_size)->default_value(config.hidden_size), "hidden_size")(
      "intermediate", po::value(&config.intermediate_size)->default_value(config.intermediate_size),
      "intermediate_size")("layers", po::value(&config.n_layers)->default_value(config.n_layers),
                           "num_hidden_layers")("heads", po::value(&config.n_heads)->default_value(config.n_heads),
                                                "num_attention_heads")(
      "kv-heads", po::value(&config.n_kv_heads)->default_value(config.n_kv_heads), "num_key_value_heads")(
      "seed", po::value(&seed)->default_value(seed), "random seed of the weights");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  config.n_vocab = encoder::kByteTokenizerVocabSize;
  config.bos_token_id = encoder::kByteTokenizerBos;
  config.eos_token_ids = {encoder::kByteTokenizerEos};
  if (Status s = config.validate(); !s.is_ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n";
    return 2;
  }
  torch::manual_seed(seed);
  encoder::LlmOptions llm;
  llm.n_layers_shallow = 0;
  encoder::LlamaModel model(config, llm);
  if (Status s = encoder::save_hf_model(model, out); !s.is_ok()) {
    std::cerr << argv[0] << ": " << s.to_string() << "\n";
    return 1;
  }
  const std::filesystem::path dir(out);
  for (const auto& [name, text] : {std::pair{"tokenizer.json", encoder::byte_tokenizer_json()},
                                   std::pair{"tokenizer_config.json", encoder::byte_tokenizer_config_json()}}) {
    if (Status s = write_file_atomically(dir / name, text); !s.is_ok()) {
      std::cerr << argv[0] << ": " << s.to_string() << "\n";
      return 1;
    }
  }
  std::cout << "wrote " << out << ": llama d=" << config.hidden_size << " layers=" << config.n_layers
            << " heads=" << config.n_heads << "/" << config.n_kv_heads << " vocab=" << config.n_vocab
            << " (random, seed " << seed << ")\n";
  return 0;
}

}  // namespace bahed::ctl
