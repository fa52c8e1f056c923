// libFuzzer target: any bytes (invalid UTF-8 included) as text, encoded by
// small tokenizers in the real formats, must give ids inside the vocabulary
// and decode back to the text up to the tokenizer's own normalization
// (tokenizer.h's contract); never crash, hang or read out of bounds
// (ASan/UBSan on).
//
// The first byte picks the tokenizer (kVariants) and the options (bit 0 of
// byte / n_variants: parse_special, bit 1: add_bos); the rest is the text.
// The round trip is checked without parse_special, where the text holds no
// special tokens by construction.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/nfc_normalizer.h"
#include "encoder/tokenizer/bpe_tokenizer.h"
#include "encoder/tokenizer/byte_level.h"
#include "encoder/tokenizer/llama_pre_tokenizers.h"
#include "encoder/tokenizer/sentencepiece_model.h"
#include "encoder/tokenizer/sentencepiece_tokenizer.h"
#include "encoder/tokenizer/tokenizer_json.h"
#include "tests/fuzz/tokenizer_checks.h"

namespace {

using bahed::encoder::BpeTokenizer;
using bahed::encoder::BpeTokenizerConfig;
using bahed::encoder::Tokenizer;

// What decode(encode(text)) must give back.
enum class RoundTrip {
  kExact,       // the text itself
  kNfc,         // its NFC form
  kSpaces,      // SentencePiece's whitespace rule: trimmed, inner runs of ' ' as one
  kUnchecked,   // not defined simply (a prefix space per stretch, <unk>)
};

struct Variant {
  std::unique_ptr<Tokenizer> tokenizer;
  RoundTrip round_trip;
};

// Merges as raw bytes (spelled in the byte-level alphabet for tokenizer.json);
// each result joins the vocabulary. "h"+"ello" never fires ("ello" is not a
// token) and is dropped at load.
const std::pair<std::string_view, std::string_view> kMerges[] = {
    {" ", "t"},    {"h", "e"},     {" t", "he"}, {"i", "n"},   {" ", "w"},       {"o", "r"},
    {" w", "or"},  {"l", "d"},     {" wor", "ld"}, {"\xC3", "\xB6"}, {"e", "r"}, {" ", " "},
    {"\n", "\n"},  {"1", "2"},     {"12", "3"},  {"h", "ello"}, {"\xE2", "\x96"}, {"\xE2\x96", "\x81"}};

constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::string json_quoted(std::string_view s) {
  std::string out;
  bahed::append_json_string(out, s);
  return out;
}

// A tokenizer.json: bytes 0..255 in GPT-2's alphabet, then the merge
// results, then added tokens (special ones with strip flags, a plain one).
std::string tokenizer_json(std::string_view normalizer, std::string_view pre_tokenizer, bool ignore_merges) {
  std::string vocab;
  int id = 0;
  for (int b = 0; b < 256; ++b) {
    const char byte = static_cast<char>(b);
    vocab += (b ? "," : "") + json_quoted(bahed::encoder::byte_level_encode(std::string_view(&byte, 1))) + ":" +
             std::to_string(id++);
  }
  std::string merges;
  for (const auto& [left, right] : kMerges) {
    const std::string l = bahed::encoder::byte_level_encode(left);
    const std::string r = bahed::encoder::byte_level_encode(right);
    if (right != "ello") vocab += "," + json_quoted(l + r) + ":" + std::to_string(id++);
    merges += (merges.empty() ? "" : ",") + json_quoted(l + " " + r);
  }
  auto added = [&](std::string_view content, bool special, bool lstrip, bool rstrip, bool single_word) {
    return "{\"id\":" + std::to_string(id++) + ",\"content\":" + json_quoted(content) + ",\"special\":" +
           (special ? "true" : "false") + ",\"lstrip\":" + (lstrip ? "true" : "false") +
           ",\"rstrip\":" + (rstrip ? "true" : "false") + ",\"single_word\":" + (single_word ? "true" : "false") +
           ",\"normalized\":false}";
  };
  std::string added_tokens = added("<s>", true, false, false, false) + "," + added("</s>", true, false, true, false) +
                             "," + added("<|im_start|>", true, true, true, false) + "," +
                             added("<|x|>", true, false, false, true) + "," + added("[NEW]", false, false, false, false);
  return R"({"version":"1.0","added_tokens":[)" + added_tokens + R"(],"normalizer":)" + std::string(normalizer) +
         R"(,"pre_tokenizer":)" + std::string(pre_tokenizer) +
         R"(,"model":{"type":"BPE","unk_token":null,"byte_fallback":false,"ignore_merges":)" +
         (ignore_merges ? "true" : "false") + R"(,"vocab":{)" + vocab + R"(},"merges":[)" + merges + "]}}";
}

BpeTokenizerConfig bpe_config(std::string_view normalizer, std::string_view pre_tokenizer, bool ignore_merges) {
  auto json = bahed::encoder::parse_tokenizer_json(tokenizer_json(normalizer, pre_tokenizer, ignore_merges));
  if (!json) __builtin_trap();
  BpeTokenizerConfig config = std::move(json->config);
  config.bos_id = bahed::encoder::find_token_id(config, "<s>");
  config.eos_id = bahed::encoder::find_token_id(config, "</s>");
  return config;
}

std::unique_ptr<Tokenizer> bpe(BpeTokenizerConfig config) {
  auto tokenizer = BpeTokenizer::create(std::move(config));
  if (!tokenizer) __builtin_trap();
  return std::move(tokenizer).value();
}

// A SentencePiece BPE model (Llama 2 layout: <unk>, <s>, </s>, 256 byte
// pieces, then merges by score), written to ModelProto bytes and read back.
std::unique_ptr<Tokenizer> sentencepiece(bool whitespace_rules, bool byte_fallback) {
  using bahed::encoder::PieceType;
  bahed::encoder::SentencePieceModel model;
  model.model_type = bahed::encoder::SentencePieceModelType::kBpe;
  model.normalizer_name = "identity";
  model.byte_fallback = byte_fallback;
  model.add_dummy_prefix = whitespace_rules;
  model.remove_extra_whitespaces = whitespace_rules;
  model.pieces = {{"<unk>", 0, PieceType::kUnknown}, {"<s>", 0, PieceType::kControl}, {"</s>", 0, PieceType::kControl}};
  if (byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      model.pieces.push_back({name, 0, PieceType::kByte});
    }
  }
  const char* normal[] = {"\xE2\x96\x81", "\xE2\x96\x81t", "he", "\xE2\x96\x81the", "\xE2\x96\x81w", "or",
                          "\xE2\x96\x81wor", "ld", "\xE2\x96\x81world", "\xC3\xB6", "er", "12", "123",
                          "\xE2\x96\x81\xE2\x96\x81", "t", "h", "e", "w", "o", "r", "l", "d", "i", "n", "1", "2", "3"};
  float score = 0;
  for (const char* piece : normal) model.pieces.push_back({piece, score -= 1, PieceType::kNormal});
  model.pieces.push_back({"in", -3.5f, PieceType::kUnused});  // merged, then split again when emitted
  model.pieces.push_back({"[NEW]", 0, PieceType::kUserDefined});
  model.pieces.push_back({"<|im_start|>", 0, PieceType::kControl});
  auto parsed = bahed::encoder::parse_sentencepiece_model(bahed::encoder::serialize_sentencepiece_model(model));
  if (!parsed) __builtin_trap();
  auto tokenizer = bahed::encoder::SentencePieceTokenizer::from_model(std::move(parsed).value(), {});
  if (!tokenizer) __builtin_trap();
  return std::move(tokenizer).value();
}

