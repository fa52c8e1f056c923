#include "daemon/ctl/r_data_reader.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace bahed::ctl {
namespace {

// Builds R serialization streams by hand, XDR (big-endian) encoded, so each
// test states exactly which bytes the reader sees.
class Xdr {
 public:
  Xdr& header(int version = 3) {
    raw("X\n").i32(version).i32(0x040201).i32(0x030500);
    if (version == 3) i32(5).raw("UTF-8");
    return *this;
  }
  Xdr& raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Xdr& i32(int32_t v) {
    const auto u = static_cast<uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((u >> shift) & 0xFF));
    return *this;
  }
  Xdr& f64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return i32(static_cast<int32_t>(bits >> 32)).i32(static_cast<int32_t>(bits & 0xFFFFFFFFu));
  }
  // A SEXP header: type, then the object/attribute/tag bits and levels.
  Xdr& flags(uint32_t type, bool attr = false, bool tag = false, bool object = false, uint32_t levels = 0) {
    return i32(static_cast<int32_t>(type | (object ? 1u << 8 : 0) | (attr ? 1u << 9 : 0) | (tag ? 1u << 10 : 0) |
                                    (levels << 12)));
  }
  Xdr& charsxp(std::string_view s, uint32_t levels = 64 /* ASCII */) {
    return flags(9, false, false, false, levels).i32(static_cast<int32_t>(s.size())).raw(s);
  }
  Xdr& na_string() { return flags(9).i32(-1); }
  Xdr& symbol(std::string_view name) { return flags(1).charsxp(name); }
  Xdr& ref(int index) { return i32((index << 8) | 255); }
  Xdr& nil() { return i32(254); }
  Xdr& ints(std::initializer_list<int32_t> values, bool attr = false) {
    flags(13, attr).i32(static_cast<int32_t>(values.size()));
    for (int32_t v : values) i32(v);
    return *this;
  }
  Xdr& strings(std::initializer_list<std::string_view> values, bool attr = false) {
    flags(16, attr).i32(static_cast<int32_t>(values.size()));
    for (auto v : values) charsxp(v);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

RValuePtr parse_ok(const Xdr& x) {
  auto r = parse_r_serialization(x.str());
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : nullptr;
}

TEST(RDataReader, ParsesIntegerVectorWhenVersion2) {
  Xdr x;
  x.header(2).ints({1, kRNaInteger, -7});
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RType::kInteger);
  EXPECT_EQ(v->ints, (std::vector<int32_t>{1, kRNaInteger, -7}));
}

TEST(RDataReader, ParsesRealLogicalComplexAndRawWhenInList) {
  Xdr x;
  x.header().flags(19).i32(4);
  x.flags(14).i32(3).f64(2.5).f64(std::nan("")).f64(-std::numeric_limits<double>::infinity());
  x.flags(10).i32(2).i32(1).i32(kRNaInteger);
  x.flags(15).i32(1).f64(1.0).f64(-2.0);
  x.flags(24).i32(3).raw("abc");
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->elements.size(), 4u);
  const RValue& real = *v->elements[0];
  ASSERT_EQ(real.type, RType::kReal);
  EXPECT_EQ(real.doubles[0], 2.5);
  EXPECT_TRUE(is_r_na_real(real.doubles[1]));
  EXPECT_TRUE(std::isinf(real.doubles[2]));
  EXPECT_EQ(v->elements[1]->type, RType::kLogical);
  EXPECT_EQ(v->elements[1]->ints, (std::vector<int32_t>{1, kRNaInteger}));
  EXPECT_EQ(v->elements[2]->length(), 1);
  EXPECT_EQ(v->elements[2]->doubles, (std::vector<double>{1.0, -2.0}));
  EXPECT_EQ(v->elements[3]->name, "abc");
}

