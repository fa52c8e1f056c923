#include "daemon/ctl/bench_report.h"

#include <cmath>
#include <cstdio>

#include "common/json_writer.h"

namespace bahed::ctl {

void BenchReport::figure(const std::string& key, const std::string& label, double value, const std::string& unit) {
  figures_.push_back({key, label, unit, value});
}

void BenchReport::table(const std::string& key, const std::string& title, std::vector<Column> columns,
                        std::vector<Row> rows) {
  tables_.push_back({key, title, std::move(columns), std::move(rows)});
}

void BenchReport::print_tables() const {
  for (const Table& t : tables_) {
    std::printf("\n  %s\n  %-14s", t.title.c_str(), "");
    for (const Column& c : t.columns) std::printf(" %14s", c.label.c_str());
    std::printf("\n  %-14s", "");
    for (const Column& c : t.columns) std::printf(" %14s", c.unit.empty() ? "" : ("(" + c.unit + ")").c_str());
    std::printf("\n");
    for (const Row& r : t.rows) {
      std::printf("  %-14s", r.label.c_str());
      for (const double v : r.values) {
        if (std::isfinite(v)) {
          std::printf(" %14.5g", v);
        } else {
          std::printf(" %14s", "-");
        }
      }
      std::printf("\n");
    }
  }
}

void BenchReport::print(bool json) const {
  if (json) {
    JsonWriter w;
    w.begin_object().key("benchmark").value(title_);
    w.key("context").begin_object();
    for (const auto& [k, v] : context_) w.key(k).value(v);
    w.end_object();
    w.key("figures").begin_object();
    for (const auto& f : figures_) w.key(f.key).begin_object().key("value").value(f.value).key("unit").value(f.unit).end_object();
    w.end_object();
    if (!tables_.empty()) {
      w.key("tables").begin_object();
      for (const Table& t : tables_) {
        w.key(t.key).begin_object();
        for (const Row& r : t.rows) {
          w.key(r.key).begin_object();
          for (size_t c = 0; c < t.columns.size() && c < r.values.size(); ++c) w.key(t.columns[c].key).value(r.values[c]);
          w.end_object();
        }
        w.end_object();
      }
      w.end_object();
    }
    w.end_object();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  std::printf("%s\n", title_.c_str());
  for (const auto& [k, v] : context_) std::printf("  %-22s %s\n", k.c_str(), v.c_str());
  std::printf("  %-44s %16s  %s\n", "figure", "value", "unit");
  std::printf("  %-44s %16s  %s\n", std::string(44, '-').c_str(), std::string(16, '-').c_str(), "----");
  for (const auto& f : figures_) std::printf("  %-44s %16.6g  %s\n", f.label.c_str(), f.value, f.unit.c_str());
  print_tables();
}

}  // namespace bahed::ctl
