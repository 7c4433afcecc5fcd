// The compiler's prefetch hint, which Swift does not expose: asks the cache for a line that will be
// read soon (`PersonSchedule.prefetch`). No library: a builtin of the C compiler.
static inline void starling_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
