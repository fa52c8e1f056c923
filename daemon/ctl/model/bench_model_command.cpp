// bahectl bench model: the LLM's two halves at the shapes bahed uses, next to
// the machine's own matmul peak measured in the same run:
//   shallow encode (no autograd): behaviors/s at 16 and 64 tokens each;
//   deep forward+backward step over behavior vectors: time and GFLOP/s.
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/matmul_peak.h"
#include "daemon/ctl/model/model_flops.h"
#include "encoder/llm/hf_checkpoint.h"
#include "encoder/llm/llama_model.h"

namespace po = boost::program_options;

namespace bahed::ctl {

namespace {

using Seconds = std::chrono::duration<double>;

// Runs `step` repeatedly for about `seconds` after one warm-up call and
// returns the mean seconds per call.
template <typename Step>
double time_per_call(Step&& step, double seconds) {
  step();
  int64_t calls = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    step();
    ++calls;
    elapsed = Seconds(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  return elapsed / static_cast<double>(calls);
}

// The demo base model's shape (bahectl pretrain's defaults), random weights.
encoder::ModelConfig demo_shape() {
  encoder::ModelConfig c;
  c.hidden_size = 256;
  c.intermediate_size = 688;
  c.n_layers = 6;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.n_vocab = 8000;
  c.tie_word_embeddings = true;
  return c;
}

}  // namespace

int run_bench_model(int argc, char** argv) {
  std::string model_dir = "data/base-model";
  int64_t n_layers_shallow = 2;
  // One torch thread: OpenBLAS already spreads each matmul over the cores,
  // and torch's own intra-op threads on top of it were 10x slower here.
  int threads = 1;
  int64_t batch = 64;
  int64_t deep_rows = 8;
  int64_t deep_seq = 128;
  double seconds = 1.5;
  bool json = false;
  po::options_description flags(
      "bahectl bench model: shallow-encode throughput and the deep forward+backward step of the LLM,\n"
      "each with its GFLOP/s next to the machine's float32 matmul peak measured in the same run.\n"
      "Uses the model in --model if it exists, else random weights of the demo model's shape.\n\noptions");
  flags.add_options()("help,h", "print this help")("model", po::value(&model_dir)->default_value(model_dir),
                                                  "Hugging Face model directory")(
      "n-layers-shallow", po::value(&n_layers_shallow)->default_value(n_layers_shallow), "frozen layers (rest are deep)")(
      "threads", po::value(&threads)->default_value(threads), "torch intra-op threads")(
      "batch", po::value(&batch)->default_value(batch), "behaviors per shallow batch")(
      "deep-rows", po::value(&deep_rows)->default_value(deep_rows), "rows per deep step")(
      "deep-seq", po::value(&deep_seq)->default_value(deep_seq), "positions per deep row")(
      "seconds", po::value(&seconds)->default_value(seconds), "time per measurement")(
      "json", po::bool_switch(&json), "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  at::set_num_threads(threads);
  torch::manual_seed(42);

  encoder::LlmOptions llm;
  llm.n_layers_shallow = n_layers_shallow;
  std::string source = "random weights, demo shape";
  encoder::LlamaModel model = nullptr;
  if (std::filesystem::exists(std::filesystem::path(model_dir) / "config.json")) {
    llm.model_dir = model_dir;
    auto loaded = encoder::load_hf_model(llm);
    if (!loaded.is_ok()) {
      std::cerr << argv[0] << ": " << loaded.status().to_string() << "\n";
      return 1;
    }
    model = std::move(loaded).value();
    source = model_dir;
  } else {
    model = encoder::LlamaModel(demo_shape(), llm);
  }
  const encoder::ModelConfig& config = model->config();
  if (n_layers_shallow < 1 || n_layers_shallow >= config.n_layers) {
    std::cerr << argv[0] << ": --n-layers-shallow must be in [1, " << config.n_layers - 1 << "]\n";
    return 2;
  }
  const int64_t n_deep = config.n_layers - n_layers_shallow;
  const MatmulPeak peak_before = measure_matmul_peak();

  BenchReport report("bench model: shallow encode and deep step vs the machine's matmul peak");
  report.context("model", source);
  report.context("shape", "d=" + std::to_string(config.hidden_size) + " layers=" + std::to_string(config.n_layers) +
                              " heads=" + std::to_string(config.n_heads) + "/" + std::to_string(config.n_kv_heads) +
                              " ff=" + std::to_string(config.intermediate_size));
  report.context("split", std::to_string(n_layers_shallow) + " shallow + " + std::to_string(n_deep) + " deep");
  report.context("threads", std::to_string(threads));

  model->eval();
  double best_shallow_fraction = 0;
  for (int64_t tokens : {16, 64}) {
    const auto ids = torch::randint(0, config.n_vocab, {batch, tokens}, torch::kInt64);
    const auto lengths = torch::full({batch}, tokens, torch::kInt64);
    const double dt = time_per_call([&] { model->shallow(ids, lengths); }, seconds);
    const double gflops = decoder_forward_flops(config, n_layers_shallow, batch, tokens) / dt / 1e9;
    const std::string t = std::to_string(tokens);
    report.figure("shallow_behaviors_per_s_" + t, "shallow encode, " + t + " tokens/behavior", batch / dt, "behaviors/s");
    report.figure("shallow_gflops_" + t, "shallow encode, " + t + " tokens: achieved", gflops, "GFLOP/s");
    best_shallow_fraction = std::max(best_shallow_fraction, gflops / peak_before.gflops);
  }

  model->train();
  const auto hidden = torch::randn({deep_rows, deep_seq, config.hidden_size});
  const auto positions = torch::arange(deep_seq, torch::kInt64).unsqueeze(0).expand({deep_rows, deep_seq}).contiguous();
  auto params = model->deep_parameters();
  const double step_s = time_per_call(
      [&] {
        for (auto& p : params) p.mutable_grad() = torch::Tensor();
        model->deep(hidden, positions, encoder::AttentionMask{}).pow(2).mean().backward();
      },
      seconds);
  // Backward costs about twice the forward (gradients of inputs and weights).
  const double step_gflops = 3.0 * decoder_forward_flops(config, n_deep, deep_rows, deep_seq) / step_s / 1e9;
  // The same step with two torch intra-op threads, side by side, because the
  // thread setting is the largest single lever found on this machine.
  at::set_num_threads(2);
  const double step_2threads_s = time_per_call(
      [&] {
        for (auto& p : params) p.mutable_grad() = torch::Tensor();
        model->deep(hidden, positions, encoder::AttentionMask{}).pow(2).mean().backward();
      },
      seconds);
  at::set_num_threads(threads);
  const MatmulPeak peak_after = measure_matmul_peak();
  const double peak = std::max(peak_before.gflops, peak_after.gflops);

  report.figure("deep_step_ms", "deep fwd+bwd step (" + std::to_string(deep_rows) + "x" + std::to_string(deep_seq) + ")",
                step_s * 1e3, "ms");
  report.figure("deep_step_gflops", "deep fwd+bwd: achieved", step_gflops, "GFLOP/s");
  report.figure("deep_step_2threads_ratio", "deep step time, 2 torch threads / --threads", step_2threads_s / step_s, "x");
  report.figure("matmul_peak_gflops", "matmul peak (fp32 1024^3, best of before/after)", peak, "GFLOP/s");
  report.figure("shallow_peak_fraction", "shallow encode / peak (best length)", best_shallow_fraction * peak_before.gflops / peak, "");
  report.figure("deep_peak_fraction", "deep step / peak", step_gflops / peak, "");
  report.print(json);
  return 0;
}

}  // namespace bahed::ctl
