/// The mask rule of inverted dropout, shared by every backend so that they drop the same units.
///
/// Element `i` of a dropout with key `k` keeps its unit when `u >= p`, where `u` is the Philox
/// uniform of element `k.offset + i` of stream `(k.seed, k.stream)` (see `Philox.unitUniform`):
/// the chance to keep is `1 - p` (to within 2^-24). A kept activation is multiplied by
/// `1 / (1 - p)`, so the expected output equals the input and inference is the identity [1].
///
/// [1]: Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, "Dropout", JMLR 2014.
public enum DropoutMask {
    /// Whether the unit with uniform `u` is kept at drop probability `probability`.
    public static func keeps(_ u: Float, probability: Float) -> Bool { u >= probability }

    /// The factor kept activations are scaled by, `1 / (1 - p)`, computed once on the host so
    /// that every backend multiplies by the same float.
    public static func scale(probability: Float) -> Float { 1 / (1 - probability) }

    /// Whether element `index` (absolute counter position) of stream `(seed, stream)` is kept.
    public static func keeps(
        index: UInt64, seed: UInt64, stream: UInt64, probability: Float
    ) -> Bool {
        let bits = Philox.block(index: index, seed: seed, stream: stream)
        return keeps(Philox.unitUniform(bits[Int(index % 4)]), probability: probability)
    }
}