TEST(RDataReader, DecodesStringsWithNaAndEncodingsWhenVersion3) {
  Xdr x;
  x.header().flags(16).i32(4);
  x.charsxp("plain").na_string();
  x.charsxp("caf\xe9", 4 /* LATIN1 */).charsxp("\xc3\xbc", 8 /* UTF8 */);
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->strings.size(), 4u);
  EXPECT_EQ(v->strings[0], "plain");
  EXPECT_FALSE(v->strings[1].has_value());
  EXPECT_EQ(v->strings[2], "caf\xc3\xa9");  // converted to UTF-8
  EXPECT_EQ(v->strings[3], "\xc3\xbc");
}

TEST(RDataReader, ReadsNamesAttributeWhenListHasAttributes) {
  Xdr x;
  x.header().flags(19, /*attr=*/true).i32(2).ints({1}).strings({"b"});
  x.flags(2, false, /*tag=*/true).symbol("names").strings({"first", "second"}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->names(), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(v->elements[1]->strings[0], "b");
  EXPECT_EQ(v->attribute("class"), nullptr);
}

TEST(RDataReader, ResolvesReferencesWhenSymbolRepeats) {
  // Two vectors each with a "names" attribute: the second names the symbol
  // by reference (packed index), and a third by the long form (index 0 in
  // the flags, then the index as its own word).
  Xdr x;
  x.header().flags(19).i32(3);
  x.ints({1}, true).flags(2, false, true).symbol("names").strings({"a"}).nil();
  x.ints({2}, true).flags(2, false, true).ref(1).strings({"b"}).nil();
  x.ints({3}, true).flags(2, false, true).i32(255).i32(1).strings({"c"}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->elements[0]->names(), std::vector<std::string>{"a"});
  EXPECT_EQ(v->elements[1]->names(), std::vector<std::string>{"b"});
  EXPECT_EQ(v->elements[2]->names(), std::vector<std::string>{"c"});
}

TEST(RDataReader, KeepsTagsAndTailWhenPairlistIsDotted) {
  Xdr x;
  x.header().flags(2, false, true).symbol("x").ints({1});
  x.flags(2).strings({"untagged"});
  x.ints({9});  // the final CDR is a vector, not NULL
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RType::kPairList);
  EXPECT_EQ(v->tags, (std::vector<std::string>{"x", ""}));
  ASSERT_TRUE(v->tail);
  EXPECT_EQ(v->tail->ints, std::vector<int32_t>{9});
}

TEST(RDataReader, BuildsFactorDataFrameWhenRowNamesAreCompact) {
  Xdr x;
  x.header().flags(19, true, false, true).i32(3);
  x.ints({10, 20, 30});
  // factor(c("lo", NA, "hi"), levels = c("hi", "lo"))
  x.flags(13, true, false, true).i32(3).i32(2).i32(kRNaInteger).i32(1);
  x.flags(2, false, true).symbol("levels").strings({"hi", "lo"});
  x.flags(2, false, true).symbol("class").strings({"factor"}).nil();
  x.flags(14).i32(3).f64(0.5).f64(1.5).f64(2.5);
  x.flags(2, false, true).symbol("names").strings({"id", "level", "score"});
  x.flags(2, false, true).ref(2).strings({"data.frame"});  // "class" again, by reference
  x.flags(2, false, true).symbol("row.names").ints({kRNaInteger, -3}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->inherits("data.frame"));
  auto frame = to_data_frame(*v);
  ASSERT_TRUE(frame.is_ok()) << frame.status().to_string();
  EXPECT_EQ(frame->n_rows, 3);
  ASSERT_EQ(frame->columns.size(), 3u);
  const RColumn* level = frame->column("level");
  ASSERT_NE(level, nullptr);
  EXPECT_TRUE(level->was_factor);
  EXPECT_EQ(level->strings, (std::vector<std::optional<std::string>>{"lo", std::nullopt, "hi"}));
  EXPECT_EQ(frame->column("id")->ints, (std::vector<int32_t>{10, 20, 30}));
  EXPECT_EQ(frame->column("score")->doubles[2], 2.5);
  EXPECT_EQ(frame->column("missing"), nullptr);
}

