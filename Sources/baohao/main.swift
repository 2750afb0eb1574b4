import BaohaoApp
import CSystem

#if canImport(Glibc)
import Glibc
#endif

// Two malloc arenas suffice for a bot whose threads mostly wait; glibc's default lets every
// busy thread keep a heap of its own (measured: about 6 MB more at peak).
_ = csystem_limit_malloc_arenas(2)
exit(await BaohaoCLI.main(arguments: Array(CommandLine.arguments.dropFirst())))
