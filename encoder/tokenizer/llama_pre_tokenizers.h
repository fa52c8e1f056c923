#pragma once
// The pre-tokenizer of a llama.cpp GGUF vocabulary, chosen by its
// tokenizer.ggml.pre name. GGUF files do not carry the regex itself; llama.cpp
// maps each name to a hard-coded list (src/llama-vocab.cpp, llm_tokenizer_bpe),
// and so must we to reproduce its token ids. The table follows llama.cpp as
// bundled in node-llama-cpp 3.22.1 (see ops/fetch_llama_vocab.sh). Private to
// encoder/tokenizer/.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bahed::encoder {

struct LlamaPreTokenizer {
  // Applied in order, each to the pieces of the previous one.
  std::vector<std::string> regexes;
  // A pre-token found whole in the vocabulary skips merging (llama.cpp's
  // ignore_merges, set for Llama 3 and Tekken).
  bool ignore_merges = false;
  // llama.cpp adds BOS by default for this family.
  bool add_bos = false;
};

// nullopt for a name llama.cpp does not know or whose tokenizer needs custom
// code beyond regexes (Kimi K2, AFMoE, Gemma 4, SuperBPE, ...).
std::optional<LlamaPreTokenizer> llama_pre_tokenizer(std::string_view pre_name);

}  // namespace bahed::encoder
