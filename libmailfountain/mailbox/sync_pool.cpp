// mailbox/sync_pool.cpp — see sync_pool.h.
#include "mailbox/sync_pool.h"

#include <unistd.h>

#include <cerrno>

namespace mf::mailbox {

SyncPool::SyncPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

SyncPool::~SyncPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void SyncPool::sync_one(Item& item) {
  int rc = item.data_only ? ::fdatasync(item.fd) : ::fsync(item.fd);
  item.error = rc == 0 ? 0 : errno;
}

void SyncPool::sync_all(std::vector<Item>& items) {
  if (items.empty()) return;
  if (threads_.empty() || items.size() == 1) {
    for (auto& item : items) sync_one(item);
    return;
  }
  {
    std::lock_guard lock(mu_);
    for (auto& item : items) pending_.push_back(&item);
    unfinished_ = items.size();
  }
  work_cv_.notify_all();
  // The caller takes its share too, then waits for the items the threads hold.
  std::unique_lock lock(mu_);
  while (!pending_.empty()) {
    Item* item = pending_.front();
    pending_.pop_front();
    lock.unlock();
    sync_one(*item);
    lock.lock();
    --unfinished_;
  }
  done_cv_.wait(lock, [&] { return unfinished_ == 0; });
}

void SyncPool::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    Item* item = pending_.front();
    pending_.pop_front();
    lock.unlock();
    sync_one(*item);
    lock.lock();
    if (--unfinished_ == 0) done_cv_.notify_one();
  }
}

}  // namespace mf::mailbox
