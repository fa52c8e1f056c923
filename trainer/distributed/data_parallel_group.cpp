#include "trainer/distributed/data_parallel_group.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef BAHED_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cmath>

namespace bahed::trainer {
namespace {

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

}  // namespace

class DataParallelGroup::Impl {
 public:
  Impl(const DistributedOptions& options, c10::intrusive_ptr<c10d::Store> store,
       c10::intrusive_ptr<c10d::ProcessGroup> group)
      : options_(options), store_(std::move(store)), group_(std::move(group)) {}

  int64_t reduce(std::vector<torch::Tensor>& parameters, int64_t n_targets) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> pieces;
    pieces.reserve(parameters.size() + 1);
    const auto weight = static_cast<double>(n_targets);
    for (const torch::Tensor& p : parameters) {
      const torch::Tensor& g = p.grad();
      pieces.push_back(g.defined() && n_targets > 0 ? (g.to(torch::kFloat32) * weight).flatten()
                                                    : torch::zeros({p.numel()}, p.options().dtype(torch::kFloat32)));
    }
    pieces.push_back(torch::full({1}, weight, parameters.front().options().dtype(torch::kFloat32)));
    std::vector<torch::Tensor> buffer{torch::cat(pieces)};
    wait(group_->allreduce(buffer));
    const torch::Tensor& sum = buffer.front();
    const auto total = static_cast<int64_t>(std::llround(sum[sum.numel() - 1].item<double>()));
    if (total == 0) return 0;
    int64_t offset = 0;
    for (torch::Tensor& p : parameters) {
      const torch::Tensor mean = (sum.narrow(0, offset, p.numel()) / static_cast<double>(total)).view(p.sizes());
      offset += p.numel();
      if (p.grad().defined()) {
        p.mutable_grad().copy_(mean);
      } else {
        p.mutable_grad() = mean.to(p.dtype()).clone();
      }
    }
    return total;
  }

  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors) {
    if (tensors.empty()) return;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat;
    for (const torch::Tensor& t : tensors) flat.push_back(t.detach().to(torch::kFloat32).flatten());
    std::vector<torch::Tensor> buffer{torch::cat(flat)};
    c10d::BroadcastOptions broadcast;
    broadcast.rootRank = 0;
    wait(group_->broadcast(buffer, broadcast));
    int64_t offset = 0;
    for (torch::Tensor& t : tensors) {
      t.detach().copy_(buffer.front().narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }

  std::vector<int64_t> sum(const std::vector<int64_t>& values) {
    std::vector<torch::Tensor> buffer{torch::tensor(values, torch::kInt64)};
    wait(group_->allreduce(buffer));
    const torch::Tensor& out = buffer.front();
    return std::vector<int64_t>(out.data_ptr<int64_t>(), out.data_ptr<int64_t>() + out.numel());
  }

  std::vector<std::string> all_gather_strings(const std::string& key, const std::string& value) {
    const std::string prefix = "bahed/" + key + "/";
    store_->set(prefix + std::to_string(options_.rank), std::vector<uint8_t>(value.begin(), value.end()));
    std::vector<std::string> out;
    for (int64_t r = 0; r < options_.world_size; ++r) {
      const std::vector<uint8_t> bytes = store_->get(prefix + std::to_string(r));  // waits, up to the timeout
      out.emplace_back(bytes.begin(), bytes.end());
    }
    return out;
  }

  const DistributedOptions& options() const { return options_; }

 private:
  void wait(const c10::intrusive_ptr<c10d::Work>& work) {
    work->wait(std::chrono::milliseconds(options_.timeout_ms));
  }

  DistributedOptions options_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

Result<std::unique_ptr<DataParallelGroup>> DataParallelGroup::join(const DistributedOptions& options) {
  BAHED_RETURN_IF_ERROR(options.validate());
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = options.port();
    store_options.isServer = options.rank == 0;
    store_options.numWorkers = static_cast<size_t>(options.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(options.host(), store_options);
    c10::intrusive_ptr<c10d::ProcessGroup> group;
    if (options.backend == "gloo") {
      auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
      // Where this rank listens for its peers: the named interface, else
      // loopback when the group is on one host, else this host's name.
      gloo->devices.push_back(!options.interface.empty() ? c10d::ProcessGroupGloo::createDeviceForInterface(options.interface)
                              : is_loopback(options.host()) ? c10d::ProcessGroupGloo::createDeviceForHostname(options.host())
                                                            : c10d::ProcessGroupGloo::createDefaultDevice());
      group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, static_cast<int>(options.rank),
                                                          static_cast<int>(options.world_size), gloo);
    } else {
#ifdef BAHED_WITH_NCCL
      auto nccl = c10d::ProcessGroupNCCL::Options::create();
      nccl->timeout = timeout;
      group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, static_cast<int>(options.rank),
                                                          static_cast<int>(options.world_size), nccl);
#else
      return Status::invalid_argument(
          "distributed.backend nccl needs a CUDA build (a CUDA LibTorch and -DBAHED_CUDA=ON); this one has gloo only");
#endif
    }
    return std::unique_ptr<DataParallelGroup>(
        new DataParallelGroup(std::make_unique<Impl>(options, std::move(store), std::move(group))));
  } catch (const std::exception& e) {
    return Status::unavailable("distributed: rank " + std::to_string(options.rank) + " of " +
                               std::to_string(options.world_size) + " could not join through " + options.rendezvous +
                               " (" + options.backend + "): " + e.what());
  }
}

DataParallelGroup::DataParallelGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DataParallelGroup::~DataParallelGroup() = default;
int64_t DataParallelGroup::rank() const { return impl_->options().rank; }
int64_t DataParallelGroup::world_size() const { return impl_->options().world_size; }
int64_t DataParallelGroup::reduce(std::vector<torch::Tensor>& parameters, int64_t n_targets) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t total = impl_->reduce(parameters, n_targets);
  reduce_ns_.fetch_add(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count()));
  return total;
}
void DataParallelGroup::broadcast_from_rank0(std::vector<torch::Tensor>& tensors) { impl_->broadcast_from_rank0(tensors); }
std::vector<int64_t> DataParallelGroup::sum(const std::vector<int64_t>& values) { return impl_->sum(values); }
std::vector<std::string> DataParallelGroup::all_gather_strings(const std::string& key, const std::string& value) {
  return impl_->all_gather_strings(key, value);
}

}  // namespace bahed::trainer
