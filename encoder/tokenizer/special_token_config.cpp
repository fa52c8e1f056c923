#include "encoder/tokenizer/special_token_config.h"

#include <simdjson.h>

namespace bahed::encoder {
namespace {

// A token in tokenizer_config.json is a string, or an AddedToken object
// {"content": "...", ...}, or null.
std::optional<std::string> token_text(const simdjson::dom::object& root, std::string_view key) {
  simdjson::dom::element value;
  if (root.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  if (value.at_key("content").get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return std::nullopt;
}

// An id in config.json is an integer, a list of integers (Llama 3.1 lists
// several EOS ids; the first is the canonical one), or null.
std::optional<int32_t> token_id(const simdjson::dom::object& root, std::string_view key) {
  simdjson::dom::element value;
  if (root.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  int64_t id = 0;
  if (value.get_int64().get(id) != simdjson::SUCCESS) {
    simdjson::dom::array list;
    if (value.get_array().get(list) != simdjson::SUCCESS || list.size() == 0) return std::nullopt;
    if (list.at(0).get_int64().get(id) != simdjson::SUCCESS) return std::nullopt;
  }
  if (id < 0 || id > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(id);
}

Result<std::optional<simdjson::dom::object>> load_object(simdjson::dom::parser& parser,
                                                         const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<simdjson::dom::object>();
  simdjson::dom::object root;
  if (auto error = parser.load(path.string()).get_object().get(root); error != simdjson::SUCCESS) {
    return Status::corruption(path.string() + ": " + simdjson::error_message(error));
  }
  return std::optional<simdjson::dom::object>(root);
}

}  // namespace

Result<SpecialTokenConfig> read_special_token_config(const std::filesystem::path& model_dir) {
  SpecialTokenConfig config;
  simdjson::dom::parser parser;
  {
    BAHED_ASSIGN_OR_RETURN(auto root, load_object(parser, model_dir / "tokenizer_config.json"));
    if (root) {
      config.bos_token = token_text(*root, "bos_token");
      config.eos_token = token_text(*root, "eos_token");
      bool add_bos = false;
      if (root->at_key("add_bos_token").get_bool().get(add_bos) == simdjson::SUCCESS) config.add_bos_token = add_bos;
    }
  }
  // The parser's buffer is reused by the next load, so everything needed
  // from the first document was copied out above.
  BAHED_ASSIGN_OR_RETURN(auto root, load_object(parser, model_dir / "config.json"));
  if (root) {
    config.bos_token_id = token_id(*root, "bos_token_id");
    config.eos_token_id = token_id(*root, "eos_token_id");
  }
  return config;
}

}  // namespace bahed::encoder
