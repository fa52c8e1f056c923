// bahectl data movielens: MovieLens (from Debian's r-cran-dslabs) as a
// contract-v1 event log plus a stats file.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/debian_package.h"
#include "daemon/ctl/movielens_dataset.h"

namespace bahed::ctl {
namespace {

constexpr const char* kDslabsPackage = "r-cran-dslabs";

struct MovieLensCommandOptions {
  std::string data_dir = "data";  // where packages are fetched and unpacked, relative to cwd
  std::string out;                // "" = <data_dir>/movielens/events.jsonl
  std::string package_dir;        // "" = fetch r-cran-dslabs into <data_dir>
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int run_data_movielens(int argc, char** argv) {
  namespace po = boost::program_options;
  MovieLensCommandOptions opt;
  po::options_description desc(
      "Usage: bahectl data movielens [options]\n\n"
      "Reads the MovieLens ratings (2016 latest-small: titles, genres, 0.5-5 stars) from the\n"
      "`movielens` data frame of Debian's r-cran-dslabs (fetched with apt-get download and\n"
      "unpacked with dpkg -x, no R needed) and writes them as contract-v1 impressions, one\n"
      "per rating, label = rating >= 4, sorted by time, plus <out>.stats.json.\n\nOptions");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("data-dir", po::value(&opt.data_dir)->default_value(opt.data_dir),
       "directory for fetched .debs (debs/) and unpacked packages (pkgs/), relative to the current directory")
      ("out", po::value(&opt.out)->default_value("<data-dir>/movielens/events.jsonl"),
       "event log to write (JSON lines); the stats go to <out>.stats.json")
      ("package-dir", po::value(&opt.package_dir)->default_value("", "(fetch r-cran-dslabs)"),
       "root of an already extracted r-cran-dslabs (containing usr/lib/R/site-library/dslabs) "
       "instead of fetching it");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {  // option errors are the user's input, reported once here
    std::fprintf(stderr, "%s: %s\n\n", argv[0], e.what());
    std::cerr << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm["out"].defaulted()) opt.out = opt.data_dir + "/movielens/events.jsonl";

  const auto start = std::chrono::steady_clock::now();
  std::string root = opt.package_dir;
  if (root.empty()) {
    auto fetched = ensure_debian_package(kDslabsPackage, opt.data_dir);
    if (!fetched.is_ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[0], fetched.status().to_string().c_str());
      return 1;
    }
    root = *fetched;
  }
  std::printf("reading %s/%.*s (object %.*s)\n", root.c_str(), static_cast<int>(kDslabsDataDir.size()),
              kDslabsDataDir.data(), static_cast<int>(kMovieLensObject.size()), kMovieLensObject.data());
  auto dataset = load_movielens(root);
  if (!dataset.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0], dataset.status().to_string().c_str());
    if (!opt.package_dir.empty())
      std::fprintf(stderr, "(is --package-dir the root of an extracted r-cran-dslabs, holding usr/lib/R/...?)\n");
    return 1;
  }
  const double read_s = seconds_since(start);
  if (Status st = write_movielens(*dataset, opt.out); !st.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0], st.to_string().c_str());
    return 1;
  }
  std::printf("MovieLens (r-cran-dslabs movielens)\n%s", format_movielens_stats(dataset->stats).c_str());
  std::printf("wrote %s (%lld events) and %s.stats.json\n", opt.out.c_str(),
              static_cast<long long>(dataset->events.size()), opt.out.c_str());
  std::printf("took %.2f s (fetch+read+convert %.2f s, write %.2f s)\n", seconds_since(start), read_s,
              seconds_since(start) - read_s);
  return 0;
}

}  // namespace bahed::ctl
