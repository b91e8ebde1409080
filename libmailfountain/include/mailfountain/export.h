/* mailfountain/export.h — the export macro of the public API.
 *
 * libmailfountain is built with -fvisibility=hidden; only declarations marked MF_EXPORT
 * are visible to programs that link the shared library. Consumers of the static library
 * define MAILFOUNTAIN_STATIC (the CMake target and the pkg-config file do it for them),
 * which turns the macro into nothing.
 *
 * The C API header (mailfountain.h) includes this file: keep it valid C89.
 */
#ifndef MAILFOUNTAIN_EXPORT_H
#define MAILFOUNTAIN_EXPORT_H

#if defined(MAILFOUNTAIN_STATIC)
#define MF_EXPORT
#elif defined(_WIN32)
#if defined(MAILFOUNTAIN_BUILDING)
#define MF_EXPORT __declspec(dllexport)
#else
#define MF_EXPORT __declspec(dllimport)
#endif
#else
#define MF_EXPORT __attribute__((visibility("default")))
#endif

#endif /* MAILFOUNTAIN_EXPORT_H */
