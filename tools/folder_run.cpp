#include "folder_run.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli_common.h"
#include "espnet/error.h"
#include "file_util.h"
#include "json_reader.h"

namespace espnet::cli {

std::vector<OptionSpec> folder_run_options() {
  return {
      {"--shard", true, "K/N: process only the K-th (0..N-1) of N slices of the sorted photo list"},
      {"--resume", false, "skip photos whose outputs (and --jsonl record) already exist"},
      {"--jsonl", true, "append one JSON record per photo to FILE"}};
}

void make_output_directory(const std::string& dir) {
  if (dir.empty() || is_directory(dir)) return;
  for (size_t at = 1;; ++at) {
    at = dir.find('/', at);
    const std::string part = dir.substr(0, at);
    if (!part.empty() && !is_directory(part) && ::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error("cannot create output directory '" + part + "': " + std::strerror(errno));
    if (at == std::string::npos) break;
  }
  if (!is_directory(dir)) throw Error("cannot create output directory '" + dir + "'");
}

Shard shard_option(const Args& args) {
  Shard shard;
  if (!args.has("--shard")) return shard;
  const std::string v = args.value("--shard");
  const size_t slash = v.find('/');
  auto number = [&](const std::string& s) {
    char* end = nullptr;
    const long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 0 || n > 1000000)
      throw UsageError("option '--shard' needs K/N with 0 <= K < N, got '" + v + "'");
    return static_cast<int>(n);
  };
  if (slash == std::string::npos)
    throw UsageError("option '--shard' needs K/N with 0 <= K < N, got '" + v + "'");
  shard.index = number(v.substr(0, slash));
  shard.count = number(v.substr(slash + 1));
  if (shard.count < 1 || shard.index >= shard.count)
    throw UsageError("option '--shard' needs K/N with 0 <= K < N, got '" + v + "'");
  return shard;
}

std::pair<size_t, size_t> shard_slice(const Shard& shard, size_t count) {
  return {count * shard.index / shard.count, count * (shard.index + 1) / shard.count};
}

std::string shard_note(const Shard& shard, size_t count) {
  if (shard.count <= 1) return "";
  return " in shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + " of " +
         std::to_string(count);
}

void make_parent_directory(const std::string& file) {
  const size_t slash = file.find_last_of('/');
  if (slash != std::string::npos) make_output_directory(file.substr(0, slash));
}

namespace {

// The "file" of a record we wrote; "" when the line is not one of ours (a torn or foreign line).
std::string recorded_file(const std::string& line) {
  try {
    const JsonValue record = JsonValue::parse(line);
    return record.has("file") && record["file"].type() == JsonValue::Type::kString
               ? record["file"].str()
               : std::string();
  } catch (const Error&) {
    return "";
  }
}

// Temporary files a killed run left beside its outputs ("<output>.tmp<pid>", see
// write_file_atomic): removed before a resumed run, so that the folder holds finished files only.
void remove_stale_temporaries(const std::vector<std::vector<std::string>>& outputs) {
  std::set<std::string> names, dirs;
  for (const std::vector<std::string>& list : outputs)
    for (const std::string& out : list) {
      names.insert(out);
      const size_t slash = out.find_last_of('/');
      dirs.insert(slash == std::string::npos ? "." : out.substr(0, slash));
    }
  for (const std::string& dir : dirs) {
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    std::vector<std::string> stale;
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      const size_t tmp = name.rfind(".tmp");
      if (tmp == std::string::npos ||
          name.find_first_not_of("0123456789", tmp + 4) != std::string::npos)
        continue;
      const std::string target = name.substr(0, tmp);
      const std::string full = dir == "." ? target : dir + "/" + target;
      if (names.count(full) || names.count("./" + target)) stale.push_back(dir + "/" + name);
    }
    closedir(d);
    for (const std::string& path : stale) std::remove(path.c_str());
  }
}

}  // namespace

JsonlWriter::JsonlWriter(const std::string& path, bool resume) : path_(path) {
  if (resume && path_exists(path)) {
    std::vector<uint8_t> bytes = read_file_bytes(path);
    // A killed run can leave a torn last record: keep everything up to the last newline.
    size_t keep = bytes.size();
    while (keep > 0 && bytes[keep - 1] != '\n') --keep;
    if (keep != bytes.size() && ::truncate(path.c_str(), static_cast<off_t>(keep)) != 0)
      throw Error("cannot truncate '" + path + "': " + std::strerror(errno));
    size_t start = 0;
    for (size_t i = 0; i < keep; ++i) {
      if (bytes[i] != '\n') continue;
      const std::string file = recorded_file(std::string(bytes.begin() + start, bytes.begin() + i));
      if (!file.empty()) recorded_.insert(file);
      start = i + 1;
    }
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC),
               0666);
  if (fd_ < 0) throw Error("cannot write '" + path + "': " + std::strerror(errno));
}

JsonlWriter::~JsonlWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlWriter::drop_records(const std::set<std::string>& files) {
  bool any = false;
  for (const std::string& f : files) any = any || recorded_.count(f);
  if (!any) return;
  const std::vector<uint8_t> bytes = read_file_bytes(path_);
  std::string kept;
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    const std::string line(bytes.begin() + start, bytes.begin() + i + 1);
    if (!files.count(recorded_file(line))) kept += line;
    start = i + 1;
  }
  write_file_atomic(path_, kept.data(), kept.size());
  // The rename replaced the file: append to the new one.
  ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  for (const std::string& f : files) recorded_.erase(f);
}

void JsonlWriter::write(const std::string& object) {
  const std::string line = object + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

FolderRun plan_folder_run_impl(const Args& args, const std::string& command,
                               std::vector<std::string> photos,
                               const std::vector<std::vector<std::string>>& outputs, bool quiet) {
  const Shard shard = shard_option(args);
  const bool resume = args.flag("--resume");
  FolderRun run;
  if (args.has("--jsonl")) {
    make_parent_directory(args.value("--jsonl"));
    run.jsonl = std::make_unique<JsonlWriter>(args.value("--jsonl"), resume);
  }
  std::vector<size_t> order(photos.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (shard.count > 1) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return photos[a] < photos[b]; });
    const std::pair<size_t, size_t> slice = shard_slice(shard, order.size());
    order = std::vector<size_t>(order.begin() + slice.first, order.begin() + slice.second);
  }
  if (resume) remove_stale_temporaries(outputs);
  size_t skipped = 0;
  std::set<std::string> redo;
  for (size_t i : order) {
    bool done = resume;
    if (done && run.jsonl) done = run.jsonl->has_record(photos[i]);
    if (done && !run.jsonl && outputs[i].empty()) done = false;
    for (const std::string& out : outputs[i])
      if (done && !path_exists(out)) done = false;
    if (done)
      ++skipped;
    else
      run.photos.push_back(photos[i]);
    if (!done && run.jsonl && run.jsonl->has_record(photos[i])) redo.insert(photos[i]);
  }
  if (run.jsonl) run.jsonl->drop_records(redo);
  if (resume && !run.jsonl && !outputs.empty() && outputs[0].empty())
    throw UsageError("--resume needs --jsonl here: " + command +
                     " writes no files by which a finished photo could be recognised");
  if (!quiet && (shard.count > 1 || skipped))
    std::fprintf(
        stderr, "%s: %zu photo%s%s%s\n", command.c_str(), run.photos.size(),
        run.photos.size() == 1 ? "" : "s", shard_note(shard, photos.size()).c_str(),
        skipped ? (", " + std::to_string(skipped) + " already done (--resume)").c_str() : "");
  return run;
}

}  // namespace espnet::cli
