// mta/loop_poster.h — runs functions on an event loop's thread, posted from any thread.
//
// Worker threads (password hashing, the mailbox store's committer) finish their work off
// the loop; their results must be handled on it, where the sessions live. libevent can do
// this only with its global threading support switched on (evthread_use_pthreads), which a
// library embedded in someone else's program must not impose; so the poster wakes the loop
// through its own eventfd and a mutex-guarded queue.
//
// Functions run in the order they were posted, on the loop, from its dispatch. A worker
// that will post later is announced with expect() before it starts: the destructor waits
// until every expected post has arrived, so no worker can post into a freed poster.
// Functions still queued at destruction are dropped (they must hold only weak references).
#ifndef MF_MTA_LOOP_POSTER_H
#define MF_MTA_LOOP_POSTER_H

#include <mailfountain/status.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

struct event;
struct event_base;

namespace mf::mta {

class LoopPoster {
 public:
  static Result<std::unique_ptr<LoopPoster>> create(event_base* base);
  ~LoopPoster();
  LoopPoster(const LoopPoster&) = delete;
  LoopPoster& operator=(const LoopPoster&) = delete;

  // Announces one post() to come (call on any thread before starting the work).
  void expect();
  // Thread-safe. Each post() answers one expect().
  void post(std::function<void()> fn);

 private:
  LoopPoster() = default;
  static void on_wake(int fd, short what, void* arg);
  void run_posted();

  int fd_ = -1;
  event* ev_ = nullptr;
  std::mutex mu_;
  std::condition_variable arrived_;
  size_t expected_ = 0;
  std::vector<std::function<void()>> queue_;
};

}  // namespace mf::mta

#endif  // MF_MTA_LOOP_POSTER_H
