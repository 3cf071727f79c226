// The library's own access to a Session: calibration watches the layers' inputs of its runs.
#pragma once

#include "espnet/session.h"
#include "quant/quant_index.h"

namespace espnet {

struct SessionAccess {
  /// `observer` sees the input of every keyed point-wise layer of the next runs (null: none).
  static void set_observer(Session& session, ActivationObserver* observer) {
    session.observer_ = observer;
  }
};

}  // namespace espnet
