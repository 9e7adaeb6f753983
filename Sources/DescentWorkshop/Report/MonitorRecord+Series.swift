import DescentTraining

/// The monitor's measurements as chart series, one per weight tensor or layer, over steps.
extension MonitorRecord {
    /// `||lr * update|| / ||w||` of each weight tensor (CS231n: healthy around 1e-3).
    public var updateRatioSeries: [LineSeries] {
        parameterSeries { $0.updateRatio }
    }

    /// `||g||` of each weight tensor: vanishing gradients show as the first layers' lines far
    /// below the last's.
    public var gradientNormSeries: [LineSeries] {
        parameterSeries { $0.gradientNorm }
    }

    /// The fraction of ReLU units that were zero for the whole batch, per layer that has them.
    /// Every other layer's line is dashed: layers often share a value (none dead), and a solid
    /// line over another of the same values would hide it.
    public var deadFractionSeries: [LineSeries] {
        let names = snapshots.first?.layers.filter { $0.deadFraction != nil }.map(\.name) ?? []
        return names.enumerated().map { index, name in
            LineSeries(
                name: name,
                points: snapshots.compactMap { snapshot in
                    snapshot.layers.first { $0.name == name }?.deadFraction.map {
                        PlotPoint(x: Double(snapshot.step), y: $0)
                    }
                }, style: index % 2 == 0 ? .solid : .dashed)
        }
    }

    private func parameterSeries(_ value: (ParameterStatistics) -> Double) -> [LineSeries] {
        let names = snapshots.first?.parameters.filter(\.isWeight).map(\.name) ?? []
        return names.map { name in
            LineSeries(
                name: name,
                points: snapshots.compactMap { snapshot in
                    snapshot.parameters.first { $0.name == name }.map {
                        PlotPoint(x: Double(snapshot.step), y: value($0))
                    }
                })
        }
    }
}
