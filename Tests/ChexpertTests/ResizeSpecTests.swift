import Testing
@testable import ChexpertCore

/// Validation of resize specs and the fit geometry.
@Suite struct ResizeSpecTests {
    private func message(_ make: () throws(ChexpertError) -> ResizeSpec) -> String? {
        do throws(ChexpertError) {
            _ = try make()
            return nil
        } catch {
            #expect(error.code == .invalidArgument)
            return error.message
        }
    }

    @Test func defaultsAndPresets() throws {
        let base = try ResizeSpec(height: 224, width: 200)
        #expect(base.height == 224 && base.width == 200 && base.channels == 3)
        #expect(base.layout == .nhwc && base.elementType == .uint8 && base.fit == .cover && base.filter == .area)
        #expect(base.bytesPerExample == 224 * 200 * 3)
        #expect(base.scale == [1, 1, 1] && base.offset == [0, 0, 0])
        let imagenet = try ResizeSpec(height: 8, width: 8, elementType: .float32, normalization: .imagenet)
        #expect(imagenet.mean == [0.485, 0.456, 0.406] && imagenet.std == [0.229, 0.224, 0.225])
        #expect(imagenet.bytesPerExample == 8 * 8 * 3 * 4)
        let grey = try ResizeSpec(height: 8, width: 8, channels: 1, elementType: .float32, normalization: .imagenet)
        #expect(grey.mean == [0.449] && grey.std == [0.226])
        let custom = try ResizeSpec(height: 8, width: 8, channels: 1, elementType: .float32, normalization: .custom,
                                    statistics: ([0.5], [0.25]))
        #expect(custom.mean == [0.5] && custom.std == [0.25])
        #expect(custom.scale == [1 / (255 * Float(0.25))] && custom.offset == [-2])
        // Sizing only: custom statistics are not needed.
        let sizing = try ResizeSpec(height: 8, width: 8, elementType: .float32, normalization: .custom,
                                    checkingStatistics: false)
        #expect(sizing.bytesPerExample == 8 * 8 * 3 * 4)
    }

    @Test func badParametersNameTheProblem() {
        #expect(message { () throws(ChexpertError) in try ResizeSpec(height: 0, width: 8) }?.contains("CHEXPERT_KEY_HEIGHT = 0") == true)
        #expect(message { () throws(ChexpertError) in try ResizeSpec(height: 8, width: 70000) }?.contains("outside 1 ... 65535") == true)
        #expect(message { () throws(ChexpertError) in try ResizeSpec(height: 8, width: 8, channels: 2) }?.contains("expected 1 or 3") == true)
        #expect(message { () throws(ChexpertError) in try ResizeSpec(height: 8, width: 8, normalization: .unit) }?.contains("UINT8 takes only") == true)
        #expect(message { () throws(ChexpertError) in
            try ResizeSpec(height: 8, width: 8, elementType: .float32, normalization: .custom)
        }?.contains("needs CHEXPERT_KEY_MEAN") == true)
        #expect(message { () throws(ChexpertError) in
            try ResizeSpec(height: 8, width: 8, elementType: .float32, normalization: .custom, statistics: ([0], [1]))
        }?.contains("3 values each") == true)
        // std so small that 1 / (255 * std) overflows Float, and mean / std too.
        #expect(message { () throws(ChexpertError) in
            try ResizeSpec(height: 8, width: 8, channels: 1, elementType: .float32, normalization: .custom,
                           statistics: ([0], [1e-44]))
        }?.contains("do not give finite outputs") == true)
        #expect(message { () throws(ChexpertError) in
            try ResizeSpec(height: 8, width: 8, channels: 1, elementType: .float32, normalization: .custom,
                           statistics: ([3e38], [0.5]))
        }?.contains("do not give finite outputs") == true)
    }

    @Test func overflowingBatchSizeIsAnError() throws {
        let big = try ResizeSpec(height: 65535, width: 65535, elementType: .float32)
        #expect(throws: ChexpertError.self) { try big.bytes(count: Int.max / 1000) }
    }

    @Test func geometry() {
        let source = ImageShape(height: 390, width: 320)
        let stretch = FitGeometry(fit: .stretch, source: source, height: 224, width: 224)
        #expect(stretch.sourceX1 == 320 && stretch.sourceY1 == 390 && stretch.regionWidth == 224)
        // Cover: width limits (224/320 > 224/390), so the full width and a centred band of rows.
        let cover = FitGeometry(fit: .cover, source: source, height: 224, width: 224)
        #expect(cover.sourceX0 == 0 && cover.sourceX1 == 320)
        #expect(cover.sourceY0 == 35 && cover.sourceY1 == 355)
        // Contain: height limits; 320 * 224/390 = 183.8 -> 184 columns, centred.
        let contain = FitGeometry(fit: .contain, source: source, height: 224, width: 224)
        #expect(contain.regionHeight == 224 && contain.regionWidth == 184 && contain.regionX == 20 && contain.regionY == 0)
    }

    @Test func pillowCoefficientsForAnIntegerReduction() {
        var axis = ResampleAxis()
        axis.compute(sourceSize: 8, start: 0, end: 8, outputSize: 4, filter: .area)
        #expect(Array(axis.first) == [0, 2, 4, 6] && Array(axis.count) == [2, 2, 2, 2])
        #expect(axis.weights.prefix(2) == [0.5, 0.5])
        axis.compute(sourceSize: 5, start: 0, end: 5, outputSize: 5, filter: .bilinear)
        #expect(axis.isIdentity)
    }
}
