#include "daemon/ctl/event_log_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/atomic_file.h"
#include "common/json_writer.h"

namespace bahed::ctl {

std::string event_to_json(const Event& event, double rating) {
  JsonWriter w;
  w.begin_object().key("v").value(1);
  if (event.type == EventType::kImpression) {
    w.key("type").value("impression").key("user").value(event.user).key("ts").value(event.ts_ms);
    w.key("item").begin_object().key("id").value(event.item_id).key("text").value(event.item_text).end_object();
    w.key("label").value(event.label);
    if (rating >= 0) w.key("rating").value(rating);
  } else {
    w.key("type").value("behavior").key("user").value(event.user).key("ts").value(event.ts_ms);
    w.key("feature").value(event.feature.empty() ? std::string_view("default") : std::string_view(event.feature));
    w.key("text").value(event.text);
  }
  w.end_object();
  return w.take();
}

Status EventLogWriter::open(const std::string& path, std::unique_ptr<EventLogWriter>* out) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::io_error("creating " + parent.string() + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::io_error("opening " + tmp + ": " + std::strerror(errno));
  out->reset(new EventLogWriter(path, f));
  return Status::ok();
}

EventLogWriter::~EventLogWriter() {
  if (file_) {
    std::fclose(file_);
    std::remove((path_ + ".tmp").c_str());
  }
}

Status EventLogWriter::write(const Event& event, double rating) {
  line_ = event_to_json(event, rating);
  line_.push_back('\n');
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size())
    return Status::io_error("writing " + path_ + ".tmp: " + std::strerror(errno));
  ++n_written_;
  return Status::ok();
}

Status EventLogWriter::close() {
  if (!file_) return Status::ok();
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  std::fclose(file_);
  file_ = nullptr;
  const std::string tmp = path_ + ".tmp";
  if (!flushed) return Status::io_error("flushing " + tmp + ": " + std::strerror(err));
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Status::io_error("renaming " + tmp + " to " + path_ + ": " + std::strerror(errno));
  // The rename itself is durable only once the directory is.
  return sync_path(std::filesystem::absolute(path_).parent_path());
}

}  // namespace bahed::ctl
