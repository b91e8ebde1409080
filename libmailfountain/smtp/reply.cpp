// smtp/reply.cpp — the wire form of a reply (see reply.h).
#include "smtp/reply.h"

namespace mf::smtp {

std::string Reply::wire() const {
  std::string s = std::to_string(code);
  s += ' ';
  if (!enhanced.empty()) {
    s += enhanced;
    s += ' ';
  }
  s += text;
  s += "\r\n";
  return s;
}

}  // namespace mf::smtp
