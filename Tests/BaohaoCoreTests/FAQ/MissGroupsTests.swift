import Testing
@testable import BaohaoCore

@Suite struct MissGroupsTests {
    static func misses(_ texts: [String]) -> [MissGroups.Miss] { texts.enumerated().map { MissGroups.Miss(id: Int64(100 - $0.offset), text: $0.element) } }

    @Test func similarQuestionsGroupLargestFirstAndStrangersStayAlone() {
        let groups = MissGroups.group(
            Self.misses(["天气怎么样", "保号卡在日本能漫游上网吗", "how do i roam in japan", "保号卡去日本可以漫游上网吗", "how can i roam in japan?", "保号卡可以在日本漫游上网吗"]),
            normalize: { $0.lowercased() })
        #expect(groups.map(\.members.count) == [3, 2, 1])
        #expect(groups[0].representative.text == "保号卡在日本能漫游上网吗")
        #expect(groups[1].members.map(\.text) == ["how do i roam in japan", "how can i roam in japan?"])
        #expect(groups[2].members.map(\.text) == ["天气怎么样"])
        #expect(MissGroups.group([], normalize: { $0 }).isEmpty)
        // Odd input: empty and one-character texts group without crashing.
        #expect(MissGroups.group(Self.misses(["", "", "a", "🇭🇰"]), normalize: { $0 }).map(\.members.count) == [2, 1, 1])
    }

    @Test func sparklinesScaleToTheLargestDay() {
        #expect(DailyCounts.sparkline([0, 0, 0]) == "▁▁▁")
        #expect(DailyCounts.sparkline([0, 7, 14]) == "▁▅█")
        #expect(DailyCounts.sparkline([1]) == "█")
        #expect(DailyCounts.sparkline([]) == "")
    }
}
