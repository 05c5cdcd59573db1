#pragma once
// Whether this build runs under a sanitizer, for the few tests whose subject the sanitizer's own
// machinery changes: resident memory (ASan's shadow and quarantine), and a process with no free
// file descriptor (the sanitizers' checks open pipes). Such a test says why it skips; it still
// runs in the plain build, and every other test runs under the sanitizers as it is.
namespace medtrail::testing {

// GCC defines __SANITIZE_*__; clang (the fuzz build, where scripts/test runs the core's suites)
// answers __has_feature instead.
#if defined(__has_feature)
#define MEDTRAIL_HAS_FEATURE(x) __has_feature(x)
#else
#define MEDTRAIL_HAS_FEATURE(x) 0
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    MEDTRAIL_HAS_FEATURE(address_sanitizer) || MEDTRAIL_HAS_FEATURE(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif

// ThreadSanitizer follows every lock through its own interceptors of libc; a library preloaded
// in front of them that wraps pthread calls itself (libfaketime wraps pthread_cond_timedwait)
// hides unlocks from it, and it reports a double lock where there is none.
#if defined(__SANITIZE_THREAD__) || MEDTRAIL_HAS_FEATURE(thread_sanitizer)
inline constexpr bool kUnderThreadSanitizer = true;
#else
inline constexpr bool kUnderThreadSanitizer = false;
#endif

}  // namespace medtrail::testing
