#if canImport(Glibc)
import Glibc
#endif

/// Gives back the resident pages of code and read-only data that only start-up used.
///
/// Starting touches megabytes of the binary's and the libraries' code and read-only data
/// (loading the knowledge, training, migrations, the dynamic linker's symbol tables) that the
/// running bot never reads again. Those pages are clean copies of files: dropping them from
/// this process (`madvise(MADV_DONTNEED)`) is what the kernel itself does under memory
/// pressure, and a page needed again comes back from the page cache on its next use.
///
/// Only mappings that cannot hold anything but file contents are dropped: backed by a file,
/// not writable, and with no anonymous (copied-on-write) or dirty page at all according to
/// `/proc/self/smaps`. Relocated read-only data (RELRO) has anonymous pages and is kept.
public enum StartupPages {
    /// One mapping as `/proc/self/smaps` describes it.
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var permissions: Substring
        var path: Substring
        var residentKB = 0
        var anonymousKB = 0
        var dirtyKB = 0

        /// A clean, read-only copy of a file: safe to drop.
        var isDroppable: Bool {
            path.hasPrefix("/") && !permissions.contains("w") && residentKB > 0 && anonymousKB == 0 && dirtyKB == 0
        }
    }

    /// Drops the droppable mappings' pages; returns how many kB were resident in them.
    @discardableResult
    public static func release() -> Int {
        guard let smaps = readFile("/proc/self/smaps") else { return 0 }
        var released = 0
        for mapping in parse(smaps) where mapping.isDroppable {
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                released += mapping.residentKB
            }
        }
        return released
    }

    /// The mappings of an smaps text.
    static func parse(_ text: String) -> [Mapping] {
        var mappings: [Mapping] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                guard !mappings.isEmpty, fields.count >= 2, let kb = Int(fields[1]) else { continue }
                switch first {
                case "Rss:": mappings[mappings.count - 1].residentKB = kb
                case "Anonymous:": mappings[mappings.count - 1].anonymousKB = kb
                case "Shared_Dirty:", "Private_Dirty:": mappings[mappings.count - 1].dirtyKB += kb
                default: break
                }
            } else if let dash = first.firstIndex(of: "-"), fields.count >= 5,
                let start = UInt(first[..<dash], radix: 16), let end = UInt(first[first.index(after: dash)...], radix: 16)
            {
                mappings.append(Mapping(start: start, end: end, permissions: fields[1], path: fields.count >= 6 ? fields[5] : ""))
            }
        }
        return mappings
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
