// mailbox/body_files.h — message bodies as files under DATA_DIR/messages/.
//
// Layout: messages/tmp/ holds bodies being written; a committed body with id N lives at
// messages/SSSSSS/NNNNNNNNNNNNNNNN (hex), shard SSSSSS = N >> 12, so a directory holds at
// most 4096 files. Ids are given in increasing order by the committer only, at the moment
// it moves a staged body into place, and the LMDB commit that references them records the
// highest id given (kBodyHighWaterKey). So after a crash the only bodies that can be in
// place but unreferenced have ids above that mark: they live in the last shard or above,
// and open() deletes them without looking at any other shard (docs/mailbox.md).
//
// Thread-safety: BodyFiles is immutable after construction and its methods may run on any
// thread. BodyWriter and StagedBody belong to one thread at a time.
#ifndef MF_MAILBOX_BODY_FILES_H
#define MF_MAILBOX_BODY_FILES_H

#include <mailfountain/status.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mf::mailbox {

// A complete body in messages/tmp/, written but not yet fsynced nor committed. Move-only;
// destroying it unconsumed deletes the file.
class StagedBody {
 public:
  StagedBody() = default;
  StagedBody(int fd, std::string tmp_path, uint64_t size)
      : fd_(fd), tmp_path_(std::move(tmp_path)), size_(size) {}
  StagedBody(StagedBody&& other) noexcept;
  StagedBody& operator=(StagedBody&& other) noexcept;
  StagedBody(const StagedBody&) = delete;
  StagedBody& operator=(const StagedBody&) = delete;
  ~StagedBody();

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& tmp_path() const { return tmp_path_; }
  uint64_t size() const { return size_; }
  // Forgets the file without deleting it (it was moved into place).
  void release_file();
  // The file was moved into place: it is never deleted by this object, but the
  // descriptor stays open (to sync it) until the object goes.
  void forget_path() { tmp_path_.clear(); }

 private:
  void discard();
  int fd_ = -1;
  std::string tmp_path_;
  uint64_t size_ = 0;
};

// Writes one body into messages/tmp/, chunk by chunk as it arrives. Memory is bounded by
// its buffer (64 KiB) whatever the message size. Move-only; destroying it unfinished
// deletes the file.
class BodyWriter {
 public:
  BodyWriter(int fd, std::string tmp_path);
  BodyWriter(BodyWriter&&) noexcept = default;
  BodyWriter& operator=(BodyWriter&&) noexcept = default;
  ~BodyWriter() = default;

  // Appends bytes. After a failure (kIOError, e.g. disk full) every later call fails.
  Status append(std::string_view bytes);
  uint64_t size() const { return size_; }
  // Flushes and hands the body over for delivery (the file is not fsynced yet: the
  // committer does it, off the caller's thread).
  Result<StagedBody> finish();

 private:
  Status flush();
  StagedBody file_;  // owns the fd and the tmp path until finish()
  std::string buffer_;
  uint64_t size_ = 0;
  Status failed_;
};

class BodyFiles {
 public:
  // `root` is DATA_DIR/messages.
  explicit BodyFiles(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  std::string shard_dir(uint64_t id) const;
  std::string path_of(uint64_t id) const;

  // Creates root and tmp/ if needed, empties tmp/ and deletes every body file whose id is
  // above `high_water` (bodies moved into place by a commit that never happened).
  // Returns how many orphans were deleted.
  Result<uint64_t> prepare(uint64_t high_water);

  // A new, empty file in tmp/ and its writer.
  Result<BodyWriter> begin();

  // Moves a staged body to its place as body `id` (creating the shard directory; sets
  // *new_shard when it did). `body` keeps its descriptor, for the caller to sync the file
  // (this does not); the shard directory is not synced here either (see sync_dir). Until
  // both are, and a commit refers to the body, it is an orphan (see prepare()).
  Status place(StagedBody& body, uint64_t id, bool* new_shard);

  // fsync of a directory, so that renames and creations in it are durable.
  static Status sync_dir(const std::string& dir);

  // Deletes body `id`'s file; a missing file is not an error.
  Status remove(uint64_t id);

 private:
  std::string root_;
  std::atomic<uint64_t> tmp_seq_{0};
};

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_BODY_FILES_H
