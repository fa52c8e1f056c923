// libFuzzer target: any bytes as a tokenizer file must load or be refused
// with a Status that says why; never crash, hang, over-allocate or read out
// of bounds (ASan/UBSan on). A tokenizer that loads must encode a short text
// into ids inside its vocabulary and decode them back without fault.
//
// The first byte picks the format of the rest:
//   0  tokenizer.json (Hugging Face byte-level BPE), parsed in memory;
//   1  tokenizer.model (SentencePiece ModelProto), parsed in memory;
//   2  a llama.cpp GGUF file (tokenizer.ggml.* keys), through a temp file;
//   3  a model directory through load_tokenizer: tokenizer.json,
//      tokenizer_config.json, config.json and tokenizer.model, separated by
//      NUL bytes (a part that is not there is a file that is not there).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "encoder/tokenizer/bpe_tokenizer.h"
#include "encoder/tokenizer/sentencepiece_model.h"
#include "encoder/tokenizer/sentencepiece_tokenizer.h"
#include "encoder/tokenizer/tokenizer.h"
#include "encoder/tokenizer/tokenizer_json.h"
#include "tests/fuzz/tokenizer_checks.h"

namespace {

namespace fs = std::filesystem;
using bahed::Result;
using bahed::Status;
using bahed::encoder::Tokenizer;

// Special tokens of the common families, a non-ASCII letter, a combining
// mark, an emoji and a byte that is not UTF-8: enough to reach added-token
// matching, NFC, the regexes and the byte fallbacks of whatever loaded.
constexpr std::string_view kText =
    "Hello w\xC3\xB6rld,  <s>hi</s> <|im_start|>user\n\tcafe\xCC\x81 123456 \xF0\x9F\x98\x80 \xC3\x28 [NEW] end ";

// A scratch directory for the formats read from files, removed at exit.
void remove_scratch_dir();
const fs::path& scratch_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("bahed-tokenizer-load-fuzz." + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  // Registered once `dir` exists, so the handler runs before its destructor.
  [[maybe_unused]] static const bool registered = std::atexit(remove_scratch_dir) == 0;
  return dir;
}
void remove_scratch_dir() {
  std::error_code ec;
  fs::remove_all(scratch_dir(), ec);
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();  // the harness, not the code under test, failed
}

void check_refusal(const Status& status) {
  if (status.is_ok() || status.message().empty()) __builtin_trap();  // every refusal says why
}

void exercise(const Tokenizer& tokenizer) {
  bahed::fuzz::check_vocabulary(tokenizer);
  for (const bool parse_special : {false, true}) {
    bahed::encoder::EncodeOptions options;
    options.add_bos = true;
    options.parse_special = parse_special;
    bahed::fuzz::encode_checked(tokenizer, kText, options);
  }
}

template <typename T>
void exercise(Result<std::unique_ptr<T>> loaded) {
  if (!loaded) return check_refusal(loaded.status());
  exercise(**loaded);
}

void load_tokenizer_json(std::string_view bytes) {
  auto json = bahed::encoder::parse_tokenizer_json(bytes);
  if (!json) return check_refusal(json.status());
  exercise(bahed::encoder::BpeTokenizer::create(std::move(json->config)));
}

void load_sentencepiece_model(std::string_view bytes) {
  auto model = bahed::encoder::parse_sentencepiece_model(bytes);
  if (!model) return check_refusal(model.status());
  exercise(bahed::encoder::SentencePieceTokenizer::from_model(std::move(*model), {}));
}

void load_gguf(std::string_view bytes) {
  const fs::path path = scratch_dir() / "vocab.gguf";
  write_file(path, bytes);
  exercise(bahed::encoder::load_gguf_tokenizer(path));
}

void load_model_dir(std::string_view bytes) {
  const fs::path dir = scratch_dir() / "model";
  fs::create_directories(dir);
  for (const char* name : {"tokenizer.json", "tokenizer_config.json", "config.json", "tokenizer.model"}) {
    std::error_code ec;
    if (bytes.data() == nullptr) {
      fs::remove(dir / name, ec);
      continue;
    }
    const size_t end = std::string_view(name) == "tokenizer.model" ? bytes.npos : bytes.find('\0');
    write_file(dir / name, bytes.substr(0, end));
    bytes = end == bytes.npos ? std::string_view() : bytes.substr(end + 1);
  }
  exercise(bahed::encoder::load_tokenizer(dir));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: load_tokenizer_json(bytes); break;
    case 1: load_sentencepiece_model(bytes); break;
    case 2: load_gguf(bytes); break;
    default: load_model_dir(bytes); break;
  }
  return 0;
}
