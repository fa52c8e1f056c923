#include "consumers/event_decoder.h"

#include <simdjson.h>

#include <cstring>

namespace bahed::consumers {

namespace {

constexpr int64_t kContractVersion = 1;

DecodeOutcome reject(RejectReason reason, std::string detail) {
  return DecodeOutcome{false, reason, std::move(detail)};
}

bool has_control_character(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

// Reads a required or optional string field with its size limit. Returns
// true and fills `out` when present and valid; `present` says whether the
// field was there at all (for optional fields).
struct StringField {
  std::string_view name;
  int64_t max_bytes;
  bool required;
};

bool read_string(const simdjson::dom::object& obj, const StringField& spec, std::string_view* out, bool* present,
                 DecodeOutcome* failure) {
  simdjson::dom::element el;
  *present = false;
  if (obj[spec.name].get(el) != simdjson::SUCCESS) {
    if (spec.required) *failure = reject(RejectReason::kMissingField, std::string(spec.name));
    return !spec.required;
  }
  *present = true;
  if (el.get_string().get(*out) != simdjson::SUCCESS) {
    *failure = reject(RejectReason::kWrongType, std::string(spec.name) + " must be a string");
    return false;
  }
  if (out->empty()) {
    *failure = reject(RejectReason::kEmptyField, std::string(spec.name) + " is empty");
    return false;
  }
  if (static_cast<int64_t>(out->size()) > spec.max_bytes) {
    *failure = reject(RejectReason::kOversizeField, std::string(spec.name) + " has " + std::to_string(out->size()) +
                                                        " bytes, limit " + std::to_string(spec.max_bytes));
    return false;
  }
  if (has_control_character(*out)) {
    *failure = reject(RejectReason::kControlCharacter, std::string(spec.name) + " contains a control character");
    return false;
  }
  return true;
}

}  // namespace

Status DecodeOptions::validate() const {
  if (max_message_bytes < 64 || max_message_bytes > (int64_t{1} << 30))
    return Status::invalid_argument("decode.max_message_bytes must be in [64, 1073741824]");
  if (max_text_bytes < 1 || max_text_bytes > max_message_bytes)
    return Status::invalid_argument("decode.max_text_bytes must be in [1, decode.max_message_bytes]");
  if (max_id_bytes < 1 || max_id_bytes > 65536) return Status::invalid_argument("decode.max_id_bytes must be in [1, 65536]");
  if (max_depth < 2 || max_depth > 1024) return Status::invalid_argument("decode.max_depth must be in [2, 1024]");
  if (min_ts_ms < 0) return Status::invalid_argument("decode.min_ts_ms must be >= 0");
  if (max_future_skew_ms < 0) return Status::invalid_argument("decode.max_future_skew_ms must be >= 0");
  return Status::ok();
}

struct EventDecoder::Parser {
  simdjson::dom::parser parser;
  std::string buffer;  // payload copy with simdjson's required padding
};

EventDecoder::EventDecoder(DecodeOptions options) : options_(options), parser_(std::make_unique<Parser>()) {
  // Allocate once for the largest message so parsing never reallocates. If
  // that fails (out of memory), simdjson allocates per parse instead: slower,
  // still correct, so the error is deliberately not fatal here.
  const auto err = parser_->parser.allocate(static_cast<size_t>(options_.max_message_bytes),
                                            static_cast<size_t>(options_.max_depth));
  allocated_up_front_ = err == simdjson::SUCCESS;
  parser_->buffer.reserve(static_cast<size_t>(options_.max_message_bytes) + simdjson::SIMDJSON_PADDING);
}

EventDecoder::~EventDecoder() = default;

DecodeOutcome EventDecoder::decode(std::string_view key, std::string_view payload, int64_t now_ms, Event* event) {
  *event = Event{};
  if (static_cast<int64_t>(payload.size()) > options_.max_message_bytes)
    return reject(RejectReason::kOversizeMessage, "payload has " + std::to_string(payload.size()) + " bytes, limit " +
                                                      std::to_string(options_.max_message_bytes));
  if (payload.empty()) return reject(RejectReason::kMalformedJson, "empty payload");

  auto& buf = parser_->buffer;
  buf.resize(payload.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buf.data(), payload.data(), payload.size());
  std::memset(buf.data() + payload.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element root;
  if (auto err = parser_->parser.parse(buf.data(), payload.size(), false).get(root); err != simdjson::SUCCESS) {
    switch (err) {
      case simdjson::UTF8_ERROR: return reject(RejectReason::kInvalidUtf8, "payload is not valid UTF-8");
      case simdjson::DEPTH_ERROR:
        return reject(RejectReason::kTooDeep, "nesting deeper than " + std::to_string(options_.max_depth));
      default: return reject(RejectReason::kMalformedJson, simdjson::error_message(err));
    }
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS)
    return reject(RejectReason::kNotAnObject, "the payload must be a JSON object");

  // v
  simdjson::dom::element el;
  if (obj["v"].get(el) != simdjson::SUCCESS) return reject(RejectReason::kMissingField, "v");
  int64_t version = 0;
  if (el.get_int64().get(version) != simdjson::SUCCESS) return reject(RejectReason::kWrongType, "v must be an integer");
  if (version != kContractVersion)
    return reject(RejectReason::kUnsupportedVersion, "v=" + std::to_string(version) + ", this build reads v=1");

  // type
  DecodeOutcome failure;
  std::string_view type;
  bool present = false;
  if (!read_string(obj, {"type", 64, true}, &type, &present, &failure)) return failure;
  if (type == "impression") {
    event->type = EventType::kImpression;
  } else if (type == "behavior") {
    event->type = EventType::kBehavior;
  } else {
    return reject(RejectReason::kUnknownType, "type must be impression or behavior");
  }

  // user, and the Kafka key that must carry it
  std::string_view user;
  if (!read_string(obj, {"user", options_.max_id_bytes, true}, &user, &present, &failure)) return failure;
  if (key.empty()) return reject(RejectReason::kEmptyKey, "the message key must be the user id");
  if (options_.require_key_match && key != user) return reject(RejectReason::kKeyMismatch, "key differs from user");

  // ts
  if (obj["ts"].get(el) != simdjson::SUCCESS) return reject(RejectReason::kMissingField, "ts");
  int64_t ts = 0;
  if (el.get_int64().get(ts) != simdjson::SUCCESS)
    return reject(RejectReason::kWrongType, "ts must be an integer (ms since the epoch)");
  if (ts < options_.min_ts_ms) return reject(RejectReason::kBadTimestamp, "ts is before decode.min_ts_ms (seconds sent as ms?)");
  if (ts > now_ms + options_.max_future_skew_ms) return reject(RejectReason::kBadTimestamp, "ts is in the future");

  // feature (optional for both types)
  std::string_view feature;
  if (!read_string(obj, {"feature", options_.max_id_bytes, false}, &feature, &present, &failure)) return failure;

  if (event->type == EventType::kImpression) {
    simdjson::dom::element item_el;
    if (obj["item"].get(item_el) != simdjson::SUCCESS) return reject(RejectReason::kMissingField, "item");
    simdjson::dom::object item;
    if (item_el.get_object().get(item) != simdjson::SUCCESS)
      return reject(RejectReason::kWrongType, "item must be an object");
    std::string_view item_id, item_text;
    if (!read_string(item, {"id", options_.max_id_bytes, true}, &item_id, &present, &failure)) {
      failure.detail = "item." + failure.detail;
      return failure;
    }
    if (!read_string(item, {"text", options_.max_text_bytes, true}, &item_text, &present, &failure)) {
      failure.detail = "item." + failure.detail;
      return failure;
    }
    if (obj["label"].get(el) != simdjson::SUCCESS) return reject(RejectReason::kMissingField, "label");
    int64_t label = -1;
    bool label_bool = false;
    if (el.get_bool().get(label_bool) == simdjson::SUCCESS) {
      label = label_bool ? 1 : 0;
    } else if (el.get_int64().get(label) != simdjson::SUCCESS || (label != 0 && label != 1)) {
      return reject(RejectReason::kBadLabel, "label must be 0, 1, true or false");
    }
    event->item_id.assign(item_id);
    event->item_text.assign(item_text);
    event->label = static_cast<int>(label);
  } else {
    std::string_view text;
    if (!read_string(obj, {"text", options_.max_text_bytes, true}, &text, &present, &failure)) return failure;
    event->text.assign(text);
  }

  event->user.assign(user);
  event->ts_ms = ts;
  event->feature.assign(feature.empty() ? std::string_view("default") : feature);
  return DecodeOutcome{true, RejectReason::kMalformedJson, {}};
}

}  // namespace bahed::consumers
