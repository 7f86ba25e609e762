//===- Parallel.cpp - deterministic work splitting for the kernels --------===//
//
// A small persistent thread pool (std::thread + condition variables). Between
// parallel regions a thread spins for at most ~50 us (the next region of a
// training step usually starts sooner than a sleeping thread wakes up), then
// sleeps, so the kernels still behave on a shared, oversubscribed machine
// (OpenMP's default spinning of up to 200 ms does not). Indices of one
// parallelFor are handed out dynamically; since every index does fixed work on memory no other index
// writes, results do not depend on which thread runs what. A parallelFor called
// from inside another runs serially.
//
//===----------------------------------------------------------------------===//
#include "engine/kernels/Parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
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

/// Spins for up to ~spinMicros while `done()` is false (a parallel region of a
/// training step follows the previous one within microseconds, much sooner than
/// a sleeping thread wakes up); returns done().
template <typename Done>
bool spinUntil(Done done) {
  constexpr int spinMicros = 50;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (done()) return true;
    std::this_thread::yield(); // lets another runnable thread have the core
    if ((i & 7) == 7 && std::chrono::steady_clock::now() - start > std::chrono::microseconds(spinMicros))
      return done();
  }
}

class Pool {
public:
  explicit Pool(int threads) {
    for (int t = 1; t < threads; ++t) workers.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
      generation.fetch_add(1, std::memory_order_release);
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
      active.store((int)workers.size());
      generation.fetch_add(1, std::memory_order_release); // publishes job and count
    }
    wake.notify_all();
    drain();
    if (!spinUntil([&] { return active.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> l(m);
      finished.wait(l, [&] { return active.load() == 0; });
    }
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
      // Spin briefly for the next region, then sleep (idle workers must not take
      // the cores of a shared machine).
      if (!spinUntil([&] { return generation.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> l(m);
        wake.wait(l, [&] { return generation.load() != seen; });
      }
      {
        std::lock_guard<std::mutex> l(m);
        if (stop) return;
        seen = generation.load();
      }
      drain();
      std::lock_guard<std::mutex> l(m);
      if (active.fetch_sub(1) == 1) finished.notify_one();
    }
  }

  std::vector<std::thread> workers;
  std::mutex m, runMutex;
  std::condition_variable wake, finished;
  const std::function<void(int64_t)> *job = nullptr;
  int64_t count = 0;
  std::atomic<int64_t> next{0};
  std::atomic<int> active{0};
  std::atomic<uint64_t> generation{0};
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
