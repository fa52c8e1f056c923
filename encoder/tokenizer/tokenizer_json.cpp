#include "encoder/tokenizer/tokenizer_json.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace bahed::encoder {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The regex Hugging Face's ByteLevel pre-tokenizer applies when use_regex is
// set (GPT-2's original pattern).
constexpr std::string_view kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

// Largest id accepted; real vocabularies stay far below (Gemma: 262k).
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;
// Ids index dense tables (BpeTokenizer holds two strings per id), so ids
// may span at most twice the tokens the file lists, plus this much for tiny
// vocabularies: real ones are dense, their only holes being a few ids kept
// for added tokens. Without the bound a 100-byte file naming id 16,777,215
// cost 1.5 GB (found by tokenizer_load_fuzz).
constexpr int64_t kIdSlack = 1024;

std::string_view string_or(const element& node, std::string_view key, std::string_view fallback) {
  std::string_view value;
  return node.at_key(key).get_string().get(value) == simdjson::SUCCESS ? value : fallback;
}
bool bool_or(const element& node, std::string_view key, bool fallback) {
  bool value = false;
  return node.at_key(key).get_bool().get(value) == simdjson::SUCCESS ? value : fallback;
}
bool is_null_or_missing(const element& node, std::string_view key) {
  element value;
  return node.at_key(key).get(value) != simdjson::SUCCESS || value.is_null();
}

// A literal pattern for PCRE2: ASCII punctuation is escaped; everything else
// (letters, digits, non-ASCII) is literal as written.
std::string escape_literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80 && !std::isalnum(b)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Status unsupported(std::string what) {
  return Status::invalid_argument("tokenizer.json uses " + std::move(what) + ", which bahed does not support");
}

Status read_normalizer(const element& node, BpeTokenizerConfig& config) {
  if (node.is_null()) return Status::ok();
  const std::string_view type = string_or(node, "type", "");
  if (type == "NFC") {
    config.nfc = true;
    return Status::ok();
  }
  if (type == "Sequence") {
    array steps;
    if (node.at_key("normalizers").get_array().get(steps) != simdjson::SUCCESS) {
      return Status::corruption("tokenizer.json: normalizer Sequence without normalizers");
    }
    for (element step : steps) BAHED_RETURN_IF_ERROR(read_normalizer(step, config));
    return Status::ok();
  }
  return unsupported("normalizer '" + std::string(type) + "'");
}

struct PreTokenizerState {
  bool byte_level = false;
  bool first = true;  // nothing ran before this step
};

Status read_pre_tokenizer(const element& node, BpeTokenizerConfig& config, PreTokenizerState& state) {
  if (node.is_null()) return Status::ok();
  const std::string_view type = string_or(node, "type", "");
  if (type == "Sequence") {
    array steps;
    if (node.at_key("pretokenizers").get_array().get(steps) != simdjson::SUCCESS) {
      return Status::corruption("tokenizer.json: pre_tokenizer Sequence without pretokenizers");
    }
    for (element step : steps) BAHED_RETURN_IF_ERROR(read_pre_tokenizer(step, config, state));
    return Status::ok();
  }
  if (type == "Split") {
    if (bool_or(node, "invert", false)) return unsupported("an inverted Split pre-tokenizer");
    SplitRule rule;
    std::string_view pattern;
    if (node.at_key("pattern").at_key("Regex").get_string().get(pattern) == simdjson::SUCCESS) {
      rule.pattern = std::string(pattern);
    } else if (node.at_key("pattern").at_key("String").get_string().get(pattern) == simdjson::SUCCESS) {
      rule.pattern = escape_literal(pattern);
    } else {
      return Status::corruption("tokenizer.json: Split pre-tokenizer without a pattern");
    }
    const std::string_view behavior = string_or(node, "behavior", "");
    if (behavior == "Isolated") {
      rule.behavior = SplitBehavior::kIsolated;
    } else if (behavior == "Removed") {
      rule.behavior = SplitBehavior::kRemoved;
    } else {
      return unsupported("Split behavior '" + std::string(behavior) + "'");
    }
    config.split_rules.push_back(std::move(rule));
    state.first = false;
    return Status::ok();
  }
  if (type == "ByteLevel") {
    state.byte_level = true;
    if (bool_or(node, "add_prefix_space", true)) {
      // Hugging Face prefixes every piece that reaches ByteLevel; only when
      // ByteLevel runs first is that the same as prefixing the whole text.
      if (!state.first) return unsupported("ByteLevel add_prefix_space after another pre-tokenizer");
      config.add_prefix_space = true;
    }
    if (bool_or(node, "use_regex", true)) {
      SplitRule rule;
      rule.pattern = kGpt2Pattern;
      config.split_rules.push_back(std::move(rule));
    }
    state.first = false;
    return Status::ok();
  }
  return unsupported("pre_tokenizer '" + std::string(type) + "'");
}

