import BaohaoApp
import CSystem

#if canImport(Glibc)
import Glibc
#endif

// One malloc arena: glibc's default lets every busy thread keep a heap of its own (measured:
// about 6 MB more at peak with the default, 1 MB more with two arenas, and no throughput
// gained by either in the end-to-end benchmark).
_ = csystem_limit_malloc_arenas(1)
// Blocks of 128 KiB and more (index builds, response buffers) go back to the system when freed.
csystem_return_freed_memory(128 * 1024, 256 * 1024)
exit(await BaohaoCLI.main(arguments: Array(CommandLine.arguments.dropFirst())))
