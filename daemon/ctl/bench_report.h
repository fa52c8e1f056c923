#pragma once
// BenchReport: every benchmark prints the same figures two ways: a table for
// people, and with --json one JSON object for machines.
#include <string>
#include <utility>
#include <vector>

namespace bahed::ctl {

class BenchReport {
 public:
  explicit BenchReport(std::string title) : title_(std::move(title)) {}
  // Facts about the run (machine, inputs), shown above the table.
  void context(const std::string& key, const std::string& value) { context_.emplace_back(key, value); }
  // One figure: `key` is the JSON name, `label` the table's, `unit` shown in both.
  void figure(const std::string& key, const std::string& label, double value, const std::string& unit);
  // Prints the table, or the JSON object when `json` is true, to stdout.
  void print(bool json) const;

 private:
  struct Figure {
    std::string key, label, unit;
    double value;
  };
  std::string title_;
  std::vector<std::pair<std::string, std::string>> context_;
  std::vector<Figure> figures_;
};

}  // namespace bahed::ctl
