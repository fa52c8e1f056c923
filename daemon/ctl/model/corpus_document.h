#pragma once
// CorpusDocument: one unit of pretraining text (a Brown file, an Austen
// chapter, a MovieLens title line). Documents are what the held-out split
// assigns and what packing brackets with <s> ... </s>.
#include <string>
#include <vector>

namespace bahed::ctl {

struct CorpusDocument {
  // Stable identity, "<source>/<name>" ("brown/ca01", "austen/emma/3",
  // "movielens/6"); the held-out split hashes it, so it must not depend on
  // reading order.
  std::string id;
  // Paragraphs in order, each one line of plain UTF-8 text without newlines.
  std::vector<std::string> paragraphs;
};

}  // namespace bahed::ctl
