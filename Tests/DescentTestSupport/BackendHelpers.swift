import DescentCore

extension Backend {
    /// Uploads `values` into a new buffer and returns a view of it.
    public func view(_ values: [Float]) throws -> View {
        try makeBuffer(values).view
    }

    /// A view of a new float32 buffer of `count` elements filled with NaN, so that a kernel that
    /// leaves an element unwritten shows up in the comparison.
    public func poisoned(_ count: Int) throws -> View {
        let buffer = try makeBuffer(count: count)
        try fill(buffer.view, with: .nan)
        return buffer.view
    }
}

extension Backend {
    /// Uploads `values` into the middle of a larger buffer (`padding` NaNs on each side) and
    /// returns a view of exactly `values`, so that kernels are exercised at non-zero offsets and
    /// any write outside the view would corrupt the padding.
    public func paddedView(_ values: [Float], padding: Int = 3) throws -> View {
        let buffer = try makeBuffer(count: values.count + 2 * padding)
        try fill(buffer.view, with: .nan)
        let view = try buffer.view(offset: padding, count: values.count)
        try upload(values, to: view)
        return view
    }
}
