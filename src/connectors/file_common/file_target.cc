#include "connectors/file_common/file_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace sluice {

namespace fs = std::filesystem;

namespace {

// Bumped when the journal entry changes shape; Recover() refuses versions it does not know.
constexpr int kJournalFormat = 1;

std::string Errno() {
  return std::strerror(errno);
}

std::string ParentDir(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Makes a rename or unlink in `dir` durable.
Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open directory '{}': {}", dir, Errno());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IoError("cannot sync directory '{}': {}", dir, Errno());
  return Status::OK();
}

Status CreateParents(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return Status::OK();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    return Status::IoError("cannot create directory '{}': {}", parent.string(), ec.message());
  }
  return Status::OK();
}

Status TruncateTo(const std::string& path, int64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open '{}': {}", path, Errno());
  const bool ok = ::ftruncate(fd, size) == 0 && ::fsync(fd) == 0;
  const std::string err = Errno();
  ::close(fd);
  if (!ok) return Status::IoError("cannot truncate '{}' to {} bytes: {}", path, size, err);
  return Status::OK();
}

}  // namespace

Status CheckFileWriteMode(const char* connector, WriteMode mode) {
  if (mode == WriteMode::kAppend || mode == WriteMode::kOverwrite) return Status::OK();
  return Status::Invalid("{} target does not support write_mode {} (supported: append, overwrite)",
                         connector, WriteModeName(mode));
}

FileTarget::~FileTarget() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> FileTarget::Begin(WriteMode mode, const std::string& run_id) {
  SLUICE_RETURN_IF_ERROR(CheckFileWriteMode("file", mode));
  mode_ = mode;
  SLUICE_RETURN_IF_ERROR(CreateParents(path_));
  nlohmann::json journal = {
      {"format", kJournalFormat}, {"mode", WriteModeName(mode)}, {"path", path_}};
  struct stat st {};
  if (mode == WriteMode::kOverwrite) {
    temp_path_ = TempPath(path_, run_id);
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) return Err(Status::IoError("cannot create '{}': {}", temp_path_, Errno()));
    if (::fstat(fd_, &st) != 0) return Err(Status::IoError("cannot stat '{}'", temp_path_));
    start_size_ = 0;
    journal["temp"] = temp_path_;
    journal["dev"] = static_cast<uint64_t>(st.st_dev);
    journal["ino"] = static_cast<uint64_t>(st.st_ino);
  } else {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    created_ = fd_ >= 0;
    if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) return Err(Status::IoError("cannot open '{}' for appending: {}", path_, Errno()));
    if (::fstat(fd_, &st) != 0) return Err(Status::IoError("cannot stat '{}'", path_));
    if (!S_ISREG(st.st_mode)) return Err(Status::Invalid("'{}' is not a regular file", path_));
    start_size_ = st.st_size;
    if (::lseek(fd_, start_size_, SEEK_SET) < 0) {
      return Err(Status::IoError("cannot seek in '{}': {}", path_, Errno()));
    }
    journal["size"] = start_size_;
    journal["created"] = created_;
  }
  return journal.dump();
}

Status FileTarget::Flush() {
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::IoError("cannot write '{}': {}",
                             mode_ == WriteMode::kOverwrite ? temp_path_ : path_, Errno());
    }
    p += n;
    left -= static_cast<size_t>(n);
    bytes_written_ += n;
  }
  buffer_.clear();
  return Status::OK();
}

Status FileTarget::CloseFile() {
  if (fd_ < 0) return Status::OK();
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Status::IoError("cannot close '{}': {}", path_, Errno());
  return Status::OK();
}

Status FileTarget::Commit() {
  if (fd_ < 0) return Status::Internal("commit of {} without a run", path_);
  SLUICE_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return Status::IoError("cannot sync '{}': {}", path_, Errno());
  SLUICE_RETURN_IF_ERROR(CloseFile());
  if (mode_ == WriteMode::kOverwrite) {
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      return Status::IoError("cannot rename '{}' to '{}': {}", temp_path_, path_, Errno());
    }
  }
  if (mode_ == WriteMode::kOverwrite || created_) SLUICE_RETURN_IF_ERROR(SyncDir(ParentDir(path_)));
  return Status::OK();
}

Result<std::string> FileTarget::Checkpoint() {
  if (fd_ < 0) return Err(Status::Internal("checkpoint of {} without a run", path_));
  if (mode_ != WriteMode::kAppend) {
    return Err(Status::Invalid("{}: only write_mode append can checkpoint", path_));
  }
  SLUICE_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return Err(Status::IoError("cannot sync '{}': {}", path_, Errno()));
  // A file this run created must survive a crash too: its directory entry is made durable.
  if (created_ && checkpoint_size_ < 0) SLUICE_RETURN_IF_ERROR(SyncDir(ParentDir(path_)));
  checkpoint_size_ = start_size_ + bytes_written_;
  nlohmann::json journal;
  journal["format"] = kJournalFormat;
  journal["mode"] = "append";
  journal["path"] = path_;
  journal["size"] = checkpoint_size_;
  journal["created"] = false;
  journal["checkpoint"] = true;
  return journal.dump();
}

