import Foundation
import Testing
@testable import BaohaoSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StartupPagesTests {
    @Test func smapsEntriesAreReadWithTheirCleanAndDirtyPages() {
        let text = """
            55d0c0000000-55d0c0a00000 r-xp 00000000 08:01 1234   /usr/bin/baohao
            Rss:                9928 kB
            Anonymous:             0 kB
            Private_Dirty:         0 kB
            Shared_Dirty:          0 kB
            7f0000000000-7f0000180000 r--p 00100000 08:01 99     /usr/lib/libcrypto.so.3
            Rss:                 100 kB
            Anonymous:            40 kB
            Private_Dirty:        40 kB
            7f0000200000-7f0000210000 rw-p 00000000 00:00 0
            Rss:                  64 kB
            7f0000300000-7f0000310000 r--p 00000000 08:01 77     /usr/share/with space.dat
            Rss:                   8 kB
            7ffc00000000-7ffc00002000 r-xp 00000000 00:00 0      [vdso]
            Rss:                   8 kB
            """
        let mappings = StartupPages.parse(text)
        #expect(mappings.map(\.path) == ["/usr/bin/baohao", "/usr/lib/libcrypto.so.3", "", "/usr/share/with", "[vdso]"])
        #expect(mappings[0].start == 0x55d0_c000_0000 && mappings[0].end == 0x55d0_c0a0_0000 && mappings[0].residentKB == 9928)
        // Only clean, read-only file copies may go: not relocated data, not anonymous memory, not the vDSO.
        #expect(mappings.map(\.isDroppable) == [true, false, false, true, false])
    }

    /// Against this process's own memory: a file mapped read-only loses its resident pages and
    /// still reads the same; a private copy that was written to keeps what was written.
    @Test func cleanFilePagesGoAndComeBackWhileWrittenCopiesStay() throws {
        let path = NSTemporaryDirectory() + "startup-pages-\(getpid())"
        let size = 64 * 4096
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let clean = try #require(mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0))
        let written = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0))
        defer {
            munmap(clean, size)
            munmap(written, size)
        }
        var sum = 0
        for offset in stride(from: 0, to: size, by: 4096) { sum &+= Int(clean.load(fromByteOffset: offset + 5, as: UInt8.self)) }
        written.storeBytes(of: 0xAB, toByteOffset: 4096 * 3 + 1, as: UInt8.self)
        // Make the written copy read-only, as relocated data is after start-up.
        mprotect(written, size, PROT_READ)
        func resident(_ base: UnsafeMutableRawPointer) -> Int {
            var pages = [UInt8](repeating: 0, count: size / 4096)
            mincore(base, size, &pages)
            return pages.filter { $0 & 1 == 1 }.count
        }
        func mapping(_ base: UnsafeMutableRawPointer) -> StartupPages.Mapping? {
            let smaps = StartupPages.readFile("/proc/self/smaps") ?? ""
            return StartupPages.parse(smaps).first { $0.start == UInt(bitPattern: base) }
        }
        #expect(mapping(clean)?.residentKB == size / 1024)
        #expect(mapping(clean)?.isDroppable == true)
        #expect(mapping(written)?.isDroppable == false)
        #expect(StartupPages.release() >= size / 1024)
        #expect(mapping(clean)?.residentKB == 0)
        // The file's pages are still what they were; the written copy still holds its write.
        var again = 0
        for offset in stride(from: 0, to: size, by: 4096) { again &+= Int(clean.load(fromByteOffset: offset + 5, as: UInt8.self)) }
        #expect(again == sum)
        #expect(written.load(fromByteOffset: 4096 * 3 + 1, as: UInt8.self) == 0xAB)
        #expect(resident(written) > 0)
    }
}
