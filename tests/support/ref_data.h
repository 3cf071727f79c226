// Where the tests find ../shared/espnetv2-ref, and element-wise tolerance checks.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "espnet/tensor.h"

namespace espnet::test {

/// $ESPNET_REF_DIR if set, else the path configured at build time.
std::string ref_dir();
/// True when the reference data folder exists.
bool have_ref_data();
/// ref_dir() + "/" + relative.
std::string ref_path(const std::string& relative);
/// Path of the built `espnet` command-line tool.
std::string cli_path();
/// The command that starts the CLI in a shell command line: cli_path(), behind the emulator when
/// the tests were cross-built (CMAKE_CROSSCOMPILING_EMULATOR, e.g. "qemu-aarch64 -L /").
std::string cli_command();

/// Checks |actual - expected| <= abs_tol + rel_tol * |expected| element-wise; on failure reports
/// the count of violations and the worst element.
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double abs_tol,
                                     double rel_tol);

/// Runs a shell command, returns its exit status and fills `output` with stdout+stderr.
int run_command(const std::string& command, std::string* output);

}  // namespace espnet::test

/// Skips the current test with a clear message when the reference data are absent.
#define ESPNET_REQUIRE_REF_DATA()                                                  \
  do {                                                                             \
    if (!::espnet::test::have_ref_data())                                          \
      GTEST_SKIP() << "reference data not found at '" << ::espnet::test::ref_dir() \
                   << "' (set ESPNET_REF_DIR to the espnetv2-ref folder)";         \
  } while (0)