TEST(RDataReader, RejectsDataFrameWhenColumnLengthDiffers) {
  Xdr x;
  x.header().flags(19, true).i32(1).ints({1, 2});
  x.flags(2, false, true).symbol("names").strings({"a"});
  x.flags(2, false, true).symbol("class").strings({"data.frame"});
  x.flags(2, false, true).symbol("row.names").ints({kRNaInteger, -3}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  auto frame = to_data_frame(*v);
  ASSERT_FALSE(frame.is_ok());
  EXPECT_EQ(frame.status().code(), StatusCode::kCorruption);
}

// ALTREP: flags 238, then info = (class, package, type), state, attributes.
Xdr& altrep_info(Xdr& x, std::string_view cls, int type) {
  x.i32(238).flags(2).symbol(cls).flags(2).symbol("base").flags(2).ints({type}).nil();
  return x;
}

TEST(RDataReader, ExpandsCompactIntseqWhenAltrep) {
  Xdr x;
  x.header();
  altrep_info(x, "compact_intseq", 13).flags(14).i32(3).f64(5).f64(10).f64(1).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RType::kInteger);
  EXPECT_EQ(v->ints, (std::vector<int32_t>{10, 11, 12, 13, 14}));
}

TEST(RDataReader, ExpandsCompactRealseqWhenDescending) {
  Xdr x;
  x.header();
  altrep_info(x, "compact_realseq", 14).flags(14).i32(3).f64(3).f64(2.5).f64(-1).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->doubles, (std::vector<double>{2.5, 1.5, 0.5}));
}

TEST(RDataReader, UnwrapsVectorAndKeepsAttributesWhenWrapAltrep) {
  Xdr x;
  x.header();
  altrep_info(x, "wrap_string", 16);
  x.flags(2).strings({"w"}).ints({0, 1});  // state = CONS(x, metadata)
  x.flags(2, false, true).symbol("names").strings({"n"}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RType::kString);
  EXPECT_EQ(v->strings[0], "w");
  EXPECT_EQ(v->names(), std::vector<std::string>{"n"});
}

TEST(RDataReader, FormatsIntegersWhenDeferredString) {
  Xdr x;
  x.header();
  altrep_info(x, "deferred_string", 16);
  x.flags(2).ints({7, kRNaInteger, -12}).ints({0}).nil();
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->strings, (std::vector<std::optional<std::string>>{"7", std::nullopt, "-12"}));
}

TEST(RDataReader, RejectsUnknownAltrepClassWithItsName) {
  Xdr x;
  x.header();
  altrep_info(x, "vroom_chr", 16).nil().nil();
  auto v = parse_r_serialization(x.str());
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("vroom_chr"), std::string::npos);
}

TEST(RDataReader, BreaksCycleWhenEnvironmentContainsItself) {
  Xdr x;
  x.header().flags(4).i32(0).i32(253);  // unlocked, enclosure = globalenv
  x.flags(2, false, true).symbol("self").ref(1).nil();  // frame: self = the env (ref 1)
  x.nil().nil();  // hash table, attributes
  auto v = parse_ok(x);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->type, RType::kEnvironment);
  EXPECT_EQ(v->env_ref, 1);
  EXPECT_EQ(v->elements[0]->name, "R_GlobalEnv");
  const RValue& frame = *v->elements[1];
  EXPECT_EQ(frame.tags, std::vector<std::string>{"self"});
  EXPECT_EQ(frame.elements[0]->env_ref, 1);
  EXPECT_TRUE(frame.elements[0]->elements.empty());  // a stub, not an owner
}

TEST(RDataReader, RejectsTruncatedStream) {
  Xdr x;
  x.header().ints({1, 2, 3});
  const std::string cut = x.str().substr(0, x.str().size() - 2);
  auto v = parse_r_serialization(cut);
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
}

