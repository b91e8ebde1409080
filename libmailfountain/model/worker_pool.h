// model/worker_pool.h — a small fixed pool of threads for blocking work (password
// hashing) that must not run on a daemon's event loop.
//
// Jobs run in submission order on any of the threads. The destructor stops accepting
// jobs, runs those already queued, and joins the threads: a Context destroys its pool
// before anything the jobs use.
#ifndef MF_MODEL_WORKER_POOL_H
#define MF_MODEL_WORKER_POOL_H

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mf {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`. Thread-safe. An exception escaping `job` is swallowed.
  void submit(std::function<void()> job);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mf

#endif  // MF_MODEL_WORKER_POOL_H
