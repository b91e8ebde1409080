// mfctl/size.h — storage sizes as people type and read them ("500M", "2G").
#ifndef MFCTL_SIZE_H
#define MFCTL_SIZE_H

#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace mfctl {

// Parses a size: a decimal number of bytes, optionally followed by one of the suffixes
// K, M, G or T (either case; binary multiples: K = 1024). "2G" is 2147483648.
// kInvalidArgument, naming the accepted forms, for anything else or on overflow.
mf::Result<uint64_t> parse_size(std::string_view text);

// Formats a size with the largest suffix that divides it exactly: 2147483648 → "2G",
// 1536 → "1536", 1572864 → "1536K". parse_size(format_size(n)) == n for every n.
std::string format_size(uint64_t bytes);

// The accepted forms of a size, for error messages and help texts.
inline constexpr const char* kSizeForms =
    "a number of bytes, optionally followed by K, M, G or T (powers of 1024), e.g. 500M or 2G";

}  // namespace mfctl

#endif  // MFCTL_SIZE_H
