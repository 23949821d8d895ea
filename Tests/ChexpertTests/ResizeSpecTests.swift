import Testing
@testable import ChexpertCore

/// Parsing of the C API's resize parameters and the fit geometry.
@Suite struct ResizeSpecTests {
    private func spec(_ pairs: [Int64], mean: [Float]? = nil, std: [Float]? = nil) throws(ChexpertError) -> ResizeSpec {
        try pairs.withUnsafeBufferPointer { (params) throws(ChexpertError) -> ResizeSpec in
            let m = mean.map { Array($0) } ?? [], s = std.map { Array($0) } ?? []
            return try m.withUnsafeBufferPointer { (mp) throws(ChexpertError) -> ResizeSpec in
                try s.withUnsafeBufferPointer { (sp) throws(ChexpertError) -> ResizeSpec in
                    try ResizeSpec(params: params, mean: mean == nil ? nil : mp, std: std == nil ? nil : sp)
                }
            }
        }
    }

    private func message(_ pairs: [Int64], mean: [Float]? = nil, std: [Float]? = nil) -> String? {
        do throws(ChexpertError) {
            _ = try spec(pairs, mean: mean, std: std)
            return nil
        } catch {
            #expect(error.code == .invalidArgument)
            return error.message
        }
    }

    @Test func defaultsAndPresets() throws {
        let base = try spec([1, 224, 2, 200])
        #expect(base.height == 224 && base.width == 200 && base.channels == 3)
        #expect(base.layout == .nhwc && base.elementType == .uint8 && base.fit == .cover && base.filter == .area)
        #expect(base.bytesPerExample == 224 * 200 * 3)
        let imagenet = try spec([1, 8, 2, 8, 5, 1, 8, 2])
        #expect(imagenet.mean == [0.485, 0.456, 0.406] && imagenet.std == [0.229, 0.224, 0.225])
        #expect(imagenet.bytesPerExample == 8 * 8 * 3 * 4)
        let grey = try spec([1, 8, 2, 8, 3, 1, 5, 1, 8, 2])
        #expect(grey.mean == [0.449] && grey.std == [0.226])
        let custom = try spec([1, 8, 2, 8, 3, 1, 5, 1, 8, 4], mean: [0.5], std: [0.25])
        #expect(custom.mean == [0.5] && custom.std == [0.25])
        // A key given twice takes its last value.
        #expect(try spec([1, 8, 2, 8, 1, 16]).height == 16)
    }

    @Test func badParametersNameTheProblem() {
        #expect(message([1, 8, 2])?.contains("odd") == true)
        #expect(message([1, 8])?.contains("CHEXPERT_RESIZE_WIDTH") == true)
        #expect(message([1, 0, 2, 8])?.contains("CHEXPERT_RESIZE_HEIGHT = 0") == true)
        #expect(message([1, 8, 2, 70000])?.contains("outside 1 ... 65535") == true)
        #expect(message([1, 8, 2, 8, 3, 2])?.contains("expected 1 or 3") == true)
        #expect(message([1, 8, 2, 8, 99, 0])?.contains("params[4] = 99") == true)
        #expect(message([1, 8, 2, 8, 4, 2])?.contains("CHEXPERT_RESIZE_LAYOUT") == true)
        #expect(message([1, 8, 2, 8, 8, 1])?.contains("UINT8 takes only") == true)
        #expect(message([1, 8, 2, 8, 5, 1, 8, 4])?.contains("needs mean and std") == true)
        #expect(message([1, 8, 2, 8, 5, 1, 8, 4], mean: [0, 0, 0], std: [1, 0, 1])?.contains("nonzero") == true)
        #expect(message([1, 8, 2, 8, 5, 1, 8, 1], mean: [0, 0, 0], std: [1, 1, 1])?.contains("only taken") == true)
    }

    @Test func overflowingBatchSizeIsAnError() throws {
        let big = try spec([1, 65535, 2, 65535, 5, 1])
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
