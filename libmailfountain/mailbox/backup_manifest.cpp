// mailbox/backup_manifest.cpp — writing and strictly reading a backup's manifest
// (backup_manifest.h), and read_backup_manifest() of the public API.
#include "mailbox/backup_manifest.h"

#include "store/schema.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>

namespace mf::mailbox {

namespace {

constexpr std::string_view kMagic = "mailfountain-backup";

// The lines after the first, in order.
constexpr std::array<std::string_view, 5> kKeys = {"created", "schema_version", "bodies",
                                                   "body_bytes", "store_bytes"};

Status malformed(std::string_view why) {
  return corruption(fmt::format("the backup manifest is malformed: {}", why));
}

// A decimal number without sign or leading zeros that fits `max`.
bool parse_number(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

// Splits off the next line (ending in "\n") of *rest; false when there is none.
bool next_line(std::string_view* rest, std::string_view* line) {
  size_t end = rest->find('\n');
  if (end == std::string_view::npos) return false;
  *line = rest->substr(0, end);
  rest->remove_prefix(end + 1);
  return true;
}

}  // namespace

std::string encode_manifest(const BackupManifest& m) {
  return fmt::format(
      "{} {}\ncreated {}\nschema_version {}\nbodies {}\nbody_bytes {}\nstore_bytes {}\n", kMagic,
      kManifestFormat, m.created_at < 0 ? 0 : m.created_at, m.schema_version, m.bodies,
      m.body_bytes, m.store_bytes);
}

Result<BackupManifest> parse_manifest(std::string_view text) {
  std::string_view rest = text, line;
  if (!next_line(&rest, &line)) return malformed("no first line");
  if (line.substr(0, kMagic.size() + 1) != fmt::format("{} ", kMagic)) {
    return malformed(fmt::format("it does not start with '{} '", kMagic));
  }
  uint64_t format = 0;
  if (!parse_number(line.substr(kMagic.size() + 1), UINT32_MAX, &format) || format == 0) {
    return malformed("bad format version");
  }
  if (format > kManifestFormat) {
    return unsupported(fmt::format(
        "the backup has manifest format {}, newer than this MailFountain's ({}): restore it "
        "with the version that made it, or a newer one",
        format, kManifestFormat));
  }
  BackupManifest m;
  m.format = static_cast<uint32_t>(format);
  std::array<uint64_t, kKeys.size()> values{};
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (!next_line(&rest, &line)) return malformed(fmt::format("no '{}' line", kKeys[i]));
    size_t space = line.find(' ');
    if (space == std::string_view::npos || line.substr(0, space) != kKeys[i]) {
      return malformed(fmt::format("expected '{}' on line {}", kKeys[i], i + 2));
    }
    uint64_t max = kKeys[i] == "created"          ? static_cast<uint64_t>(INT64_MAX)
                   : kKeys[i] == "schema_version" ? UINT32_MAX
                                                  : UINT64_MAX;
    if (!parse_number(line.substr(space + 1), max, &values[i])) {
      return malformed(fmt::format("bad number for '{}'", kKeys[i]));
    }
  }
  if (!rest.empty()) return malformed("unexpected text after the last line");
  m.created_at = static_cast<int64_t>(values[0]);
  m.schema_version = static_cast<uint32_t>(values[1]);
  m.bodies = values[2];
  m.body_bytes = values[3];
  m.store_bytes = values[4];
  return m;
}

}  // namespace mf::mailbox

namespace mf {

Result<BackupManifest> read_backup_manifest(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return not_found(fmt::format("there is no backup at {}", dir));
    return io_error(fmt::format("cannot read {}: {}", dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return invalid_argument(fmt::format("{} is not a MailFountain backup (not a directory)", dir));
  }
  std::string path = dir + "/" + mailbox::kManifestName;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return invalid_argument(fmt::format(
          "{} is not a MailFountain backup: it has no manifest (an interrupted backup has none)",
          dir));
    }
    return io_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  std::string text(mailbox::kMaxManifestBytes + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return io_error(fmt::format("cannot read {}: {}", path, std::strerror(error)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > mailbox::kMaxManifestBytes) {
    return corruption(fmt::format("{} is too large to be a backup manifest", path));
  }
  text.resize(got);
  auto manifest = mailbox::parse_manifest(text);
  if (!manifest.is_ok()) return manifest.status().with_context(path);
  if (manifest->schema_version > store::kSchemaVersion) {
    return unsupported(fmt::format(
        "the backup {} holds a store of schema version {}, newer than this MailFountain's ({}): "
        "restore it with a newer MailFountain",
        dir, manifest->schema_version, store::kSchemaVersion));
  }
  if (manifest->schema_version == 0) return corruption(fmt::format("{}: schema version 0", path));
  return manifest;
}

}  // namespace mf
