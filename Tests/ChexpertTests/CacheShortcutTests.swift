import CResample
import Testing
@testable import ChexpertCore

/// The packed cache's read shortcuts give the bits of the full path: the
/// resampler's identity shortcut (a plane already at the output size) equals
/// the full resample, EXACT and FAST (both kernels), area and bilinear; and
/// the writer's one-pass grey-to-3-channel float row equals the per-channel
/// mapping `v * scale[c] + offset[c]`.
@Suite struct CacheShortcutTests {
    /// Pillow's coefficients at scale 1 with a whole-pixel offset: one
    /// weight 1.0 on source pixel start + i, zeros after it.
    @Test func scaleOneCoefficientsAreTheIdentity() throws {
        for filter in ResampleFilter.allCases {
            for (size, start, output) in [(224, 0, 224), (274, 25, 224), (9, 3, 5), (1, 0, 1)] {
                #expect(ResampleAxis.identityOffset(sourceSize: size, start: Float(start), end: Float(start + output),
                                                    outputSize: output) == start)
                let axis = ResampleAxis()
                try axis.prepare(sourceSize: size, start: Float(start), end: Float(start + output), outputSize: output,
                                 filter: filter, floats: true)
                let weights = axis.weights, k = axis.kernelSize
                for i in 0 ..< output {
                    #expect(axis.first[i] == start + i)
                    #expect(weights[i * k] == 1.0)
                    #expect(weights[(i * k + 1) ..< (i * k + k)].allSatisfy { $0 == 0 })
                    #expect(axis.floatWeightPointer.map { $0[i * k] } == 1.0)
                }
            }
        }
        // Not the identity: another scale, a fractional offset, a window past the source.
        #expect(ResampleAxis.identityOffset(sourceSize: 256, start: 0, end: 256, outputSize: 224) == nil)
        #expect(ResampleAxis.identityOffset(sourceSize: 275, start: 25.5, end: 249.5, outputSize: 224) == nil)
        #expect(ResampleAxis.identityOffset(sourceSize: 230, start: 10, end: 234, outputSize: 224) == nil)
        #expect(ResampleAxis.identityOffset(sourceSize: 224, start: -1, end: 223, outputSize: 224) == nil)
    }

    @Test func identityShortcutIsBitIdenticalToTheResample() throws {
        var rng = SplitMix64(seed: 13)
        let shortcut = Resampler(), full = Resampler()
        full.allowsIdentity = false
        var taken = 0
        for trial in 0 ..< 96 {
            let channels = trial % 4 == 0 ? 3 : 1
            let height = Int(rng.next() % 40) + 1, width = Int(rng.next() % 40) + 1
            // Sources the output size, or larger by an even margin on one axis (cover crops a whole-pixel offset).
            let extra = 2 * Int(rng.next() % 6)
            let shape = trial % 3 == 0 ? ImageShape(height: height, width: width)
                : trial % 3 == 1 ? ImageShape(height: height + extra, width: width)
                : ImageShape(height: height, width: width + extra)
            var pixels = [UInt8](repeating: 0, count: shape.height * shape.width * channels)
            for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: rng.next()) }
            let fit = ResizeSpec.Fit.allCases[(trial / 3) % 3]
            let geometry = FitGeometry(fit: fit, source: shape, height: height, width: width)
            let isIdentity = ResampleAxis.identityOffset(sourceSize: shape.width, start: geometry.sourceX0,
                                                         end: geometry.sourceX1, outputSize: geometry.regionWidth) != nil
                && ResampleAxis.identityOffset(sourceSize: shape.height, start: geometry.sourceY0,
                                               end: geometry.sourceY1, outputSize: geometry.regionHeight) != nil
            if isIdentity { taken += 1 }
            for filter in ResampleFilter.allCases {
                for arithmetic in [ResizeSpec.Resample.exact, .fast] {
                    for level: Int32 in arithmetic == .fast ? [1, 0] : [0] {
                        _ = cxr_set_kernel_level(level)
                        let a = try FastResampleTests.rows(shortcut, pixels, shape, channels: channels, geometry, filter,
                                                           arithmetic)
                        let b = try FastResampleTests.rows(full, pixels, shape, channels: channels, geometry, filter,
                                                           arithmetic)
                        #expect(a.elementsEqual(b, by: { $0.bitPattern == $1.bitPattern }),
                                "trial \(trial) \(filter) \(arithmetic) level \(level): shortcut and resample differ")
                    }
                    _ = cxr_set_kernel_level(0)
                }
            }
        }
        #expect(taken >= 40, "only \(taken) trials took the shortcut")
    }

    @Test func greyToThreeChannelRowsMatchThePerChannelMapping() throws {
        var rng = SplitMix64(seed: 5)
        for layout in [ResizeSpec.Layout.nchw, .nhwc] {
            for normalization in [ResizeSpec.Normalization.imagenet, .none] {
                for width in [1, 7, 8, 9, 23, 224] {
                    let height = 3
                    let spec = try ResizeSpec(height: height, width: width, channels: 3, layout: layout,
                                              elementType: .float32, fit: .stretch, normalization: normalization)
                    let geometry = FitGeometry(fit: .stretch, source: ImageShape(height: height, width: width),
                                               height: height, width: width)
                    let writer = ResizedWriter(spec: spec)
                    var out = [Float](repeating: .nan, count: height * width * 3)
                    var expected = out
                    for y in 0 ..< height {
                        // Resampled values: any float, including fractions and values outside 0 ... 255.
                        let values = (0 ..< width).map { _ in Float(Int(rng.next() % 3000) - 500) / 7 }
                        out.withUnsafeMutableBytes { raw in
                            values.withUnsafeBufferPointer { row in
                                guard let base = raw.baseAddress, let v = row.baseAddress else { return }
                                writer.writeRegionRow(y, v, sourceChannels: 1, geometry, to: base)
                            }
                        }
                        for x in 0 ..< width {
                            for c in 0 ..< 3 {
                                let index = layout == .nchw ? (c * height + y) * width + x : (y * width + x) * 3 + c
                                expected[index] = values[x] * spec.scale[c] + spec.offset[c]
                            }
                        }
                    }
                    #expect(out.elementsEqual(expected, by: { $0.bitPattern == $1.bitPattern }),
                            "\(layout) \(normalization) width \(width)")
                }
            }
        }
    }
}
