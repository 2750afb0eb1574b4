/// A message with its label: a line of an evaluation file, or a training message taught to
/// the learned label model only (`Intents/training/`, never retrieved as an example).
public struct LabelledUtterance: Sendable, Equatable {
    public let text: String
    public let label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}
