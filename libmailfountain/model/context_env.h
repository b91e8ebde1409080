// model/context_env.h — the LMDB environment of a Context, for the library's own modules
// that run their transactions over it (the outbound queue's administration).
//
// Internal: the public API never exposes the environment.
#ifndef MF_MODEL_CONTEXT_ENV_H
#define MF_MODEL_CONTEXT_ENV_H

#include "store/lmdb_env.h"

namespace mf {

class Context;

// The environment of a Context made by Context::open (every Context is one). Lives as
// long as the Context; usable from any thread (one transaction per thread at a time).
store::LmdbEnv& context_env(Context& context);

}  // namespace mf

#endif  // MF_MODEL_CONTEXT_ENV_H
