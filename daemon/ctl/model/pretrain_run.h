#pragma once
// run_pretraining: `bahectl pretrain` from start to finish:
//   corpus (pretrain_corpus.h) -> SentencePiece tokenizer (tokenizer_trainer.h)
//   -> token windows (packed_windows.h) -> training (pretrainer.h) with
//   resumable state (pretrain_state.h) -> held-out and unigram perplexity
//   (perplexity.h) -> publication of the model directory:
//     <out>/config.json, model.safetensors   (encoder/llm/hf_checkpoint.h)
//     <out>/tokenizer.model, tokenizer_config.json
//     <out>/pretrain_report.json             (written last: the completion mark)
// A directory whose report carries the same options fingerprint is returned
// at once without any work (cached = true).
#include <functional>

#include "common/result.h"
#include "daemon/ctl/model/pretrain_options.h"
#include "daemon/ctl/model/pretrain_report.h"

namespace bahed::ctl {

struct PretrainRunControls {
  // Discard a resumable state or a finished model made with other options
  // instead of refusing. Default: false.
  bool restart = false;
  // Checked before each training step; true saves a checkpoint and ends the
  // run with Aborted. Default: empty (never).
  std::function<bool()> stop_requested;
  // Progress bar and stage lines on stderr. Default: true.
  bool verbose = true;
};

struct PretrainOutcome {
  PretrainReport report;
  bool cached = false;  // the directory already held this model
};

// Blocking; minutes with the default options. Errors:
//   InvalidArgument  bad options, or a state/model made with other options
//                    (the message says to pass --restart);
//   Aborted          stop_requested: a checkpoint was saved, rerun to resume;
//   Unavailable      a package could not be fetched;
//   IOError, Corruption, Internal from the stages, with context.
Result<PretrainOutcome> run_pretraining(const PretrainOptions& options, const PretrainRunControls& controls);

}  // namespace bahed::ctl
