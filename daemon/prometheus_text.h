#pragma once
// Prometheus text exposition format 0.0.4: each family once with # HELP
// and # TYPE, then its samples. Label values are escaped (\\, \", \n).
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace bahed::daemon {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Starts a family; `type` is counter, gauge or untyped.
  PrometheusText& family(const std::string& name, const char* type, const char* help) {
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    return *this;
  }
  PrometheusText& sample(const std::string& name, double value, const Labels& labels = {}) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out_ += ',';
        out_ += labels[i].first + "=\"" + escape(labels[i].second) + '"';
      }
      out_ += '}';
    }
    out_ += ' ' + number(value) + '\n';
    return *this;
  }
  // A family with one unlabelled sample.
  PrometheusText& single(const std::string& name, const char* type, const char* help, double value) {
    return family(name, type, help).sample(name, value);
  }
  const std::string& text() const { return out_; }

 private:
  static std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out;
  }
  static std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  std::string out_;
};

}  // namespace bahed::daemon
