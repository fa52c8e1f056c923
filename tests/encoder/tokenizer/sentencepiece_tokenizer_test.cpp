// SentencePieceTokenizer on models trained on the fly by SentencePiece's own
// trainer (sentencepiece_trainer.h, SentencePieceTrainer::Train), loaded
// through load_tokenizer like a model directory's tokenizer.model.
//
// The trainer lives in libsentencepiece_train, which drags in Debian's
// libsentencepiece with its private protobuf 3.14; this test binary also
// holds LibTorch's protobuf 3.21, and the two crash at start-up when both are
// linked. So the trainer is opened with dlopen(RTLD_LOCAL | RTLD_DEEPBIND):
// its symbols stay out of the global scope and bind to its own protobuf.
// Its logging is switched off, since deep binding breaks std::cerr for it.
#include "encoder/tokenizer/sentencepiece_tokenizer.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "encoder/tokenizer/tokenizer.h"
#include "tests/common/temp_dir.h"

namespace bahed::encoder {
namespace {

namespace fs = std::filesystem;

using bahed::testing::TempDir;

// sentencepiece::util::Status has one pointer member and non-trivial copy and
// destruction, so it is returned through a hidden pointer; this mirror has
// the same layout and the same calling convention.
struct SpStatus {
  void* rep = nullptr;
  SpStatus() = default;
  SpStatus(const SpStatus&) = delete;
  ~SpStatus() {}  // user-provided: keeps the type non-trivial, as the original
};

// SentencePieceTrainer::Train(absl::string_view args, SentenceIterator*,
// std::string* serialized_model_proto), resolved at run time.
class SentencePieceTrainerLibrary {
 public:
  SentencePieceTrainerLibrary() {
    handle_ = dlopen("libsentencepiece_train.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle_) {
      error_ = dlerror();
      return;
    }
    train_ = reinterpret_cast<TrainFn>(dlsym(
        handle_,
        "_ZN13sentencepiece20SentencePieceTrainer5TrainESt17basic_string_viewIcSt11char_traitsIcEEPNS_"
        "16SentenceIteratorEPNSt7__cxx1112basic_stringIcS3_SaIcEEE"));
    status_message_ = reinterpret_cast<MessageFn>(dlsym(handle_, "_ZNK13sentencepiece4util6Status13error_messageEv"));
    status_destroy_ = reinterpret_cast<DestroyFn>(dlsym(handle_, "_ZN13sentencepiece4util6StatusD1Ev"));
    auto set_min_log_level =
        reinterpret_cast<void (*)(int)>(dlsym(handle_, "_ZN13sentencepiece7logging14SetMinLogLevelEi"));
    if (!train_ || !status_message_ || !status_destroy_ || !set_min_log_level) {
      error_ = "SentencePiece trainer symbols not found";
      return;
    }
    // Deep binding resolves the library's std::cerr to libstdc++'s own
    // object, not the executable's copy-relocated one that was constructed,
    // so the trainer must never log: above FATAL, nothing is written.
    set_min_log_level(4);
  }
  ~SentencePieceTrainerLibrary() {
    if (handle_) dlclose(handle_);
  }
  const std::string& error() const { return error_; }

  // Returns the serialized model, or an empty string with `error` set.
  std::string train(const std::string& args, std::string& error) const {
    std::string model;
    SpStatus status = train_(args, nullptr, &model);
    if (status.rep != nullptr) error = status_message_(&status);
    status_destroy_(&status);
    status.rep = nullptr;
    return error.empty() ? model : std::string();
  }

