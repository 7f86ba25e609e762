//===- MemoryPlanner.cpp - static arena planning ---------------------------===//
#include "backends/common/MemoryPlanner.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace dnnopt {
namespace {
int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }
bool overlaps(const PlannedBuffer &a, const PlannedBuffer &b) {
  return a.first <= b.last && b.first <= a.last;
}
} // namespace

int64_t livenessLowerBound(const std::vector<PlannedBuffer> &buffers, int64_t alignment) {
  // Sweep over interval end points: +size at first, -size after last.
  std::map<int64_t, int64_t> delta;
  for (const PlannedBuffer &b : buffers) {
    delta[b.first] += alignUp(b.size, alignment);
    delta[b.last + 1] -= alignUp(b.size, alignment);
  }
  int64_t live = 0, peak = 0;
  for (auto &[step, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return peak;
}

MemoryPlan planArena(std::vector<PlannedBuffer> &buffers, int64_t alignment) {
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].size != buffers[b].size) return buffers[a].size > buffers[b].size;
    return buffers[a].first < buffers[b].first;
  });

  std::vector<size_t> placed;
  MemoryPlan plan;
  for (size_t i : order) {
    PlannedBuffer &b = buffers[i];
    int64_t size = alignUp(b.size, alignment);
    // Ranges taken by conflicting buffers, sorted by offset.
    std::vector<std::pair<int64_t, int64_t>> taken;
    for (size_t j : placed)
      if (overlaps(b, buffers[j]))
        taken.push_back({buffers[j].offset, buffers[j].offset + alignUp(buffers[j].size, alignment)});
    std::sort(taken.begin(), taken.end());
    // Best fit: the smallest gap that holds the buffer; else after the last range.
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (auto &[start, end] : taken) {
      if (start > cursor) {
        int64_t gap = start - cursor;
        if (gap >= size && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
      }
      cursor = std::max(cursor, end);
    }
    b.offset = best >= 0 ? best : cursor;
    plan.arenaSize = std::max(plan.arenaSize, b.offset + size);
    placed.push_back(i);
  }
  plan.lowerBound = livenessLowerBound(buffers, alignment);
  return plan;
}

} // namespace dnnopt
