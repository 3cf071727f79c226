// Runs items 0..count-1 through three stages on three threads, in order, so that reading the next
// photos, the network on the current one and writing the previous ones overlap:
//   load(i) -> Item         on a loader thread (decode, preprocess, read ground truth)
//   process(Item&)          on the calling thread (the network: one Session, its OpenMP threads)
//   finish(Item&)           on a writer thread (encode and write outputs, print, accumulate)
// Between the stages sit bounded queues of `depth` items, so at most about 2 * depth + 3 items
// exist at any time whatever `count` is. Items reach each stage in index order. The first
// exception thrown by any stage stops the others and is rethrown here after every thread joined
// (stages that should survive a bad item catch it themselves and carry it in the Item).
#pragma once

#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "pipeline/bounded_queue.h"

namespace espnet::pipeline {

template <class Item, class Load, class Process, class Finish>
void run_three_stage_pipeline(size_t count, size_t depth, Load load, Process process,
                              Finish finish) {
  BoundedQueue<Item> loaded(depth), processed(depth);
  std::mutex error_mutex;
  std::exception_ptr error;
  auto fail = [&](std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = e;
    }
    loaded.abort();
    processed.abort();
  };

  std::thread loader([&] {
    try {
      for (size_t i = 0; i < count; ++i)
        if (!loaded.push(load(i))) return;
      loaded.close();
    } catch (...) {
      fail(std::current_exception());
    }
  });
  std::thread writer([&] {
    try {
      while (std::optional<Item> item = processed.pop()) finish(*item);
    } catch (...) {
      fail(std::current_exception());
    }
  });
  try {
    while (std::optional<Item> item = loaded.pop()) {
      process(*item);
      if (!processed.push(std::move(*item))) break;
    }
    processed.close();
  } catch (...) {
    fail(std::current_exception());
  }
  loader.join();
  writer.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace espnet::pipeline
