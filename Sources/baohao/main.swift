import BaohaoApp

#if canImport(Glibc)
import Glibc
#endif

exit(await BaohaoCLI.main(arguments: Array(CommandLine.arguments.dropFirst())))
