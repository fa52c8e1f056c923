#include "encoder/tokenizer/byte_tokenizer_json.h"

#include "common/json_writer.h"
#include "encoder/tokenizer/byte_level.h"

namespace bahed::encoder {

std::string byte_tokenizer_json() {
  std::string vocab;
  for (int b = 0; b < 256; ++b) {
    const char byte = static_cast<char>(b);
    const std::string spelling = byte_level_encode(std::string_view(&byte, 1));
    if (b) vocab += ",";
    append_json_string(vocab, spelling);
    vocab += ":" + std::to_string(b);
  }
  return R"({"version":"1.0","added_tokens":[)"
         R"({"id":256,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
         R"({"id":257,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],)"
         R"("normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},)"
         R"("post_processor":null,"decoder":{"type":"ByteLevel"},)"
         R"("model":{"type":"BPE","dropout":null,"unk_token":null,"byte_fallback":false,"vocab":{)" +
         vocab + R"(},"merges":[]}})";
}

std::string byte_tokenizer_config_json() {
  return R"({"add_bos_token":true,"add_eos_token":false,"bos_token":"<s>","eos_token":"</s>"})";
}

}  // namespace bahed::encoder
