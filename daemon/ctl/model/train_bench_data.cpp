#include "daemon/ctl/model/train_bench_data.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <unordered_map>

#include "consumers/event_decoder.h"

namespace bahed::ctl {
namespace {

struct UserEvent {
  int64_t ts_ms = 0;
  bool impression = false;
  int64_t text = 0;     // item text (impression) or behavior text
  float label = 0;
};

class TextTable {
 public:
  int64_t id(const std::string& text) {
    const auto [it, inserted] = ids_.emplace(text, static_cast<int64_t>(texts_.size()));
    if (inserted) texts_.push_back(text);
    return it->second;
  }
  std::vector<std::string> take() { return std::move(texts_); }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  std::vector<std::string> texts_;
};

TrainBenchUser build_user(std::string id, std::vector<UserEvent>& events, double held_out_fraction) {
  std::stable_sort(events.begin(), events.end(),
                   [](const UserEvent& a, const UserEvent& b) { return a.ts_ms < b.ts_ms; });
  int64_t n_impressions = 0;
  for (const UserEvent& e : events) n_impressions += e.impression;
  const auto n_held_out = static_cast<int64_t>(static_cast<double>(n_impressions) * held_out_fraction);
  TrainBenchUser user;
  user.id = std::move(id);
  trainer::Timeline all;
  int64_t seen = 0;
  for (const UserEvent& e : events) {
    if (!e.impression) {
      all.behaviors.push_back(e.text);
      all.actions.push_back(BehaviorAction::kNone);
      continue;
    }
    const trainer::TimelineTarget target{e.text, e.label, static_cast<int64_t>(all.behaviors.size())};
    (seen++ < n_impressions - n_held_out ? user.train : user.held_out).targets.push_back(target);
    all.behaviors.push_back(e.text);  // the item, with the action (common/behavior_action.h)
    all.actions.push_back(action_of_label(e.label > 0 ? 1 : 0));
  }
  user.train.behaviors = all.behaviors;
  user.train.actions = all.actions;
  user.held_out.behaviors = std::move(all.behaviors);
  user.held_out.actions = std::move(all.actions);
  return user;
}

}  // namespace

int64_t TrainBenchData::n_train_targets() const {
  int64_t n = 0;
  for (const TrainBenchUser& user : users) n += static_cast<int64_t>(user.train.targets.size());
  return n;
}

int64_t TrainBenchData::n_held_out_targets() const {
  int64_t n = 0;
  for (const TrainBenchUser& user : users) n += static_cast<int64_t>(user.held_out.targets.size());
  return n;
}

Result<TrainBenchData> load_train_bench_data(const TrainBenchDataOptions& options) {
  TrainBenchData data;
  TextTable texts;
  consumers::DecodeOptions decode;
  decode.require_key_match = false;  // logs have no Kafka keys: a placeholder key passes
  consumers::EventDecoder decoder{decode};
  // Far future: logs of any age and clock pass the skew check.
  constexpr int64_t kNowMs = 4'000'000'000'000;
  std::map<std::string, std::vector<UserEvent>> by_user;  // ordered: deterministic user order
  for (size_t f = 0; f < options.event_files.size(); ++f) {
    std::ifstream in(options.event_files[f]);
    if (!in) return Status::io_error("cannot read " + options.event_files[f]);
    std::string line;
    Event event;
    while (std::getline(in, line)) {
      ++data.n_lines;
      if (!decoder.decode("log", line, kNowMs, &event).ok) {  // any non-empty key passes
        ++data.n_rejected;
        continue;
      }
      UserEvent e;
      e.ts_ms = event.ts_ms;
      if (event.type == EventType::kImpression) {
        e.impression = true;
        e.text = texts.id(event.item_text);
        e.label = event.label > 0 ? 1.0f : 0.0f;
        ++data.n_impressions;
      } else {
        e.text = texts.id(event.text);
        ++data.n_behavior_events;
      }
      by_user[std::to_string(f) + ":" + event.user].push_back(e);
    }
  }
  for (auto& [id, events] : by_user) data.users.push_back(build_user(id, events, options.held_out_fraction));
  data.texts = texts.take();
  return data;
}

trainer::TokenTable tokenize_texts(const encoder::Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                   int64_t max_tokens) {
  encoder::EncodeOptions encode;
  encode.add_bos = false;
  encode.parse_special = false;  // event text is untrusted
  trainer::TokenTable table;
  for (const std::string& text : texts) {
    std::vector<int32_t> ids = tokenizer.encode(text, encode);
    if (static_cast<int64_t>(ids.size()) > max_tokens) ids.resize(static_cast<size_t>(max_tokens));
    if (ids.empty()) ids.push_back(tokenizer.bos_id().value_or(tokenizer.eos_id().value_or(0)));
    table.add(std::vector<int64_t>(ids.begin(), ids.end()));
  }
  return table;
}

}  // namespace bahed::ctl
