import DescentCore

/// A device copy of a model's whole state (the parameter arena and batch norm's running
/// statistics) taken when it was last known to be finite, so that a run that diverges ends on
/// finite weights instead of NaN. The optimizer's state (moments, velocities) is not copied.
final class LastFiniteState<B: Backend> {
    private let backend: B
    /// Each state buffer of the model with its copy.
    private let copies: [(source: B.View, copy: B.Buffer)]

    /// Allocates the copies (one arena and the running statistics); they hold the model's state
    /// once `keep()` has run.
    init(of model: Model<B>) throws {
        backend = model.backend
        copies = try ([model.parameters.view] + model.stateBuffers).map {
            ($0, try model.backend.makeBuffer(count: $0.count))
        }
    }

    /// Copies the model's current state as the last finite one (on the device, no download).
    func keep() throws {
        for (source, copy) in copies { try backend.copy(source, to: copy.view) }
    }

    /// Puts the kept state back into the model.
    func restore() throws {
        for (source, copy) in copies { try backend.copy(copy.view, to: source) }
    }
}
