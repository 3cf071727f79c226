// A value derived from a layer's fp32 weights for one of the reduced precisions (bf16 pairs,
// int8 with its scales), made the first time a session of that precision needs it rather than at
// load: a user who only runs fp32 pays nothing for them, neither load time nor memory.
#pragma once

#include <memory>
#include <mutex>

namespace espnet {

template <class T>
class LazyDerived {
 public:
  /// The value, made by `make()` on the first call. Safe from several threads at once: sessions
  /// on other threads share the model's layers.
  template <class Make>
  const T& get(Make&& make) const {
    std::call_once(state_->once, [&] { state_->value = make(); });
    return state_->value;
  }

 private:
  struct State {
    std::once_flag once;
    T value{};
  };
  // Shared, so layers stay copyable: a copy holds the same weights, so the same derived value.
  // A layer whose weights are set anew is a new layer with a new state.
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace espnet
