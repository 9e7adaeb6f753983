import Descent

/// `--augment`: train-time augmentation, `none` or any of `crop:P`, `flip` and `noise:STD`.
struct AugmentationChoice: Equatable, CustomStringConvertible {
    var crop = 0
    var flip = false
    var noise: Float = 0

    /// No augmentation.
    static let none = AugmentationChoice()

    /// The augmentation `text` names.
    /// - Throws: a usage error naming the item it cannot read.
    init(parsing text: String) throws {
        guard text != "none" else { return }
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            switch (parts.first ?? "", parts.count) {
            case ("crop", 2):
                guard let pixels = Int(parts[1]), (1...64).contains(pixels) else {
                    throw usageError("--augment: crop:P takes P in 1...64 pixels, got '\(item)'")
                }
                crop = pixels
            case ("flip", 1):
                flip = true
            case ("noise", 2):
                guard let std = Float(parts[1]), std.isFinite, std > 0 else {
                    throw usageError(
                        "--augment: noise:STD takes a standard deviation > 0, got '\(item)'")
                }
                noise = std
            default:
                throw usageError(
                    "--augment: unknown item '\(item)'; use none, or crop:P, flip and noise:STD "
                        + "separated by commas")
            }
        }
    }

    private init() {}

    /// The choice as `--augment` takes it.
    var description: String {
        let items = [
            crop > 0 ? "crop:\(crop)" : nil, flip ? "flip" : nil,
            noise > 0 ? "noise:\(noise)" : nil,
        ].compactMap { $0 }
        return items.isEmpty ? "none" : items.joined(separator: ",")
    }

    /// The layers that apply it to samples of `input`, first in the model.
    /// - Throws: a usage error when crops or flips are asked of samples that are not images.
    func layers(for input: SampleShape) throws -> [any Layer] {
        var layers: [any Layer] = []
        if crop > 0 || flip {
            guard input.isImage else {
                throw usageError(
                    "--augment: crop and flip need image data, and these samples are \(input)")
            }
            layers.append(RandomCropFlip(padding: crop, flip: flip))
        }
        if noise > 0 { layers.append(GaussianNoise(noise)) }
        return layers
    }
}