Status FileTarget::Abort() {
  buffer_.clear();
  if (mode_ == WriteMode::kOverwrite) {
    SLUICE_RETURN_IF_ERROR(CloseFile());
    if (!temp_path_.empty() && ::unlink(temp_path_.c_str()) != 0 && errno != ENOENT) {
      return Status::IoError("cannot remove '{}': {}", temp_path_, Errno());
    }
    return Status::OK();
  }
  if (fd_ < 0) return Status::OK();
  // Take back what this run appended since it started (or since its last checkpoint, which
  // the state store already holds), so a rerun does not duplicate rows.
  const int64_t keep = checkpoint_size_ >= 0 ? checkpoint_size_ : start_size_;
  if (::ftruncate(fd_, keep) != 0 || ::fsync(fd_) != 0) {
    return Status::IoError("cannot truncate '{}' back to {} bytes: {}", path_, keep, Errno());
  }
  SLUICE_RETURN_IF_ERROR(CloseFile());
  if (created_ && checkpoint_size_ < 0 && ::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return Status::IoError("cannot remove '{}': {}", path_, Errno());
  }
  return Status::OK();
}

namespace {

struct Journal {
  std::string mode;
  std::string path;
  std::string temp;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t size = 0;
  bool created = false;
  bool checkpoint = false;  // written at a checkpoint: the run's rows up to `size` are in
};

Result<Journal> ParseJournal(const PendingRun& pending) {
  const auto bad = [&] {
    return Status::Invalid("run {}: unreadable file sink state '{}'", pending.run_id,
                           pending.sink_state);
  };
  nlohmann::json j = nlohmann::json::parse(pending.sink_state, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Err(bad());
  try {
    if (j.value("format", 0) != kJournalFormat) return Err(bad());
    Journal out;
    out.mode = j.value("mode", "");
    out.path = j.value("path", "");
    out.temp = j.value("temp", "");
    out.dev = j.value("dev", uint64_t{0});
    out.ino = j.value("ino", uint64_t{0});
    out.size = j.value("size", int64_t{0});
    out.created = j.value("created", false);
    out.checkpoint = j.value("checkpoint", false);
    return out;
  } catch (const nlohmann::json::exception&) {  // a field of the wrong JSON type
    return Err(bad());
  }
}

}  // namespace

Result<bool> FileTarget::Recover(const PendingRun& pending) {
  if (pending.sink_state.empty()) return false;  // Prepare never finished: nothing was written
  SLUICE_ASSIGN_OR_RETURN(const Journal j, ParseJournal(pending));
  struct stat st {};
  if (j.mode == "overwrite") {
    if (!j.temp.empty() && ::stat(j.temp.c_str(), &st) == 0) {
      // The rename never happened: the run is not in the target.
      if (::unlink(j.temp.c_str()) != 0) {
        return Err(Status::IoError("cannot remove '{}': {}", j.temp, Errno()));
      }
      SLUICE_RETURN_IF_ERROR(SyncDir(ParentDir(j.temp)));
      return false;
    }
    // rename(2) keeps the inode: <path> is this run's file exactly when the inodes match.
    return ::stat(j.path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_dev) == j.dev &&
           static_cast<uint64_t>(st.st_ino) == j.ino;
  }
  if (j.mode == "append") {
    if (::stat(j.path.c_str(), &st) != 0) return false;  // gone: nothing of the run remains
    if (j.size == 0 && j.created) {
      if (::unlink(j.path.c_str()) != 0) {
        return Err(Status::IoError("cannot remove '{}': {}", j.path, Errno()));
      }
      SLUICE_RETURN_IF_ERROR(SyncDir(ParentDir(j.path)));
      return false;
    }
    if (j.checkpoint && st.st_size < j.size) {
      return Err(Status::DataError(
          "run {}: {} is {} bytes, shorter than its last checkpoint ({} bytes): it was changed "
          "outside sluice",
          pending.run_id, j.path, static_cast<int64_t>(st.st_size), j.size));
    }
    if (st.st_size > j.size) SLUICE_RETURN_IF_ERROR(TruncateTo(j.path, j.size));
    return j.checkpoint;
  }
  return Err(Status::Invalid("run {}: unknown file sink mode '{}'", pending.run_id, j.mode));
}

std::vector<std::string> FileTarget::Plan(const std::string& path, WriteMode mode) {
  std::vector<std::string> steps;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, ec)) {
    steps.push_back("create directory " + parent.string());
  }
  const bool exists = fs::exists(path, ec);
  const auto size = exists ? fs::file_size(path, ec) : 0;
  if (mode == WriteMode::kOverwrite) {
    steps.push_back("write " + TempPath(path, "<run>") + ", then rename it to " + path +
                    (exists ? " (replacing the existing " + std::to_string(size) + " bytes)"
                            : " (a new file)"));
  } else if (exists) {
    steps.push_back("append to " + path + " (now " + std::to_string(size) +
                    " bytes; a header is written only if it is empty)");
  } else {
    steps.push_back("create " + path + " and append to it");
  }
  return steps;
}

}  // namespace sluice
