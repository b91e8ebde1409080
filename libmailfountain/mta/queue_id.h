// mta/queue_id.h — queue IDs in Postfix's manner, naming a message in log lines
// ("4F7K2M0001QZ: from=<a@b>, size=1234") and in its Received header.
//
// An ID is 12 characters of [0-9A-Z], three base-36 fields of fixed width:
//   TTTTTT  seconds since 2024-01-01T00:00:00Z (6 digits: until 2093, then it wraps)
//   CCC     a counter within that second (46656 IDs per second)
//   SSS     the generator's salt, given at construction (from a random source)
// Within one generator, IDs are strictly increasing, as strings and in time order: when a
// second's counter is used up, or the clock steps back, the generator goes on from the last
// second it used. Across restarts, two IDs can only collide if both instances ran in the
// same second with the same salt (1 in 46656) — unique in practice, as Postfix's are.
//
// Pure: the time is passed in. Not thread-safe: one generator per event loop.
#ifndef MF_MTA_QUEUE_ID_H
#define MF_MTA_QUEUE_ID_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf::mta {

class QueueIdGenerator {
 public:
  static constexpr size_t kLength = 12;
  static constexpr int64_t kEpoch = 1704067200;  // 2024-01-01T00:00:00Z, Unix seconds

  // Only salt % 36^3 is used.
  explicit QueueIdGenerator(uint64_t salt);

  // The next ID, for a message received at `now` (Unix seconds).
  std::string next(int64_t now);

  // Whether `id` has the shape of an ID: kLength characters of [0-9A-Z].
  static bool is_valid(std::string_view id);

 private:
  int64_t salt_;
  int64_t second_ = -1;  // since kEpoch, of the last ID
  int64_t counter_ = 0;  // of the last ID within second_
};

}  // namespace mf::mta

#endif  // MF_MTA_QUEUE_ID_H
