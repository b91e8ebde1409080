// mfctl/json_objects.h — the JSON form of each directory object mfctl prints.
//
// These shapes are mfctl's stable, documented interface (docs/mfctl-json.md): members are
// only ever added, never renamed or removed. Sizes are integers in bytes, times integers
// in Unix seconds, an absent optional value is null and an absent list is [].
#ifndef MFCTL_JSON_OBJECTS_H
#define MFCTL_JSON_OBJECTS_H

#include "output.h"

#include <mailfountain/directory.h>

namespace mfctl {

Json to_json(const mf::DomainInfo& domain);
Json to_json(const mf::AccountInfo& account);
Json to_json(const mf::AliasInfo& alias);
Json to_json(const mf::RedirectionInfo& redirection);
Json to_json(const mf::ManagerGrant& grant);
Json to_json(const mf::QuotaInfo& quota);
Json to_json(const mf::Resolution& resolution);
Json to_json(const mf::AuditEntry& entry);

// The stable names used in JSON and tables.
const char* state_name(mf::AccountState state);          // "enabled", "disabled"
const char* quota_source_name(mf::QuotaInfo::Source s);  // "account", "domain_default", "unlimited"

}  // namespace mfctl

#endif  // MFCTL_JSON_OBJECTS_H
