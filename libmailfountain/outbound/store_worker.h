// outbound/store_worker.h — one thread for the delivery engine's store work: loading due
// queue entries (with their DKIM signatures) and recording delivery results, each in its
// own LMDB transaction, off the event loop. Tasks run one after the other, in the order
// given; each task's `done` is posted back to the loop (mta/loop_poster.h) afterwards.
//
// Threading: run() from the loop's thread; `work` runs on the worker's thread, `done` on
// the loop. The destructor runs the tasks already given, without their `done`, then joins.
#ifndef MF_OUTBOUND_STORE_WORKER_H
#define MF_OUTBOUND_STORE_WORKER_H

#include "mta/loop_poster.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace mf::outbound {

class StoreWorker {
 public:
  // `poster` must outlive the worker.
  explicit StoreWorker(mta::LoopPoster& poster);
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  void run(std::function<void()> work, std::function<void()> done);
  // Tasks given and not yet finished (their `done` not yet run).
  size_t pending() const { return pending_; }

 private:
  struct Task {
    std::function<void()> work;
    std::function<void()> done;
  };
  void loop();

  mta::LoopPoster& poster_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  size_t pending_ = 0;  // loop thread only
  // Posted `done`s check it: one that reaches the loop after the destructor is dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread thread_;
};

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_STORE_WORKER_H
