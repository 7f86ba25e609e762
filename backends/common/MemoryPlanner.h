//===- MemoryPlanner.h - static arena planning -----------------*- C++ -*-===//
//
// Places the activation buffers of a scheduled network into one arena. Each
// buffer has a size and a live interval [first, last] of schedule steps (the step
// that writes it through the last step that reads it). Two buffers may overlap in
// memory only if their intervals are disjoint.
//
// Placement is greedy by size (largest first), each buffer going to the lowest
// offset where it fits among already-placed buffers whose intervals intersect its
// own (best fit among the gaps). The liveness lower bound -- the largest total
// size live at any single step -- is reported next to the arena size.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_COMMON_MEMORYPLANNER_H
#define DNNOPT_BACKENDS_COMMON_MEMORYPLANNER_H

#include <cstdint>
#include <vector>

namespace dnnopt {

struct PlannedBuffer {
  int64_t size = 0;  ///< bytes
  int64_t first = 0; ///< first schedule step at which the buffer is live
  int64_t last = 0;  ///< last schedule step at which the buffer is live (inclusive)
  int64_t offset = -1; ///< result: byte offset in the arena
};

struct MemoryPlan {
  int64_t arenaSize = 0;  ///< bytes needed by the placement
  int64_t lowerBound = 0; ///< max over steps of the bytes live at that step
};

/// Assigns `offset` of every buffer (aligned to `alignment` bytes) and returns the
/// arena size and the liveness lower bound. Deterministic: ties are broken by
/// buffer index.
MemoryPlan planArena(std::vector<PlannedBuffer> &buffers, int64_t alignment = 8);

/// The bytes live at the busiest step (the lower bound of any placement).
int64_t livenessLowerBound(const std::vector<PlannedBuffer> &buffers, int64_t alignment = 8);

} // namespace dnnopt

#endif