std::vector<Variant> make_variants() {
  constexpr std::string_view kByteLevel = R"({"type":"ByteLevel","add_prefix_space":false,"use_regex":true})";
  const std::string qwen2 = R"({"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":)" +
                            json_quoted(kQwen2Regex) +
                            R"(},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]})";
  std::vector<Variant> variants;
  // GPT-2: ByteLevel with its own regex.
  variants.push_back({bpe(bpe_config("null", kByteLevel, false)), RoundTrip::kExact});
  // Qwen2: NFC, a Split regex, then ByteLevel without one; ignore_merges as Llama 3.
  variants.push_back({bpe(bpe_config(R"({"type":"NFC"})", qwen2, true)), RoundTrip::kNfc});
  // ByteLevel's add_prefix_space.
  variants.push_back({bpe(bpe_config(
                          "null", R"({"type":"ByteLevel","add_prefix_space":true,"use_regex":true})", false)),
                      RoundTrip::kUnchecked});
  // Every regex-only llama.cpp pre-tokenizer family over the same vocabulary.
  for (const char* name : {"llama3", "dbrx", "gpt-2", "qwen2", "qwen35", "starcoder", "falcon", "deepseek-llm",
                           "deepseek-coder", "deepseek-v3", "glm4", "gpt-4o", "tekken", "poro-chat", "viking",
                           "default"}) {
    auto pre = bahed::encoder::llama_pre_tokenizer(name);
    if (!pre) __builtin_trap();
    BpeTokenizerConfig config = bpe_config("null", kByteLevel, pre->ignore_merges);
    config.split_rules.clear();
    for (std::string& regex : pre->regexes) config.split_rules.push_back({std::move(regex)});
    variants.push_back({bpe(std::move(config)), RoundTrip::kExact});
  }
  variants.push_back({sentencepiece(/*whitespace_rules=*/true, /*byte_fallback=*/true), RoundTrip::kSpaces});
  variants.push_back({sentencepiece(/*whitespace_rules=*/false, /*byte_fallback=*/true), RoundTrip::kExact});
  variants.push_back({sentencepiece(/*whitespace_rules=*/true, /*byte_fallback=*/false), RoundTrip::kUnchecked});
  return variants;
}

