// mailbox/backup_manifest.h — the manifest of a backup: writing it and reading it back
// strictly (format in mailfountain/backup.h). Pure functions over text; the file I/O is
// read_backup_manifest() (backup_manifest.cpp) and the backup itself.
#ifndef MF_MAILBOX_BACKUP_MANIFEST_H
#define MF_MAILBOX_BACKUP_MANIFEST_H

#include <mailfountain/backup.h>
#include <mailfountain/status.h>

#include <string>
#include <string_view>

namespace mf::mailbox {

// The manifest format this library writes and the newest it reads.
inline constexpr uint32_t kManifestFormat = 1;
// The manifest's file name inside a backup directory.
inline constexpr const char* kManifestName = "manifest";
// A manifest is a few lines; anything larger is not one.
inline constexpr size_t kMaxManifestBytes = 4096;

std::string encode_manifest(const BackupManifest& m);

// Parses a manifest: every line of encode_manifest(), in that order, each exactly once,
// numbers in decimal without sign or leading zeros; nothing else. kCorruption when the text
// is not such a manifest; kUnsupported when its format is newer than kManifestFormat (its
// other lines are then not read: a newer format may change them).
Result<BackupManifest> parse_manifest(std::string_view text);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_BACKUP_MANIFEST_H
