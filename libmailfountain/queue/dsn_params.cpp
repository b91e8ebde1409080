// queue/dsn_params.cpp — DSN parameters between the envelope and the queue's records.
#include "queue/dsn_params.h"

namespace mf::queue {

uint8_t notify_bits(const std::optional<smtp::Notify>& notify) {
  if (!notify) return kNotifyUnset;
  uint8_t bits = 0;
  if (notify->success) bits |= kNotifySuccess;
  if (notify->failure) bits |= kNotifyFailure;
  if (notify->delay) bits |= kNotifyDelay;
  return bits;
}

std::optional<smtp::Notify> notify_of(uint8_t bits) {
  if (bits & kNotifyUnset) return std::nullopt;
  smtp::Notify n;
  n.success = bits & kNotifySuccess;
  n.failure = bits & kNotifyFailure;
  n.delay = bits & kNotifyDelay;
  return n;
}

Ret ret_of(smtp::Ret ret) {
  switch (ret) {
    case smtp::Ret::kFull:
      return Ret::kFull;
    case smtp::Ret::kHeaders:
      return Ret::kHeaders;
    case smtp::Ret::kUnspecified:
      break;
  }
  return Ret::kUnspecified;
}

smtp::Ret smtp_ret(Ret ret) {
  switch (ret) {
    case Ret::kFull:
      return smtp::Ret::kFull;
    case Ret::kHeaders:
      return smtp::Ret::kHeaders;
    case Ret::kUnspecified:
      break;
  }
  return smtp::Ret::kUnspecified;
}

}  // namespace mf::queue