Status read_model(const element& model, BpeTokenizerConfig& config, std::optional<std::string>& unk_token) {
  const std::string_view type = string_or(model, "type", "BPE");
  if (type != "BPE") return unsupported("model type '" + std::string(type) + "'");
  if (!string_or(model, "continuing_subword_prefix", "").empty() ||
      !string_or(model, "end_of_word_suffix", "").empty()) {
    return unsupported("a BPE subword prefix or suffix");
  }
  config.byte_fallback = bool_or(model, "byte_fallback", false);
  config.ignore_merges = bool_or(model, "ignore_merges", false);
  if (!is_null_or_missing(model, "unk_token")) unk_token = std::string(string_or(model, "unk_token", ""));

  object vocab;
  if (model.at_key("vocab").get_object().get(vocab) != simdjson::SUCCESS) {
    return Status::corruption("tokenizer.json: model.vocab is missing or not an object");
  }
  // Ids are checked (and the added tokens' counted, read before) before
  // the id-indexed table is sized.
  int64_t max_id = -1;
  int64_t n_tokens = static_cast<int64_t>(config.added_tokens.size());
  for (const AddedToken& token : config.added_tokens) max_id = std::max<int64_t>(max_id, token.id);
  for (auto [key, value] : vocab) {
    int64_t id = -1;
    if (value.get_int64().get(id) != simdjson::SUCCESS || id < 0 || id > kMaxTokenId) {
      return Status::corruption("tokenizer.json: bad id for vocabulary entry '" + std::string(key) + "'");
    }
    max_id = std::max(max_id, id);
    ++n_tokens;
  }
  if (max_id >= 2 * n_tokens + kIdSlack) {
    return Status::corruption("tokenizer.json: ids reach " + std::to_string(max_id) + " but only " +
                              std::to_string(n_tokens) + " tokens are listed");
  }
  for (auto [key, value] : vocab) {
    const auto id = static_cast<size_t>(value.get_int64().value_unsafe());
    if (id >= config.vocab.size()) config.vocab.resize(id + 1);
    config.vocab[id] = std::string(key);
  }

  array merges;
  if (model.at_key("merges").get_array().get(merges) != simdjson::SUCCESS) {
    return Status::corruption("tokenizer.json: model.merges is missing or not an array");
  }
  config.merges.reserve(merges.size());
  for (element merge : merges) {
    std::string_view line;
    array pair;
    if (merge.get_string().get(line) == simdjson::SUCCESS) {
      // "a b": byte-level spellings never contain a space, so one space
      // separates the two parts.
      const size_t space = line.find(' ');
      if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
        return Status::corruption("tokenizer.json: merge '" + std::string(line) + "' is not two tokens");
      }
      config.merges.emplace_back(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
    } else if (merge.get_array().get(pair) == simdjson::SUCCESS && pair.size() == 2) {
      std::string_view left, right;
      if (pair.at(0).get_string().get(left) != simdjson::SUCCESS ||
          pair.at(1).get_string().get(right) != simdjson::SUCCESS) {
        return Status::corruption("tokenizer.json: a merge pair holds a non-string");
      }
      config.merges.emplace_back(std::string(left), std::string(right));
    } else {
      return Status::corruption("tokenizer.json: a merge is neither \"a b\" nor [a, b]");
    }
  }
  return Status::ok();
}