TEST(RDataReader, RejectsAbsurdLengthBeforeAllocating) {
  for (uint32_t type : {10u, 13u, 14u, 15u, 16u, 19u, 24u}) {
    Xdr x;
    x.header().flags(type).i32(0x7FFFFFFF).i32(0);
    auto v = parse_r_serialization(x.str());
    ASSERT_FALSE(v.is_ok()) << "type " << type;
    EXPECT_NE(v.status().message().find("exceeds"), std::string::npos) << v.status().to_string();
  }
  Xdr long_vector;
  long_vector.header().flags(13).i32(-1).i32(65536).i32(0);
  EXPECT_FALSE(parse_r_serialization(long_vector.str()).is_ok());
  Xdr string;
  string.header().flags(16).i32(1).flags(9).i32(1 << 30);
  EXPECT_FALSE(parse_r_serialization(string.str()).is_ok());
}

TEST(RDataReader, RejectsUnknownTypeNamingCodeAndPosition) {
  Xdr x;
  x.header().flags(19).i32(1).i32(31);
  auto v = parse_r_serialization(x.str());
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("type 31"), std::string::npos) << v.status().to_string();
  EXPECT_NE(v.status().message().find("at byte 31"), std::string::npos) << v.status().to_string();
}

TEST(RDataReader, RejectsBadReferenceAndForeignFormats) {
  Xdr bad_ref;
  bad_ref.header().ref(1);
  EXPECT_EQ(parse_r_serialization(bad_ref.str()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(parse_r_serialization("A\n1\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_r_serialization("RDX3\n").status().code(), StatusCode::kCorruption);
  Xdr v4;
  v4.header(4);
  EXPECT_EQ(parse_r_serialization(v4.str()).status().code(), StatusCode::kInvalidArgument);
}

TEST(RDataReader, RejectsNestingWhenDeeperThanLimit) {
  Xdr x;
  x.header();
  for (int i = 0; i < 10000; ++i) x.flags(19).i32(1);
  x.nil();
  auto v = parse_r_serialization(x.str());
  ASSERT_FALSE(v.is_ok());
  EXPECT_NE(v.status().message().find("nesting"), std::string::npos);
}

TEST(RDataReader, RejectsCompactSequenceLongerThanBlob) {
  Xdr x;
  x.header();
  altrep_info(x, "compact_intseq", 13).flags(14).i32(3).f64(2e9).f64(1).f64(1).nil();
  auto v = parse_r_serialization(x.str());
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
}

std::string be32(uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

std::string zlib_compress(const std::string& in) {
  uLongf n = compressBound(in.size());
  std::string out(n, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()), in.size(), 6),
            Z_OK);
  out.resize(n);
  return out;
}

TEST(RDataReader, DecompressesBlobWhenZlibOrXzOrStored) {
  const std::string payload = std::string(1000, 'a') + "tail";
  auto z = decompress_rdb_blob(be32(payload.size()) + zlib_compress(payload), RCompression::kZlib, 1 << 20);
  ASSERT_TRUE(z.is_ok()) << z.status().to_string();
  EXPECT_EQ(*z, payload);

  // R_compress3: raw LZMA2 with preset 6 after the type byte 'Z'.
  lzma_options_lzma opts;
  ASSERT_FALSE(lzma_lzma_preset(&opts, 6));
  lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opts}, {LZMA_VLI_UNKNOWN, nullptr}};
  std::string xz(payload.size() + 1024, '\0');
  size_t xz_size = 0;
  ASSERT_EQ(lzma_raw_buffer_encode(filters, nullptr, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
                                   reinterpret_cast<uint8_t*>(xz.data()), &xz_size, xz.size()),
            LZMA_OK);
  xz.resize(xz_size);
  auto x = decompress_rdb_blob(be32(payload.size()) + "Z" + xz, RCompression::kXz, 1 << 20);
  ASSERT_TRUE(x.is_ok()) << x.status().to_string();
  EXPECT_EQ(*x, payload);

  auto stored = decompress_rdb_blob(be32(4) + "0" + "abcd", RCompression::kXz, 1 << 20);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(*stored, "abcd");
  EXPECT_EQ(decompress_rdb_blob(be32(4) + "2" + "abcd", RCompression::kBzip2, 1 << 20).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RDataReader, RejectsBlobWhenDeclaredLengthIsWrongOrTooLarge) {
  const std::string payload(5000, 'b');
  const std::string z = zlib_compress(payload);
  EXPECT_FALSE(decompress_rdb_blob(be32(4999) + z, RCompression::kZlib, 1 << 20).is_ok());
  EXPECT_FALSE(decompress_rdb_blob(be32(5001) + z, RCompression::kZlib, 1 << 20).is_ok());
  EXPECT_FALSE(decompress_rdb_blob(be32(0xFFFFFFFF) + z, RCompression::kZlib, 1 << 20).is_ok());
  EXPECT_FALSE(decompress_rdb_blob(be32(5000) + z.substr(0, z.size() / 2), RCompression::kZlib, 1 << 20).is_ok());
  EXPECT_FALSE(decompress_rdb_blob("ab", RCompression::kZlib, 1 << 20).is_ok());
}

std::string gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class RDataReaderDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bahed_rdb_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  std::filesystem::path dir_;
};

TEST_F(RDataReaderDbTest, ReadsObjectsWhenIndexPointsIntoRdb) {
  // Two objects in the .rdb, zlib framed as R_compress1 writes them.
  Xdr first;
  first.header().ints({42});
  Xdr second;
  second.header().strings({"hello"});
  const std::string blob1 = be32(first.str().size()) + zlib_compress(first.str());
  const std::string blob2 = be32(second.str().size()) + zlib_compress(second.str());
  write("Rdata.rdb", blob1 + blob2);
  // The .rdx: list(variables = list(answer = c(off, len), greeting = ...),
  // references = list(), compressed = TRUE), gzipped like saveRDS.
  Xdr idx;
  idx.header().flags(19, true).i32(3);
  idx.flags(19, true).i32(2).ints({0, static_cast<int32_t>(blob1.size())});
  idx.ints({static_cast<int32_t>(blob1.size()), static_cast<int32_t>(blob2.size())});
  idx.flags(2, false, true).symbol("names").strings({"answer", "greeting"}).nil();
  idx.flags(19).i32(0);
  idx.flags(10).i32(1).i32(1);
  idx.flags(2, false, true).ref(1).strings({"variables", "references", "compressed"}).nil();
  write("Rdata.rdx", gzip(idx.str()));

  auto db = LazyLoadDb::open(dir_.string());
  ASSERT_TRUE(db.is_ok()) << db.status().to_string();
  EXPECT_EQ(db->names(), (std::vector<std::string>{"answer", "greeting"}));
  EXPECT_EQ(db->compression(), RCompression::kZlib);
  auto answer = db->read("answer");
  ASSERT_TRUE(answer.is_ok()) << answer.status().to_string();
  EXPECT_EQ((*answer)->ints, std::vector<int32_t>{42});
  auto greeting = read_lazyload_object(dir_.string(), "greeting");
  ASSERT_TRUE(greeting.is_ok()) << greeting.status().to_string();
  auto strings = r_strings(**greeting);
  ASSERT_TRUE(strings.is_ok());
  EXPECT_EQ((*strings)[0], "hello");
  auto missing = db->read("nothing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("answer, greeting"), std::string::npos);
}

TEST_F(RDataReaderDbTest, RejectsIndexWhenKeyPointsPastRdb) {
  write("Rdata.rdb", "short");
  Xdr idx;
  idx.header().flags(19, true).i32(2);
  idx.flags(19, true).i32(1).ints({0, 1000});
  idx.flags(2, false, true).symbol("names").strings({"x"}).nil();
  idx.flags(10).i32(1).i32(1);
  idx.flags(2, false, true).ref(1).strings({"variables", "compressed"}).nil();
  write("Rdata.rdx", gzip(idx.str()));
  auto db = LazyLoadDb::open(dir_.string());
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(LazyLoadDb::open((dir_ / "absent").string()).status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace bahed::ctl