// SentencePiece's identity normalization as decode shows it: leading and
// trailing spaces dropped, inner runs of spaces as one.
std::string collapse_spaces(std::string_view text) {
  std::string out;
  bool pending = false;
  for (char c : text) {
    if (c == ' ') {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> expected_round_trip(RoundTrip kind, std::string_view text, bool is_sentencepiece) {
  // SentencePiece spells spaces as U+2581 and decodes U+2581 as a space.
  if (is_sentencepiece && text.find("\xE2\x96\x81") != text.npos) return std::nullopt;
  switch (kind) {
    case RoundTrip::kExact: return std::string(text);
    case RoundTrip::kNfc: return bahed::nfc_normalize(text);
    case RoundTrip::kSpaces: return collapse_spaces(text);
    case RoundTrip::kUnchecked: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Variant> variants = make_variants();
  if (size == 0) return 0;
  const Variant& variant = variants[data[0] % variants.size()];
  const unsigned flags = data[0] / variants.size();
  bahed::encoder::EncodeOptions options;
  options.parse_special = (flags & 1) != 0;
  options.add_bos = (flags & 2) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::vector<int32_t> ids = bahed::fuzz::encode_checked(*variant.tokenizer, text, options);
  if (options.parse_special) return 0;
  const bool is_sentencepiece = dynamic_cast<const BpeTokenizer*>(variant.tokenizer.get()) == nullptr;
  const auto expected = expected_round_trip(variant.round_trip, text, is_sentencepiece);
  if (expected && variant.tokenizer->decode(ids) != *expected) __builtin_trap();
  if (variant.round_trip == RoundTrip::kNfc && bahed::nfc_normalize(*expected) != *expected) {
    __builtin_trap();  // NFC is idempotent
  }
  return 0;
}
