#include "daemon/ctl/model/tokenizer_trainer.h"

#include <cstdio>
#include <system_error>

#include "common/atomic_file.h"
#include "daemon/ctl/model/child_process.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// One sentence a line, as spm_train's text input expects.
std::string sentence_file(const std::vector<std::string_view>& sentences) {
  std::string out;
  for (std::string_view s : sentences) {
    const size_t start = out.size();
    out.append(s);
    for (size_t i = start; i < out.size(); ++i) {
      if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

Status TokenizerTrainerOptions::validate() const {
  if (vocab_size < 300 || vocab_size > 1'000'000)
    return Status::invalid_argument("tokenizer vocab_size must be in [300, 1000000] (it includes 260 special and "
                                    "byte pieces), got " + std::to_string(vocab_size));
  if (!(character_coverage > 0.9 && character_coverage <= 1.0))
    return Status::invalid_argument("character_coverage must be in (0.9, 1], got " + std::to_string(character_coverage));
  if (n_threads < 1) return Status::invalid_argument("tokenizer n_threads must be >= 1");
  if (max_sentence_bytes < 1024) return Status::invalid_argument("max_sentence_bytes must be >= 1024");
  if (program.empty()) return Status::invalid_argument("the tokenizer trainer program must be named");
  return Status::ok();
}

Result<std::string> train_sentencepiece(const std::vector<std::string_view>& sentences,
                                        const TokenizerTrainerOptions& options, const fs::path& work_dir) {
  BAHED_RETURN_IF_ERROR(options.validate());
  if (sentences.empty()) return Status::invalid_argument("no text to train the tokenizer on");
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  if (ec) return Status::io_error("creating " + work_dir.string() + ": " + ec.message());
  const fs::path dir = fs::absolute(work_dir, ec);
  if (ec) return Status::io_error("resolving " + work_dir.string() + ": " + ec.message());
  // spm_train records its input and prefix in the model; relative names keep
  // the model bytes independent of where it was trained.
  const std::string input_name = "spm_input.txt";
  const std::string prefix_name = "spm";
  const fs::path input = dir / input_name;
  const fs::path prefix = dir / prefix_name;
  BAHED_RETURN_IF_ERROR(write_file_atomically(input, sentence_file(sentences)));
  fs::remove(prefix.string() + ".model", ec);

  // Llama 2's tokenizer settings, except the vocabulary size and <pad>.
  const std::vector<std::string> args = {
      options.program,
      "--input=" + input_name,
      "--model_prefix=" + prefix_name,
      "--model_type=bpe",
      "--vocab_size=" + std::to_string(options.vocab_size),
      "--character_coverage=" + fixed(options.character_coverage),
      "--byte_fallback=true",
      "--split_digits=true",
      "--allow_whitespace_only_pieces=true",
      "--normalization_rule_name=identity",
      "--remove_extra_whitespaces=false",
      "--add_dummy_prefix=true",
      "--unk_id=0",
      "--bos_id=1",
      "--eos_id=2",
      "--pad_id=3",
      "--unk_piece=<unk>",
      "--bos_piece=<s>",
      "--eos_piece=</s>",
      "--pad_piece=<pad>",
      // Every sentence, in order: sampling would make the result depend on
      // the generator and the corpus size.
      "--input_sentence_size=0",
      "--shuffle_input_sentence=false",
      "--max_sentence_length=" + std::to_string(options.max_sentence_bytes),
      "--num_threads=" + std::to_string(options.n_threads),
      "--random_seed=" + std::to_string(options.seed),
  };
  Status st = run_child_process(args, dir, dir / "spm_train.log");
  if (!st.is_ok()) {
    return Status::unavailable("SentencePiece training failed (spm_train comes with Debian's sentencepiece "
                               "package): " + st.message());
  }
  Result<std::string> model = read_whole_file(prefix.string() + ".model");
  if (!model.is_ok()) return model.status().with_context("spm_train wrote no model");
  fs::remove(input, ec);  // the corpus files hold the same text
  return model;
}

}  // namespace bahed::ctl
