#include "daemon/ctl/model/brown_corpus.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

bool is_closing(std::string_view w) {
  static constexpr std::string_view kClosing[] = {".", ",", ";", ":", "!", "?", ")", "]", "}", "'", "''", "...", "%"};
  return std::find(std::begin(kClosing), std::end(kClosing), w) != std::end(kClosing);
}

bool is_opening(std::string_view w) {
  return w == "(" || w == "[" || w == "{" || w == "`" || w == "``" || w == "$";
}

// "ca01".."cr09": 'c', a genre letter a..r, two digits.
bool is_corpus_file_name(const std::string& name) {
  return name.size() == 4 && name[0] == 'c' && name[1] >= 'a' && name[1] <= 'r' &&
         std::isdigit(static_cast<unsigned char>(name[2])) && std::isdigit(static_cast<unsigned char>(name[3]));
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::vector<std::string> strip_brown_tags(std::string_view line) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r\n", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r\n", start);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view token = line.substr(start, end - start);
    const size_t slash = token.rfind('/');
    // A leading '/' would leave an empty word: then the token is the word.
    const std::string_view word = slash == std::string_view::npos || slash == 0 ? token : token.substr(0, slash);
    words.emplace_back(word);
    pos = end;
  }
  return words;
}

std::string detokenize_words(const std::vector<std::string>& words) {
  std::string out;
  bool attach_next = true;   // nothing before the first word
  bool quote_open = false;   // '"' alternates between opening and closing
  for (const std::string& w : words) {
    bool closing = is_closing(w);
    bool opening = is_opening(w);
    if (w == "\"") {
      closing = quote_open;
      opening = !quote_open;
      quote_open = !quote_open;
    }
    if (!attach_next && !closing) out += ' ';
    out += w == "``" || w == "''" ? std::string_view("\"") : std::string_view(w);
    attach_next = opening;
  }
  return out;
}

std::vector<std::string> brown_paragraphs(std::string_view file_text) {
  std::vector<std::string> paragraphs;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) paragraphs.push_back(std::move(current));
    current.clear();
  };
  size_t pos = 0;
  while (pos <= file_text.size()) {
    size_t nl = file_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = file_text.size();
    const std::string_view line = file_text.substr(pos, nl - pos);
    if (is_blank(line)) {
      flush();
    } else if (std::string sentence = detokenize_words(strip_brown_tags(line)); !sentence.empty()) {
      if (!current.empty()) current += ' ';
      current += sentence;
    }
    pos = nl + 1;
  }
  flush();
  return paragraphs;
}

Result<std::vector<CorpusDocument>> read_brown_corpus(const fs::path& package_root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(package_root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (is_corpus_file_name(name)) names.push_back(name);
  }
  if (ec) return Status::io_error("listing " + package_root.string() + ": " + ec.message());
  if (names.empty()) return Status::not_found("no Brown corpus files (ca01..cr09) in " + package_root.string());
  std::sort(names.begin(), names.end());  // directory order is not stable
  std::vector<CorpusDocument> documents;
  documents.reserve(names.size());
  for (const std::string& name : names) {
    const fs::path path = package_root / name;
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return Status::io_error("opening " + path.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) return Status::io_error("reading " + path.string());
    CorpusDocument doc;
    doc.id = "brown/" + name;
    doc.paragraphs = brown_paragraphs(buffer.str());
    if (!doc.paragraphs.empty()) documents.push_back(std::move(doc));
  }
  return documents;
}

}  // namespace bahed::ctl
