#include "daemon/ctl/model/austen_corpus.h"

#include "daemon/ctl/r_data_reader.h"

namespace bahed::ctl {
namespace {

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.size() > word.size() && line.compare(0, word.size(), word) == 0 && line[word.size()] == ' ';
}

// "CHAPTER I", "Chapter 12", "CHAPTER XLIV." : a heading word and a number.
bool is_heading(std::string_view line, std::string_view upper, std::string_view title) {
  if (!starts_with_word(line, upper) && !starts_with_word(line, title)) return false;
  std::string_view rest = line.substr(upper.size() + 1);
  while (!rest.empty() && (rest.back() == '.' || rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
  if (rest.empty()) return false;
  for (char c : rest) {
    const bool numeral = (c >= '0' && c <= '9') || c == 'I' || c == 'V' || c == 'X' || c == 'L' || c == 'C';
    if (!numeral) return false;
  }
  return true;
}

// Appends `line` to `paragraph` with single spaces, whatever the spacing was.
void append_words(std::string& paragraph, std::string_view line) {
  size_t pos = 0;
  while (pos < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r", start);
    if (end == std::string_view::npos) end = line.size();
    if (!paragraph.empty()) paragraph += ' ';
    paragraph.append(line.substr(start, end - start));
    pos = end;
  }
}

}  // namespace

std::vector<CorpusDocument> austen_chapters(std::string_view book,
                                            const std::vector<std::optional<std::string>>& lines) {
  std::vector<CorpusDocument> documents;
  CorpusDocument current;
  int chapter = 0;
  std::string paragraph;
  auto end_paragraph = [&] {
    if (!paragraph.empty()) current.paragraphs.push_back(std::move(paragraph));
    paragraph.clear();
  };
  auto end_document = [&] {
    end_paragraph();
    if (!current.paragraphs.empty()) {
      current.id = "austen/" + std::string(book) + "/" + std::to_string(chapter);
      documents.push_back(std::move(current));
    }
    current = CorpusDocument{};
  };
  for (const std::optional<std::string>& maybe_line : lines) {
    const std::string_view line = maybe_line ? std::string_view(*maybe_line) : std::string_view();
    if (is_heading(line, "CHAPTER", "Chapter")) {
      end_document();
      ++chapter;
    } else if (is_heading(line, "VOLUME", "Volume")) {
      end_paragraph();
    } else if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      end_paragraph();
    } else {
      append_words(paragraph, line);
    }
  }
  end_document();
  return documents;
}

Result<std::vector<CorpusDocument>> read_austen_corpus(const std::filesystem::path& package_root) {
  const std::string data_dir = (package_root / kAustenDataDir).string();
  Result<LazyLoadDb> db = LazyLoadDb::open(data_dir);
  if (!db.is_ok()) return db.status().with_context("opening Jane Austen's novels in " + data_dir);
  std::vector<CorpusDocument> documents;
  for (std::string_view book : kAustenBooks) {
    Result<RValuePtr> value = db->read(book);
    if (!value.is_ok()) return value.status().with_context("reading " + std::string(book));
    Result<std::vector<std::optional<std::string>>> lines = r_strings(**value);
    if (!lines.is_ok()) return lines.status().with_context("reading " + std::string(book) + " as text");
    for (CorpusDocument& doc : austen_chapters(book, *lines)) documents.push_back(std::move(doc));
  }
  return documents;
}

}  // namespace bahed::ctl
