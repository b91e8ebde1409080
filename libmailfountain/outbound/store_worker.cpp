// outbound/store_worker.cpp — the delivery engine's store thread.
#include "outbound/store_worker.h"

#include <memory>

namespace mf::outbound {

StoreWorker::StoreWorker(mta::LoopPoster& poster) : poster_(poster) {
  thread_ = std::thread([this] { loop(); });
}

StoreWorker::~StoreWorker() {
  alive_.reset();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void StoreWorker::run(std::function<void()> work, std::function<void()> done) {
  ++pending_;
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(Task{std::move(work), std::move(done)});
  }
  cv_.notify_one();
}

void StoreWorker::loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      if (stopping_) {
        lock.unlock();
        task.work();  // finish what was asked (results must be recorded), silently
        continue;
      }
    }
    task.work();
    poster_.expect();
    std::weak_ptr<bool> alive = alive_;
    poster_.post([this, alive, done = std::move(task.done)] {
      if (alive.expired()) return;
      --pending_;
      if (done) done();
    });
  }
}

}  // namespace mf::outbound
