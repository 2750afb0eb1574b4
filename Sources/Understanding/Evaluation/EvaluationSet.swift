import FoundationEssentials

/// Reads evaluation files: one JSON object per line, `{"text": ..., "intent": ...}`.
public enum EvaluationSet {
    private struct Line: Decodable {
        let text: String?
        let intent: String?
    }

    /// The utterances of `path`. Blank lines are skipped; any other bad line fails the whole
    /// read, naming the line. Labels must be evaluation labels.
    public static func load(_ path: String) throws(EvaluationFileError) -> [LabelledUtterance] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationFileError(file: path, line: 0, reason: "cannot read the file (does it exist?)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String) throws(EvaluationFileError) -> [LabelledUtterance] {
        let labels = Set(Labels.evaluationLabels)
        let decoder = JSONDecoder()
        var result: [LabelledUtterance] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let parsed: Line
            do {
                parsed = try decoder.decode(Line.self, from: Data(line.utf8))
            } catch {
                throw EvaluationFileError(file: source, line: index + 1, reason: "not a JSON object")
            }
            guard let text = parsed.text, !text.isEmpty else {
                throw EvaluationFileError(file: source, line: index + 1, reason: "missing \"text\"")
            }
            guard let label = parsed.intent else {
                throw EvaluationFileError(file: source, line: index + 1, reason: "missing \"intent\"")
            }
            guard labels.contains(label) else {
                throw EvaluationFileError(file: source, line: index + 1, reason: "'\(label)' is not a label (\(Labels.evaluationLabels.joined(separator: ", ")))")
            }
            result.append(LabelledUtterance(text: text, label: label))
        }
        return result
    }
}
