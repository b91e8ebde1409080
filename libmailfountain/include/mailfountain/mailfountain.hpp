// mailfountain/mailfountain.hpp — the whole C++ API of libmailfountain in one include.
#ifndef MAILFOUNTAIN_MAILFOUNTAIN_HPP
#define MAILFOUNTAIN_MAILFOUNTAIN_HPP

#include <mailfountain/context.h>
#include <mailfountain/directory.h>
#include <mailfountain/dkim.h>
#include <mailfountain/export.h>
#include <mailfountain/principal.h>
#include <mailfountain/status.h>
#include <mailfountain/version.h>

#endif  // MAILFOUNTAIN_MAILFOUNTAIN_HPP
