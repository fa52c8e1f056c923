#include "encoder/behavior_encoder_options.h"

namespace bahed::encoder {
namespace {

constexpr std::string_view kItemPlaceholder = "{item}";

}  // namespace

Status BehaviorEncoderOptions::validate() const {
  if (context_length < 1 || context_length > 4096) {
    return Status::invalid_argument("encoder.context_length must be in [1, 4096], got " +
                                    std::to_string(context_length));
  }
  if (item_feature.empty()) return Status::invalid_argument("encoder.item_feature must not be empty");
  if (impression_feature.empty()) return Status::invalid_argument("encoder.impression_feature must not be empty");
  if (clicked_template.find(kItemPlaceholder) == std::string::npos) {
    return Status::invalid_argument("encoder.clicked_template must contain {item}, got '" + clicked_template + "'");
  }
  if (skipped_template.find(kItemPlaceholder) == std::string::npos) {
    return Status::invalid_argument("encoder.skipped_template must contain {item}, got '" + skipped_template + "'");
  }
  if (clicked_template == skipped_template) {
    return Status::invalid_argument(
        "encoder.clicked_template and encoder.skipped_template are equal: the history would not show the label");
  }
  return Status::ok();
}

std::string render_history_text(std::string_view templ, std::string_view item_text) {
  const size_t at = templ.find(kItemPlaceholder);
  if (at == std::string_view::npos) return std::string(templ);
  std::string out;
  out.reserve(templ.size() + item_text.size());
  out.append(templ.substr(0, at)).append(item_text).append(templ.substr(at + kItemPlaceholder.size()));
  return out;
}

}  // namespace bahed::encoder
