/// How the backends lay out a convolution's workspace and the products they make in it, shared
/// so that both run the same products.
///
/// The workspace holds the patch matrix (im2col), `patchSize x (batch positions)`, followed by
/// the channel-major product, `outputChannels x (batch positions)`.
public enum ConvolutionWorkspace {
    /// The patch matrix and the channel-major product, as views of `workspace`.
    public static func split<Buffer>(
        _ workspace: BufferView<Buffer>, _ shape: ConvolutionShape
    )
        throws -> (patches: BufferView<Buffer>, product: BufferView<Buffer>)
    {
        let columns = shape.batch * shape.outputPositions
        let patchCount = shape.patchSize * columns
        return (
            try workspace.subview(offset: 0, count: patchCount),
            try workspace.subview(offset: patchCount, count: shape.outputChannels * columns)
        )
    }

    /// The forward product: `weights [O x K]` times `patches [K x NP]`.
    public static func forwardProduct(_ shape: ConvolutionShape) -> MatmulShape {
        MatmulShape(
            m: shape.outputChannels, n: shape.batch * shape.outputPositions, k: shape.patchSize)
    }

    /// The patches' gradient: `weights^T [K x O]` times `dY [O x NP]`.
    public static func patchGradientProduct(_ shape: ConvolutionShape) -> MatmulShape {
        MatmulShape(
            m: shape.patchSize, n: shape.batch * shape.outputPositions, k: shape.outputChannels,
            transposeA: true)
    }

    /// The weights' gradient: `dY [O x NP]` times `patches^T [NP x K]`.
    public static func weightProduct(_ shape: ConvolutionShape) -> MatmulShape {
        MatmulShape(
            m: shape.outputChannels, n: shape.patchSize, k: shape.batch * shape.outputPositions,
            transposeB: true)
    }
}
