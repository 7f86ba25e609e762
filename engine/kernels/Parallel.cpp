//===- Parallel.cpp - deterministic work splitting for the kernels --------===//
//
// A small persistent thread pool (std::thread + condition variables). Workers
// sleep while idle, so the kernels behave on a shared, oversubscribed machine
// (OpenMP's spinning barriers do not). Indices of one parallelFor are handed out
// dynamically; since every index does fixed work on memory no other index
// writes, results do not depend on which thread runs what. A parallelFor called
// from inside another runs serially.
//
//===----------------------------------------------------------------------===//
#include "engine/kernels/Parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

namespace dnnopt::kernels {
namespace {

thread_local bool insideParallel = false;

class Pool {
public:
  explicit Pool(int threads) {
    for (int t = 1; t < threads; ++t) workers.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
    }
    wake.notify_all();
    for (std::thread &t : workers) t.join();
  }
  int size() const { return (int)workers.size() + 1; }

  void run(int64_t n, const std::function<void(int64_t)> &fn) {
    std::unique_lock<std::mutex> lock(runMutex); // one parallel region at a time
    {
      std::lock_guard<std::mutex> l(m);
      job = &fn;
      count = n;
      next.store(0);
      active = (int)workers.size();
      ++generation;
    }
    wake.notify_all();
    drain();
    std::unique_lock<std::mutex> l(m);
    finished.wait(l, [&] { return active == 0; });
    job = nullptr;
  }

private:
  void drain() {
    insideParallel = true;
    for (int64_t i; (i = next.fetch_add(1)) < count;) (*job)(i);
    insideParallel = false;
  }
  void work() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(m);
        wake.wait(l, [&] { return stop || generation != seen; });
        if (stop) return;
        seen = generation;
      }
      drain();
      std::lock_guard<std::mutex> l(m);
      if (--active == 0) finished.notify_one();
    }
  }

  std::vector<std::thread> workers;
  std::mutex m, runMutex;
  std::condition_variable wake, finished;
  const std::function<void(int64_t)> *job = nullptr;
  int64_t count = 0;
  std::atomic<int64_t> next{0};
  int active = 0;
  uint64_t generation = 0;
  bool stop = false;
};

int defaultThreads() {
  if (const char *env = std::getenv("DNNOPT_NUM_THREADS"))
    if (int n = std::atoi(env); n > 0) return n;
  if (const char *env = std::getenv("OMP_NUM_THREADS"))
    if (int n = std::atoi(env); n > 0) return n;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::mutex poolMutex;
std::unique_ptr<Pool> pool;
std::atomic<int> requested{0}; // 0: default

/// A forked child has none of the parent's workers: it drops (leaks) the pool
/// object and starts a new one on its next parallel loop.
void registerForkHandlers() {
  static bool once = [] {
    pthread_atfork([] { poolMutex.lock(); }, [] { poolMutex.unlock(); },
                   [] {
                     (void)pool.release();
                     poolMutex.unlock();
                   });
    return true;
  }();
  (void)once;
}

Pool &thePool() {
  registerForkHandlers();
  std::lock_guard<std::mutex> lock(poolMutex);
  int r = requested.load(), want = r > 0 ? r : defaultThreads();
  if (!pool || pool->size() != want) {
    pool.reset();
    pool = std::make_unique<Pool>(want);
  }
  return *pool;
}

} // namespace

int numThreads() {
  int r = requested.load();
  return r > 0 ? r : defaultThreads();
}

void setNumThreads(int n) {
  std::lock_guard<std::mutex> lock(poolMutex);
  requested.store(n > 0 ? n : 0);
}

void parallelFor(int64_t n, const std::function<void(int64_t)> &fn) {
  if (n <= 0) return;
  if (n == 1 || insideParallel || numThreads() == 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  thePool().run(n, fn);
}

int64_t chunkCount(int64_t n, int64_t grain) {
  // At most 16 chunks: enough to balance any realistic core count, few enough
  // that per-chunk partial sums stay cheap.
  grain = std::max<int64_t>(grain, 1);
  return std::max<int64_t>(1, std::min<int64_t>(16, (n + grain - 1) / grain));
}

void parallelChunks(int64_t n, int64_t grain,
                    const std::function<void(int64_t, int64_t, int64_t)> &fn) {
  int64_t chunks = chunkCount(n, grain);
  parallelFor(chunks, [&](int64_t c) {
    int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    if (begin < end) fn(c, begin, end);
  });
}

} // namespace dnnopt::kernels
