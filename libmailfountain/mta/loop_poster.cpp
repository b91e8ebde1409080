// mta/loop_poster.cpp — an eventfd-woken queue of functions for the loop's thread.
#include "mta/loop_poster.h"

#include <event2/event.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace mf::mta {

Result<std::unique_ptr<LoopPoster>> LoopPoster::create(event_base* base) {
  std::unique_ptr<LoopPoster> p(new LoopPoster());
  p->fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (p->fd_ < 0) return io_error(std::string("eventfd: ") + std::strerror(errno));
  p->ev_ = event_new(base, p->fd_, EV_READ | EV_PERSIST, &LoopPoster::on_wake, p.get());
  if (p->ev_ == nullptr || event_add(p->ev_, nullptr) != 0)
    return Status(Code::kResourceExhausted, "cannot add the loop poster's event");
  return p;
}

LoopPoster::~LoopPoster() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    arrived_.wait(lock, [this] { return expected_ == 0; });
    queue_.clear();
  }
  if (ev_ != nullptr) event_free(ev_);
  if (fd_ >= 0) close(fd_);
}

void LoopPoster::expect() {
  std::lock_guard<std::mutex> lock(mu_);
  ++expected_;
}

void LoopPoster::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
    if (expected_ > 0) --expected_;
    arrived_.notify_all();
  }
  uint64_t one = 1;
  // EAGAIN only when the counter is saturated: the loop is awake anyway.
  while (write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void LoopPoster::on_wake(int fd, short, void* arg) {
  uint64_t count;
  while (read(fd, &count, sizeof count) < 0 && errno == EINTR) {
  }
  static_cast<LoopPoster*>(arg)->run_posted();
}

void LoopPoster::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(queue_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace mf::mta
