// The tests read JSON (the reference manifest, the CLI's --json output) with the library's reader.
#pragma once

#include "json_reader.h"

namespace espnet::test {
using Json = JsonValue;
}  // namespace espnet::test
