# Every third-party dependency is found here, once, so each folder's
# CMakeLists only names imported targets.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(RDKAFKAXX REQUIRED IMPORTED_TARGET rdkafka++)
# LibTorch: Debian's libtorch-dev by default; any other through CMAKE_PREFIX_PATH.
# Found before RocksDB: Caffe2's config defines its own gflags target, which
# must exist before RocksDB's config imports gflags (otherwise generation fails).
find_package(Torch REQUIRED)
# Data-parallel training uses torch's c10d (inside libtorch); its Gloo
# process group's headers include gloo's own (Debian: libgloo-dev).
find_package(Gloo REQUIRED)
find_package(RocksDB REQUIRED)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
find_package(LibLZMA REQUIRED)
if(BAHED_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

if(BAHED_CUDA STREQUAL "AUTO")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(BAHED_CUDA ON)
  else()
    set(BAHED_CUDA OFF)
  endif()
endif()
if(BAHED_CUDA)
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
  message(STATUS "bahed: CUDA build enabled (${CMAKE_CUDA_COMPILER})")
endif()

# Torch's headers cost ~30 s a translation unit on this class of machine;
# libraries that include them share one precompiled header.
function(bahed_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
