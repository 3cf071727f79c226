// What classify / segment / detect share for runs over many photos: the output directory created
// when missing, --shard K/N (the K-th of N contiguous slices of the sorted file list, K from 0, so
// that N machines split a dataset without talking to each other), --resume (skip photos whose
// outputs, and --jsonl record when asked for, already exist) and --jsonl FILE (one JSON record
// per photo, appended whole with one write so a killed run leaves at most one torn last line,
// which --resume cuts off).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli_args.h"

namespace espnet::cli {

/// --shard, --resume, --jsonl.
std::vector<OptionSpec> folder_run_options();

/// mkdir -p; an espnet::Error naming the directory when it cannot be made.
void make_output_directory(const std::string& dir);

struct Shard {
  int index = 0, count = 1;
};

/// "--shard K/N" (0 <= K < N <= 1000000); {0, 1} when absent; a UsageError when malformed.
Shard shard_option(const Args& args);

/// The positions [first, second) of a sorted list of `count` items that `shard` processes.
std::pair<size_t, size_t> shard_slice(const Shard& shard, size_t count);

/// " in shard K/N of COUNT" for the line that says what a run will do; "" for one shard.
std::string shard_note(const Shard& shard, size_t count);

/// make_output_directory for the folder of `file` (a --jsonl path), when it names one.
void make_parent_directory(const std::string& file);

/// Appends JSON lines to a file. Without `resume` the file starts empty; with it, existing
/// records are kept (a last line without its newline, from a killed run, is cut off) and the
/// "file" of each is remembered.
class JsonlWriter {
 public:
  JsonlWriter(const std::string& path, bool resume);
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  /// True when a record with "file": `file` was already in the file.
  bool has_record(const std::string& file) const { return recorded_.count(file) != 0; }
  /// Rewrites the file (atomically) without the records of `files`: photos about to be done
  /// again, whose outputs went missing, so that every photo keeps one record.
  void drop_records(const std::set<std::string>& files);
  /// Appends `object` (one JSON object, no newline) and a newline in one write.
  void write(const std::string& object);

 private:
  std::string path_;
  int fd_ = -1;
  std::set<std::string> recorded_;
};

/// The photos a run processes: --shard applied (to the sorted list), then with --resume those
/// whose `outputs_of(photo)` all exist and (with --jsonl) whose record exists dropped. Prints
/// what was skipped to stderr unless `quiet`.
struct FolderRun {
  std::vector<std::string> photos;
  std::unique_ptr<JsonlWriter> jsonl;
};

template <class OutputsOf>
FolderRun plan_folder_run(const Args& args, const std::string& command,
                          std::vector<std::string> photos, OutputsOf outputs_of, bool quiet);

/// Implementation for plan_folder_run: `outputs` holds each photo's output files.
FolderRun plan_folder_run_impl(const Args& args, const std::string& command,
                               std::vector<std::string> photos,
                               const std::vector<std::vector<std::string>>& outputs, bool quiet);

template <class OutputsOf>
FolderRun plan_folder_run(const Args& args, const std::string& command,
                          std::vector<std::string> photos, OutputsOf outputs_of, bool quiet) {
  std::vector<std::vector<std::string>> outputs;
  outputs.reserve(photos.size());
  for (const std::string& p : photos) outputs.push_back(outputs_of(p));
  return plan_folder_run_impl(args, command, std::move(photos), outputs, quiet);
}

}  // namespace espnet::cli
