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
  // A grid of figures, one row per thing compared (e.g. per trainer), shown
  // after the figures; in JSON under "tables": {key: {row key: {column key:
  // value}}}. Non-finite values print as "-" (JSON null).
  struct Column {
    std::string key, label, unit;
  };
  struct Row {
    std::string key, label;
    std::vector<double> values;  // one per column
  };
  void table(const std::string& key, const std::string& title, std::vector<Column> columns, std::vector<Row> rows);
  // Prints the table, or the JSON object when `json` is true, to stdout.
  void print(bool json) const;

 private:
  struct Table {
    std::string key, title;
    std::vector<Column> columns;
    std::vector<Row> rows;
  };
  void print_tables() const;
  struct Figure {
    std::string key, label, unit;
    double value;
  };
  std::string title_;
  std::vector<std::pair<std::string, std::string>> context_;
  std::vector<Figure> figures_;
  std::vector<Table> tables_;
};

}  // namespace bahed::ctl
