#pragma once
// How a store is opened; see BehaviorStore's open functions.
namespace bahed::encoder {

enum class OpenMode {
  kReadWrite,  // the one writer; creates the database and missing families
  kReadOnly,   // a frozen view as of open; the database must exist
  kSecondary,  // follows a primary through try_catch_up(); must exist
};

}  // namespace bahed::encoder
