#pragma once
// Trains the project's own SentencePiece tokenizer in the Llama 2 style: BPE,
// byte fallback (no text is ever <unk>), digits split, identity
// normalization (decode(encode(t)) == t), ids 0 <unk>, 1 <s>, 2 </s>,
// 3 <pad>. encoder/tokenizer's native SentencePiece tokenizer loads the
// result (it supports BPE with identity normalization, hence no unigram).
//
// Why a child process: Debian's libsentencepiece exports its own protobuf
// 3.14 while LibTorch loads libprotobuf 3.21, and a process holding both dies
// before main() (see encoder/tokenizer/sentencepiece_model.h). So the trainer
// runs as Debian's `spm_train` (package sentencepiece, the CLI of
// libsentencepiece_train with the same TrainerSpec flags), never in-process.
//
// Determinism: every sentence is read in the given order (no sampling:
// input_sentence_size = 0) and the trainer's random generator is seeded, so
// the same sentences and options give the same model bytes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace bahed::ctl {

struct TokenizerTrainerOptions {
  // Pieces in the model, including the 4 special and 256 byte pieces. Bigger
  // shortens sequences but costs embedding rows. Default: 8000.
  int64_t vocab_size = 8000;
  // Share of characters the pieces must cover; rarer ones are spelled as
  // bytes. Default: 0.9995.
  double character_coverage = 0.9995;
  // Seed of the trainer's random generator. Default: 42.
  uint32_t seed = 42;
  // Trainer threads. Default: 2.
  int n_threads = 2;
  // Longer sentences (paragraphs here) are skipped by the trainer, so this
  // is far above the longest paragraph. Default: 65536.
  int64_t max_sentence_bytes = 65536;
  // The trainer program, looked up in PATH. Default: "spm_train".
  std::string program = "spm_train";

  Status validate() const;
};

// Trains on `sentences` (one paragraph each, in order; newlines inside are
// turned into spaces) and returns the serialized ModelProto, i.e. the bytes
// of a tokenizer.model file. `work_dir` (created if needed) receives the
// trainer's input, output and log (spm_train.log). Blocking: tens of
// seconds for a few megabytes of text. InvalidArgument for bad options or no
// text; Unavailable when spm_train is missing (install Debian's
// sentencepiece) or fails (the message quotes its log); IOError for files.
Result<std::string> train_sentencepiece(const std::vector<std::string_view>& sentences,
                                        const TokenizerTrainerOptions& options,
                                        const std::filesystem::path& work_dir);

}  // namespace bahed::ctl
