import Foundation
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// The regression set ships in Intents/ and is read whole or not at all: a file that cannot
/// be read or a bad line is a configuration error naming the key, the file and the line.
@Suite struct RegressionSetTests {
    static let shippedPath = repositoryRoot + "/Intents/regression.jsonl"

    @Test func theShippedRegressionSetLoadsEveryLineAndIsNotEmpty() throws {
        let questions = try RegressionGate.loadRegressionSet(path: Self.shippedPath)
        let text = try String(contentsOfFile: Self.shippedPath, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        #expect(questions.count == lines.count, "a line was skipped")
        #expect(questions.count >= 400)
        #expect(questions.allSatisfy { $0.source == "regression_set" && $0.target == nil })
        #expect(Set(questions.map(\.label)).isSubset(of: Labels.evaluationLabels))
        // Its own file, not the test fixture: the two evolve separately.
        #expect(BotConfiguration().regressionSetFile == "Intents/regression.jsonl")
    }

    @Test func aBadLineIsAnErrorNamingTheKeyTheFileAndTheLine() {
        let good = #"{"text": "我的余额", "intent": "check_balance"}"#
        let cases: [(String, String)] = [
            (good + "\n\n" + #"{"text": "怎么续费""#, "line 3: not a JSON object"),
            (good + "\n" + #"{"text": "怎么续费", "intent": "renewal"}"#, "line 2: 'renewal' is not a label ("),
            (#"{"intent": "renew"}"#, #"line 1: missing "text""#),
            (good + "\n" + #"{"text": "怎么续费"}"#, #"line 2: missing "intent""#),
        ]
        for (contents, reason) in cases {
            let path = writeTemporaryFile(contents, name: "regression.jsonl")
            #expect(throws: ConfigurationError.self) { try RegressionGate.loadRegressionSet(path: path) }
            do {
                _ = try RegressionGate.loadRegressionSet(path: path)
            } catch {
                #expect(error.problems.count == 1)
                #expect(error.problems.first?.source == path)
                #expect(error.problems.first?.key == "regression_set_file")
                #expect(error.problems.first?.reason.hasPrefix(reason) == true, "\(error)")
            }
        }
        // Blank lines and a missing final newline are fine; an empty file is an empty set.
        let ok = writeTemporaryFile(good + "\n\n  \n" + good, name: "regression.jsonl")
        #expect((try? RegressionGate.loadRegressionSet(path: ok))?.count == 2)
        #expect((try? RegressionGate.loadRegressionSet(path: writeTemporaryFile("", name: "regression.jsonl")))?.isEmpty == true)
    }

    @Test func theStartCheckRefusesAMissingFileAndADirectory() throws {
        try RegressionGate.checkRegressionSetFile(path: Self.shippedPath)
        let directory = makeTemporaryDirectory("regression")
        let expected: [(String, String)] = [
            (directory + "/missing.jsonl", "cannot read the file (No such file or directory)"),
            (directory, "cannot read the file (Is a directory)"),
        ]
        for (path, reason) in expected {
            let problem = ConfigurationProblem(source: path, key: "regression_set_file", reason: reason)
            #expect(throws: ConfigurationError([problem])) { try RegressionGate.checkRegressionSetFile(path: path) }
            #expect(throws: ConfigurationError([problem])) { try RegressionGate.loadRegressionSet(path: path) }
        }
    }
}
