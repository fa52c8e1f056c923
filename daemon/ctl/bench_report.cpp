#include "daemon/ctl/bench_report.h"

#include <cstdio>

#include "common/json_writer.h"

namespace bahed::ctl {

void BenchReport::figure(const std::string& key, const std::string& label, double value, const std::string& unit) {
  figures_.push_back({key, label, unit, value});
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
    w.end_object().end_object();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  std::printf("%s\n", title_.c_str());
  for (const auto& [k, v] : context_) std::printf("  %-22s %s\n", k.c_str(), v.c_str());
  std::printf("  %-44s %16s  %s\n", "figure", "value", "unit");
  std::printf("  %-44s %16s  %s\n", std::string(44, '-').c_str(), std::string(16, '-').c_str(), "----");
  for (const auto& f : figures_) std::printf("  %-44s %16.6g  %s\n", f.label.c_str(), f.value, f.unit.c_str());
}

}  // namespace bahed::ctl
