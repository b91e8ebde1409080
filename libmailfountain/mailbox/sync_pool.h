// mailbox/sync_pool.h — fsync many descriptors at once, from a few threads.
//
// Why: on Linux, every fsync/fdatasync that wrote data ends with a disk cache flush, and a
// file system commits its journal for it. Issued one after the other, a batch of N message
// bodies costs N flushes (2–8 ms each on a virtual disk): the group commit would be capped
// at a few hundred messages per second whatever the batch size. Issued together, the block
// layer merges the concurrent flushes and the journal commits once for all of them, so a
// batch costs about the same as one file.
//
// Thread-safety: sync_all() is called by one thread at a time (the committer); the pool's
// own threads only touch the items of the call in progress.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace mf::mailbox {

class SyncPool {
 public:
  struct Item {
    int fd = -1;
    bool data_only = true;  // fdatasync (a file's data); false: fsync (a directory)
    int error = 0;          // out: 0, or the errno of the failed call
  };

  // `threads` helpers besides the caller (0: everything runs on the caller's thread).
  explicit SyncPool(size_t threads);
  ~SyncPool();
  SyncPool(const SyncPool&) = delete;
  SyncPool& operator=(const SyncPool&) = delete;

  // Syncs every item concurrently and returns when all are done, each with its `error`.
  // The descriptors stay open and owned by the caller.
  void sync_all(std::vector<Item>& items);

 private:
  void run();
  static void sync_one(Item& item);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Item*> pending_;  // items not yet taken by a thread
  size_t unfinished_ = 0;      // items of the current call not yet synced
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mf::mailbox
