//===- Parallel.h - deterministic work splitting for the kernels -*- C++ -*-===//
//
// The float kernels (engine/kernels) and the search engine (passes/search) run
// their loops on all cores with a persistent std::thread pool (idle workers
// spin for at most ~50 us, then sleep). Work that reduces (sums into one buffer)
// is split into a number of chunks that depends only on the problem size, never
// on the number of threads, and the partial results are added in chunk order:
// results are bit-identical whatever the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_KERNELS_PARALLEL_H
#define DNNOPT_ENGINE_KERNELS_PARALLEL_H

#include <cstdint>
#include <functional>

namespace dnnopt::kernels {

/// Threads used by the kernels (default: DNNOPT_NUM_THREADS, else OMP_NUM_THREADS,
/// else all cores).
int numThreads();
/// Sets the thread count for later kernel calls (n <= 0: all cores).
void setNumThreads(int n);

/// Runs fn(i) for i in [0, n) on all threads. fn must not write memory another
/// index writes. Called from inside a parallelFor, runs serially.
void parallelFor(int64_t n, const std::function<void(int64_t)> &fn);

/// Splits [0, n) into chunkCount(n, grain) contiguous chunks and runs
/// fn(chunk, begin, end) for each in parallel. The split depends only on n and
/// grain.
int64_t chunkCount(int64_t n, int64_t grain);
void parallelChunks(int64_t n, int64_t grain,
                    const std::function<void(int64_t chunk, int64_t begin, int64_t end)> &fn);

} // namespace dnnopt::kernels

#endif
