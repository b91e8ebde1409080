// queue/dsn_params.h — the RFC 3461 DSN parameters of an SMTP envelope (smtp/params.h) in
// the compact form the queue stores them (queue/records.h), and back. Pure.
//
// NOTIFY is stored as bits: kNotifyUnset when RCPT had no NOTIFY (the default: failures
// and delays are reported), no bit at all for NOTIFY=NEVER. RET is stored as queue::Ret.
#ifndef MF_QUEUE_DSN_PARAMS_H
#define MF_QUEUE_DSN_PARAMS_H

#include "queue/records.h"
#include "smtp/params.h"

#include <cstdint>
#include <optional>

namespace mf::queue {

uint8_t notify_bits(const std::optional<smtp::Notify>& notify);
std::optional<smtp::Notify> notify_of(uint8_t bits);

Ret ret_of(smtp::Ret ret);
smtp::Ret smtp_ret(Ret ret);

}  // namespace mf::queue

#endif  // MF_QUEUE_DSN_PARAMS_H
