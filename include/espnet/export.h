/* ESPNET_API marks the declarations a shared libespnet exports. The library is compiled with
   -fvisibility=hidden, so everything else (the engine's insides) stays private to it and can
   change without breaking applications. Valid C and C++: the C API header uses it too. */
#ifndef ESPNET_EXPORT_H
#define ESPNET_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
/** Gives a public declaration default visibility (exported from libespnet.so). */
#define ESPNET_API __attribute__((visibility("default")))
#else
/** No visibility control on this compiler: every symbol is exported. */
#define ESPNET_API
#endif

#endif /* ESPNET_EXPORT_H */
