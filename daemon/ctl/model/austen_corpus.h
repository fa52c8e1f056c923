#pragma once
// Jane Austen's six novels from Debian's r-cran-janeaustenr: each novel is a
// character vector of the Project Gutenberg text, one printed line per
// element, "" between paragraphs. Turned into one document per chapter,
// paragraphs joined from their lines.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/ctl/model/corpus_document.h"

namespace bahed::ctl {

inline constexpr std::string_view kAustenDebianPackage = "r-cran-janeaustenr";
// Where the package keeps its lazy-load database, under the package root.
inline constexpr std::string_view kAustenDataDir = "usr/lib/R/site-library/janeaustenr/data";
// The novels' R object names, in the order documents are emitted.
inline constexpr std::string_view kAustenBooks[] = {"emma",      "mansfieldpark",    "northangerabbey",
                                                    "persuasion", "prideprejudice", "sensesensibility"};

// Splits one novel's lines into documents "austen/<book>/<n>": n = 0 holds
// what precedes the first chapter (title page, preface), n >= 1 the chapters.
// Heading lines ("CHAPTER IV", "Chapter 12", "VOLUME II") start a chapter or
// are dropped; a paragraph is its lines joined with single spaces (runs of
// spaces collapsed); NA lines count as blank. Empty documents are left out.
std::vector<CorpusDocument> austen_chapters(std::string_view book,
                                            const std::vector<std::optional<std::string>>& lines);

// Reads all six novels from an extracted r-cran-janeaustenr (see
// ensure_debian_package). Fails with the reader's Status, naming the book.
Result<std::vector<CorpusDocument>> read_austen_corpus(const std::filesystem::path& package_root);

}  // namespace bahed::ctl
