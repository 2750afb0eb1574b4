// libFuzzer's entry for programs with their own main (https://llvm.org/docs/LibFuzzer.html),
// which no header of the toolchain declares. Defined only in a build with -sanitize=fuzzer.
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the command line `argc`/`argv` on `UserCb`, as libFuzzer's own main
/// would; returns the exit status.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *_Nonnull Data, size_t Size));