Status read_added_tokens(const element& root, BpeTokenizerConfig& config) {
  array tokens;
  if (root.at_key("added_tokens").get_array().get(tokens) != simdjson::SUCCESS) return Status::ok();
  for (element node : tokens) {
    AddedToken token;
    int64_t id = -1;
    std::string_view content;
    if (node.at_key("id").get_int64().get(id) != simdjson::SUCCESS || id < 0 || id > kMaxTokenId ||
        node.at_key("content").get_string().get(content) != simdjson::SUCCESS) {
      return Status::corruption("tokenizer.json: an added token lacks a valid id or content");
    }
    token.id = static_cast<int32_t>(id);
    token.content = std::string(content);
    token.special = bool_or(node, "special", false);
    token.lstrip = bool_or(node, "lstrip", false);
    token.rstrip = bool_or(node, "rstrip", false);
    token.single_word = bool_or(node, "single_word", false);
    config.added_tokens.push_back(std::move(token));
  }
  return Status::ok();
}

// The first item of TemplateProcessing's "single" template when it is a
// special token, searching inside a Sequence of processors too.
std::optional<std::string> leading_special_token(const element& node) {
  if (node.is_null()) return std::nullopt;
  const std::string_view type = string_or(node, "type", "");
  if (type == "Sequence") {
    array processors;
    if (node.at_key("processors").get_array().get(processors) != simdjson::SUCCESS) return std::nullopt;
    for (element processor : processors) {
      if (auto token = leading_special_token(processor)) return token;
    }
    return std::nullopt;
  }
  if (type != "TemplateProcessing") return std::nullopt;
  array single;
  if (node.at_key("single").get_array().get(single) != simdjson::SUCCESS || single.size() == 0) return std::nullopt;
  std::string_view id;
  if (single.at(0).at_key("SpecialToken").at_key("id").get_string().get(id) != simdjson::SUCCESS) return std::nullopt;
  return std::string(id);
}

}  // namespace

std::optional<int32_t> find_token_id(const BpeTokenizerConfig& config, std::string_view text) {
  for (const AddedToken& token : config.added_tokens) {
    if (token.content == text) return token.id;
  }
  for (size_t id = 0; id < config.vocab.size(); ++id) {
    if (config.vocab[id] == text) return static_cast<int32_t>(id);
  }
  return std::nullopt;
}

namespace {

// Everything after parsing: the document's root into a TokenizerJson.
Result<TokenizerJson> read_root(const element& root) {
  TokenizerJson out;
  BpeTokenizerConfig& config = out.config;
  element node;
  if (root.at_key("normalizer").get(node) == simdjson::SUCCESS) BAHED_RETURN_IF_ERROR(read_normalizer(node, config));
  PreTokenizerState state;
  if (root.at_key("pre_tokenizer").get(node) == simdjson::SUCCESS) {
    BAHED_RETURN_IF_ERROR(read_pre_tokenizer(node, config, state));
  }
  if (!state.byte_level) {
    return Status::invalid_argument(
        "not a byte-level BPE tokenizer (no ByteLevel pre-tokenizer); SentencePiece-style tokenizer.json "
        "files are read through the directory's tokenizer.model instead");
  }
  config.byte_level = true;
  if (root.at_key("model").get(node) != simdjson::SUCCESS) return Status::corruption("no model");
  std::optional<std::string> unk_token;
  BAHED_RETURN_IF_ERROR(read_added_tokens(root, config));  // first: read_model bounds ids by the token count
  BAHED_RETURN_IF_ERROR(read_model(node, config, unk_token));
  if (unk_token) config.unk_id = find_token_id(config, *unk_token);
  if (root.at_key("post_processor").get(node) == simdjson::SUCCESS) out.leading_special_token = leading_special_token(node);
  return out;
}

}  // namespace

Result<TokenizerJson> read_tokenizer_json(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found(path.string() + " does not exist");
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.load(path.string()).get(root); error != simdjson::SUCCESS) {
    if (error == simdjson::IO_ERROR) return Status::io_error(path.string() + ": cannot read");
    return Status::corruption(path.string() + ": " + simdjson::error_message(error));
  }
  Result<TokenizerJson> out = read_root(root);
  if (!out) return out.status().with_context(path.string());
  return out;
}

Result<TokenizerJson> parse_tokenizer_json(std::string_view json) {
  const simdjson::padded_string padded(json);
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return Status::corruption(std::string("tokenizer.json: ") + simdjson::error_message(error));
  }
  return read_root(root);
}

}  // namespace bahed::encoder