 private:
  using TrainFn = SpStatus (*)(std::string_view, void*, std::string*);
  using MessageFn = const char* (*)(const void*);
  using DestroyFn = void (*)(void*);
  void* handle_ = nullptr;
  TrainFn train_ = nullptr;
  MessageFn status_message_ = nullptr;
  DestroyFn status_destroy_ = nullptr;
  std::string error_;
};

constexpr const char* kSentences[] = {
    "the quick brown fox jumps over the lazy dog",
    "rated 4.5: Heat (1995) | Action, Crime, Thriller",
    "searched: cheap flights to Lisbon",
    "clicked: The Shawshank Redemption (1994) | Crime, Drama",
    "skipped: Toy Story (1995) | Adventure, Animation, Children, Comedy",
    "the lazy dog sleeps while the quick fox runs",
};

// Trains a model in `dir` and writes it as dir/tokenizer.model.
void train_into(const SentencePieceTrainerLibrary& trainer, const fs::path& dir, const std::string& extra_args) {
  const fs::path corpus = dir / "corpus.txt";
  {
    std::ofstream out(corpus);
    for (int repeat = 0; repeat < 20; ++repeat) {
      for (const char* sentence : kSentences) out << sentence << " " << repeat << "\n";
    }
  }
  std::string error;
  const std::string model = trainer.train("--input=" + corpus.string() +
                                              " --vocab_size=400 --hard_vocab_limit=false --num_threads=1"
                                              " " + extra_args,
                                          error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_FALSE(model.empty());
  std::ofstream(dir / "tokenizer.model", std::ios::binary) << model;
}

class SentencePieceTokenizerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(trainer_.error().empty()) << trainer_.error(); }
  SentencePieceTrainerLibrary trainer_;
  TempDir dir_;
};

TEST_F(SentencePieceTokenizerTest, TrainedBpeModelLoadsThroughLoadTokenizer) {
  train_into(trainer_, dir_.path(),
             "--model_type=bpe --normalization_rule_name=identity --byte_fallback=true "
             "--remove_extra_whitespaces=false --user_defined_symbols=<sep>");
  auto tokenizer = load_tokenizer(dir_.path());
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  const Tokenizer& t = **tokenizer;
  EXPECT_GT(t.vocab_size(), 256);  // 256 byte pieces plus learned ones
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  EXPECT_TRUE(t.adds_bos_by_default());

  const std::string text = "the quick brown fox <sep> rated 4.5: Heat (1995)";
  const std::vector<int32_t> ids = t.encode(text, true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(t.decode(ids), text);
  // Frequent words became single pieces; the user-defined symbol is one id.
  EXPECT_LT(ids.size(), text.size() / 2);
  EXPECT_NE(std::find(ids.begin(), ids.end(), *t.token_to_id("<sep>")), ids.end());

  // Characters the model never saw fall back to bytes and still round-trip.
  const std::string unseen = "naïve café €5";
  EXPECT_EQ(t.decode(t.encode(unseen, false)), unseen);
}

TEST_F(SentencePieceTokenizerTest, RecognisesControlTokensOnlyWhenAsked) {
  train_into(trainer_, dir_.path(), "--model_type=bpe --normalization_rule_name=identity --byte_fallback=true");
  auto tokenizer = load_tokenizer(dir_.path());
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  EncodeOptions options;
  options.parse_special = true;
  const auto with = (*tokenizer)->encode("dog</s>", options);
  ASSERT_FALSE(with.empty());
  EXPECT_EQ(with.back(), 2);
  options.parse_special = false;
  const auto without = (*tokenizer)->encode("dog</s>", options);
  EXPECT_EQ(std::count(without.begin(), without.end(), 2), 0);
  EXPECT_EQ((*tokenizer)->decode(without), "dog</s>");
}

TEST_F(SentencePieceTokenizerTest, RefusesUnigramModelsClearly) {
  train_into(trainer_, dir_.path(), "--model_type=unigram --normalization_rule_name=identity");
  auto tokenizer = load_tokenizer(dir_.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find("--model_type=bpe"), std::string::npos) << tokenizer.status().message();
}

TEST_F(SentencePieceTokenizerTest, RefusesNfkcNormalizationClearly) {
  train_into(trainer_, dir_.path(), "--model_type=bpe");  // default rule: nmt_nfkc
  auto tokenizer = load_tokenizer(dir_.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find("nmt_nfkc"), std::string::npos) << tokenizer.status().message();
}

TEST(SentencePieceModelTest, SerializedModelParsesBack) {
  SentencePieceModel model;
  model.model_type = SentencePieceModelType::kBpe;
  model.pieces = {{"<unk>", 0, PieceType::kUnknown}, {"<s>", 0, PieceType::kControl},
                  {"</s>", 0, PieceType::kControl}, {"\xE2\x96\x81", -1, PieceType::kNormal},
                  {"a", -2, PieceType::kNormal},    {"\xE2\x96\x81" "a", -0.5f, PieceType::kNormal}};
  model.normalizer_name = "identity";
  model.remove_extra_whitespaces = false;
  auto parsed = parse_sentencepiece_model(serialize_sentencepiece_model(model));
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  ASSERT_EQ(parsed->pieces.size(), model.pieces.size());
  EXPECT_EQ(parsed->pieces[5].piece, "\xE2\x96\x81" "a");
  EXPECT_EQ(parsed->pieces[5].score, -0.5f);
  EXPECT_EQ(parsed->model_type, SentencePieceModelType::kBpe);
  EXPECT_FALSE(parsed->remove_extra_whitespaces);
  auto tokenizer = SentencePieceTokenizer::from_model(std::move(parsed).value(), SpecialTokenConfig{});
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  EXPECT_EQ((*tokenizer)->encode("a a", false), (std::vector<int32_t>{5, 5}));
  EXPECT_EQ((*tokenizer)->decode({1, 5, 5, 2}), "a a");
}

TEST(SentencePieceModelTest, TruncatedBytesAreCorruption) {
  SentencePieceModel model;
  model.pieces = {{"<unk>", 0, PieceType::kUnknown}};
  const std::string bytes = serialize_sentencepiece_model(model);
  auto parsed = parse_sentencepiece_model(std::string_view(bytes).substr(0, bytes.size() - 3));
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace bahed::encoder
