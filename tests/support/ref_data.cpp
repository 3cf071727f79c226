#include "ref_data.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "file_util.h"

namespace espnet::test {

std::string ref_dir() {
  const char* env = std::getenv("ESPNET_REF_DIR");
  return env && *env ? env : ESPNET_DEFAULT_REF_DIR;
}

bool have_ref_data() {
  return is_directory(ref_dir()) && path_exists(ref_path("manifest.json"));
}

std::string ref_path(const std::string& relative) {
  return ref_dir() + "/" + relative;
}

std::string cli_path() {
  return ESPNET_CLI_PATH;
}

std::string cli_command() {
  const std::string launcher = ESPNET_CLI_LAUNCHER;
  return launcher.empty() ? cli_path() : launcher + " " + cli_path();
}

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double abs_tol,
                                     double rel_tol) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << "shape " << shape_to_string(actual.shape())
                                         << " != expected " << shape_to_string(expected.shape());
  int64_t bad = 0, worst = -1;
  double worst_excess = 0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.data()[i], e = expected.data()[i];
    double limit = abs_tol + rel_tol * std::fabs(e);
    double diff = std::fabs(a - e);
    if (!(diff <= limit)) {
      ++bad;
      double excess = std::isnan(diff) ? INFINITY : diff - limit;
      if (worst < 0 || excess > worst_excess) worst = i, worst_excess = excess;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os << bad << " of " << actual.numel() << " elements out of tolerance (abs " << abs_tol << ", rel "
     << rel_tol << "); worst at flat index " << worst << ": got " << actual.data()[worst]
     << ", expected " << expected.data()[worst];
  return ::testing::AssertionFailure() << os.str();
}

int run_command(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace espnet::test
