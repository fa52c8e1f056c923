#pragma once
// A reader of R's serialization format and of R's lazy-load databases
// (<package>/data/Rdata.rdb + Rdata.rdx), enough to read the data sets that R
// packages ship (Debian's r-cran-dslabs, r-cran-janeaustenr) without R.
//
// Supported: the XDR format ("X\n"), versions 2 and 3; NULL, symbols,
// pairlists (and the pairlist-shaped language objects, closures, promises),
// logical, integer, double, complex, character, raw, list and expression
// vectors, attributes, the reference table (REFSXP), environments, the
// special environments, persistent/namespace/package references (kept as
// their name strings), S4 objects, and the ALTREP classes base R writes for
// data (compact_intseq, compact_realseq, wrap_*, deferred_string of
// integers). Refused with a Status naming the type code and byte offset:
// the ASCII and native-binary formats, byte code, INT64, bzip2 blobs, and
// any other ALTREP class.
//
// Input is untrusted (a fuzzer runs on it): every length field is checked
// against the bytes that remain before anything is allocated, nesting depth
// is bounded, decompression never allocates past the bytes it produced, and
// ALTREP sequences may not expand beyond the size of the blob that holds
// them. Memory use is therefore at most a constant factor of the input.
//
// Thread safety: the functions are pure; a LazyLoadDb is immutable after
// open() and may be read from several threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "daemon/ctl/r_decompression.h"

namespace bahed::ctl {

// R's SEXPTYPE codes, so that messages match R's documentation.
enum class RType : uint8_t {
  kNull = 0,
  kSymbol = 1,
  kPairList = 2,
  kClosure = 3,
  kEnvironment = 4,
  kPromise = 5,
  kLanguage = 6,
  kSpecial = 7,
  kBuiltin = 8,
  kLogical = 10,
  kInteger = 13,
  kReal = 14,
  kComplex = 15,
  kString = 16,
  kDots = 17,
  kList = 19,        // VECSXP, a generic vector
  kExpression = 20,
  kExternalPtr = 22,
  kWeakRef = 23,
  kRaw = 24,
  kS4 = 25,
};

std::string_view r_type_name(RType type);

// R's NA for integers and logicals.
inline constexpr int32_t kRNaInteger = INT32_MIN;
// R's NA for doubles is a NaN with payload 1954; any NaN is "missing" to R.
bool is_r_na_real(double value);

struct RValue;
// Values are immutable once read and shared: a REFSXP points at the node it
// refers to instead of copying it, which keeps memory linear in the input.
using RValuePtr = std::shared_ptr<const RValue>;

struct RValue {
  RType type = RType::kNull;
  bool is_object = false;  // R's OBJECT bit: the value has a class attribute

  // kLogical, kInteger: values, NA = kRNaInteger.
  std::vector<int32_t> ints;
  // kReal: values (NA = a NaN); kComplex: (real, imaginary) pairs.
  std::vector<double> doubles;
  // kString: UTF-8 when the source said which encoding a string has (UTF-8,
  // ASCII, latin1 which is converted); bytes as stored otherwise. NA =
  // nullopt. Persistent/namespace/package references keep their names here.
  std::vector<std::optional<std::string>> strings;
  // kSymbol: print name. kEnvironment: "R_GlobalEnv", "R_BaseEnv",
  // "R_EmptyEnv", "R_BaseNamespace", or "" for an ordinary one. kSpecial,
  // kBuiltin: the primitive's name. kRaw: the bytes.
  std::string name;
  // kList, kExpression: the elements. Pairlist-shaped types (kPairList,
  // kLanguage, kClosure, kPromise, kDots): the CARs in order. kEnvironment:
  // enclosure, frame, hash table. kExternalPtr: protected value, tag.
  std::vector<RValuePtr> elements;
  // Pairlist-shaped types: the tag of each element, "" when it has none.
  std::vector<std::string> tags;
  // Pairlist-shaped types: the final CDR when it is not NULL (a dotted pair).
  RValuePtr tail;
  // kEnvironment: which entry of the reference table it is (1-based). A
  // REFSXP to an environment yields a stub with only this set, so that
  // environments that contain themselves do not form ownership cycles.
  int64_t env_ref = 0;
  // Attributes in stored order (names, class, levels, row.names, ...).
  std::vector<std::pair<std::string, RValuePtr>> attributes;

  // Number of elements of a vector or pairlist; 0 for other types.
  int64_t length() const;
  // The attribute's value, or nullptr.
  const RValue* attribute(std::string_view attr_name) const;
  // True when the "class" attribute contains `class_name`.
  bool inherits(std::string_view class_name) const;
  // The "names" attribute as strings (NA as ""), or pairlist tags; empty
  // when there are none.
  std::vector<std::string> names() const;
};

// Parses one serialized R object ("X\n" header onwards). Corruption names
// the byte offset; InvalidArgument names what is not supported.
Result<RValuePtr> parse_r_serialization(std::string_view bytes);

// Reads one R .rds file (saveRDS output).
Result<RValuePtr> read_rds_file(const std::string& path);

// An R lazy-load database: `<base>.rdx` (an .rds holding variables -> (offset,
// length) in `<base>.rdb`, and the compression) plus `<base>.rdb`.
class LazyLoadDb {
 public:
  // Largest decompressed blob or index accepted. Default: 1 GiB.
  static constexpr size_t kDefaultMaxBlobBytes = size_t{1} << 30;

  // Reads and checks the index. `dir` holds `<base>.rdb` and `<base>.rdx`
  // (for a package's data sets: <package root>/data, base "Rdata").
  static Result<LazyLoadDb> open(const std::string& dir, const std::string& base = "Rdata",
                                 size_t max_blob_bytes = kDefaultMaxBlobBytes);

  // The variables, in index order.
  const std::vector<std::string>& names() const { return names_; }
  RCompression compression() const { return compression_; }

  // Reads, decompresses and parses one variable. NotFound lists the names.
  Result<RValuePtr> read(std::string_view name) const;

 private:
  struct Entry {
    int64_t offset = 0;
    int64_t length = 0;
  };
  std::string rdb_path_;
  std::vector<std::string> names_;
  std::vector<Entry> entries_;  // parallel to names_
  RCompression compression_ = RCompression::kZlib;
  size_t max_blob_bytes_ = kDefaultMaxBlobBytes;
};

// Convenience: LazyLoadDb::open(data_dir).read(name).
Result<RValuePtr> read_lazyload_object(const std::string& data_dir, std::string_view name);

// A character vector, or a factor turned into its level strings (NA stays
// NA). Anything else is InvalidArgument.
Result<std::vector<std::optional<std::string>>> r_strings(const RValue& value);

// One column of a data.frame, converted to one of three plain forms.
struct RColumn {
  std::string name;
  // kString (character vectors and factors), kInteger (integer and logical
  // vectors) or kReal.
  RType type = RType::kNull;
  bool was_factor = false;
  std::vector<int32_t> ints;
  std::vector<double> doubles;
  std::vector<std::optional<std::string>> strings;
};

struct RDataFrame {
  int64_t n_rows = 0;
  std::vector<RColumn> columns;

  // The column with that name, or nullptr.
  const RColumn* column(std::string_view column_name) const;
};

// Converts a data.frame (a list with class "data.frame", names and
// row.names). Columns of other types (lists, complex) are InvalidArgument;
// columns whose length differs from the row count are Corruption.
Result<RDataFrame> to_data_frame(const RValue& value);

}  // namespace bahed::ctl
