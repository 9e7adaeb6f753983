import DescentCore
import DescentTraining

extension ImageGrid {
    /// The first convolution's filters as small images, one per output and input channel
    /// (`kernelSize x kernelSize` weights), every one on the same gray scale (black the most
    /// negative weight of the layer, white the most positive, mid-gray 0), so that their
    /// strengths compare; nil when the model has no convolution. Synchronizing: downloads the
    /// weights.
    public static func firstLayerFilters<B: Backend>(of model: Model<B>) throws -> ImageGrid? {
        guard let index = model.architecture.layers.firstIndex(where: { $0 is Conv2D }),
            let conv = model.architecture.layers[index] as? Conv2D,
            let slot = model.slots.first(where: {
                $0.layerIndex == index && $0.spec.name == "weight"
            })
        else { return nil }
        let weights = try model.backend.download(
            try model.parameters.view(offset: slot.offset, count: slot.spec.count))
        let bound = max(weights.map(abs).max() ?? 0, Float.leastNormalMagnitude)
        let area = conv.kernelSize * conv.kernelSize
        var images: [GridImage] = []
        for output in 0..<conv.outputChannels {
            for input in 0..<conv.inputChannels {
                let start = (output * conv.inputChannels + input) * area
                images.append(
                    GridImage(
                        pixels: Array(weights[start..<(start + area)]), width: conv.kernelSize,
                        height: conv.kernelSize,
                        caption: conv.inputChannels == 1 ? "\(output)" : "\(output).\(input)",
                        range: -bound...bound))
            }
        }
        return ImageGrid(
            title:
                "Layer \(index), \(conv): its filters (black \(Markup.readable(Double(-bound))), "
                + "white \(Markup.readable(Double(bound))))",
            images: images, columns: min(16, images.count),
            scale: max(3, (36 / Double(conv.kernelSize)).rounded()))
    }
}
