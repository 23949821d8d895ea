import CChexpertABI
import CChexpertLimits
import CTurboJPEG
import Testing
@testable import ChexpertABI

/// Decoding through the C entry points: pixels equal TurboJPEG's own FAST-DCT
/// RGB decode (the TFDS recipe; the Python conformance test checks TFDS
/// itself), batches equal single reads, and every broken file is a specific
/// error that leaves the handle working.
@Suite struct ImageDecodingTests {
    static func goodEntries() throws -> [ImageTree.Entry] {
        [
            .init(file: "p1/study1/view1_frontal.jpg", bytes: try ImageTree.greyJPEG(height: 390, width: 320)),
            .init(file: "p1/study1/view2_lateral.jpg", bytes: try ImageTree.greyJPEG(height: 320, width: 390, progressive: true, seed: 5), view: "Lateral"),
            .init(file: "p2/study1/view1_frontal.jpg", bytes: try ImageTree.colourJPEG(height: 61, width: 47, subsampling: .s420)),
            .init(file: "p2/study2/view1_frontal.jpg", bytes: try ImageTree.colourJPEG(height: 33, width: 70, subsampling: .s444)),
            .init(file: "p3/study1/view1_frontal.jpg", bytes: try ImageTree.greyJPEG(height: 17, width: 9, quality: 75, seed: 2)),
        ]
    }

    private func open(_ tree: ImageTree) throws -> OpaquePointer? {
        var ds: OpaquePointer?
        try #require(chexpert_dataset_open(&ds, tree.root, nil) == CHEXPERT_OK.rawValue)
        return ds
    }

    private func lastError() -> String { String(cString: chexpert_last_error()) }

    /// TurboJPEG's decode of `bytes` to `format` with `flags`.
    private func reference(_ bytes: [UInt8], format: TJPF, flags: Int32) throws -> (Int, Int, [UInt8]) {
        let handle = try #require(tjInitDecompress())
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, s: Int32 = 0, c: Int32 = 0
        try #require(tjDecompressHeader3(handle, bytes, UInt(bytes.count), &w, &h, &s, &c) == 0)
        let channels = format == TJPF_GRAY ? 1 : 3
        var out = [UInt8](repeating: 0, count: Int(w * h) * channels)
        try #require(tjDecompress2(handle, bytes, UInt(bytes.count), &out, w, 0, h, Int32(format.rawValue), flags) == 0)
        return (Int(h), Int(w), out)
    }

    private func readImage(_ ds: OpaquePointer?, _ index: Int64) throws -> (CInt, Int, Int, [UInt8]) {
        var h: Int32 = 0, w: Int32 = 0
        let status = chexpert_example_image(ds, 0, index, nil, 0, &h, &w)  // size query
        guard status == CHEXPERT_OK.rawValue else { return (status, 0, 0, []) }
        var image = [UInt8](repeating: 0xA5, count: Int(h) * Int(w) * 3)
        let decoded = chexpert_example_image(ds, 0, index, &image, image.count, nil, nil)
        return (decoded, Int(h), Int(w), image)
    }

    @Test func pixelsEqualTurboJPEGFastDCTAndGreyIsReplicated() throws {
        let tree = try ImageTree(Self.goodEntries())
        defer { tree.remove() }
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        for (i, entry) in tree.entries.enumerated() {
            let bytes = try #require(entry.bytes)
            let (status, h, w, image) = try readImage(ds, Int64(i))
            #expect(status == CHEXPERT_OK.rawValue, "\(lastError())")
            let fast = try reference(bytes, format: TJPF_RGB, flags: TJFLAG_FASTDCT)
            #expect(h == fast.0 && w == fast.1)
            #expect(image == fast.2, "\(entry.file)")
            if entry.file.hasSuffix("_lateral.jpg") || i == 0 || i == 4 {
                let grey = try reference(bytes, format: TJPF_GRAY, flags: TJFLAG_FASTDCT).2
                #expect(image == grey.flatMap { [$0, $0, $0] })
            }
        }
    }

    @Test func accurateDCTIsAnOptionAndDiffers() throws {
        let tree = try ImageTree(Self.goodEntries())
        defer { tree.remove() }
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        let fast = try readImage(ds, 0).3
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_DCT.rawValue), Int64(CHEXPERT_DCT_ACCURATE.rawValue)) == CHEXPERT_OK.rawValue)
        let accurate = try readImage(ds, 0).3
        let bytes = try #require(tree.entries[0].bytes)
        #expect(accurate == (try reference(bytes, format: TJPF_RGB, flags: TJFLAG_ACCURATEDCT)).2)
        #expect(accurate != fast)
    }

    @Test func batchEqualsSingleReadsForEveryThreadCount() throws {
        let tree = try ImageTree(Self.goodEntries())
        defer { tree.remove() }
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        let indices: [Int64] = [4, 0, 2, 2, 1, 3, 0]
        var expected: [UInt8] = []
        var expectedShapes: [Int32] = []
        for index in indices {
            let (_, h, w, image) = try readImage(ds, index)
            expected += image
            expectedShapes += [Int32(h), Int32(w)]
        }
        for threads: Int64 in [0, 1, 2, 3, 16] {
            let params = try makeParams([(CHEXPERT_KEY_THREADS, threads)])
            defer { chexpert_params_free(params) }
            // Size query: shapes, OK, nothing else.
            var shapes = [Int32](repeating: -1, count: 2 * indices.count)
            #expect(chexpert_batch_images(ds, 0, indices, indices.count, params, nil, 0, &shapes) == CHEXPERT_OK.rawValue)
            #expect(shapes == expectedShapes)
            let total = stride(from: 0, to: shapes.count, by: 2).reduce(0) { $0 + Int(shapes[$1]) * Int(shapes[$1 + 1]) * 3 }
            #expect(total == expected.count)
            var images = [UInt8](repeating: 0, count: total)
            shapes = [Int32](repeating: -1, count: 2 * indices.count)
            let status = chexpert_batch_images(ds, 0, indices, indices.count, params, &images, images.count, &shapes)
            #expect(status == CHEXPERT_OK.rawValue, "\(lastError())")
            #expect(images == expected)
            #expect(shapes == expectedShapes)
            var labels = [Int64](repeating: -1, count: indices.count * 14)
            var views = [Int64](repeating: -1, count: indices.count)
            #expect(chexpert_batch_labels(ds, 0, indices, indices.count, &labels, labels.count) == CHEXPERT_OK.rawValue)
            #expect(chexpert_batch_views(ds, 0, indices, indices.count, &views, views.count) == CHEXPERT_OK.rawValue)
            for (k, index) in indices.enumerated() {
                var one = [Int64](repeating: 0, count: 14)
                #expect(chexpert_example_labels(ds, 0, index, &one, 14) == CHEXPERT_OK.rawValue)
                #expect(Array(labels[k * 14 ..< k * 14 + 14]) == one)
                #expect(views[k] == (index == 1 ? 1 : 0))
            }
        }
    }

    @Test func batchEdgeCases() throws {
        let tree = try ImageTree(Self.goodEntries())
        defer { tree.remove() }
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        // Count 0 with NULL arrays.
        #expect(chexpert_batch_images(ds, 0, nil, 0, nil, nil, 0, nil) == CHEXPERT_OK.rawValue)
        #expect(chexpert_batch_labels(ds, 0, nil, 0, nil, 0) == CHEXPERT_OK.rawValue)
        // Labels.
        var labels = [Int64](repeating: -1, count: 28)
        #expect(chexpert_batch_labels(ds, 0, [3, 1], 2, &labels, 28) == CHEXPERT_OK.rawValue)
        #expect(labels[0] == 3 && labels[14] == 2)
        // Out-of-range index: error before anything is written.
        var views = [Int64](repeating: 7, count: 2)
        #expect(chexpert_batch_views(ds, 0, [0, 5], 2, &views, 2) == CHEXPERT_E_OUT_OF_RANGE.rawValue)
        #expect(lastError().contains("indices[1] = 5"))
        #expect(views == [7, 7])
        // Capacities.
        #expect(chexpert_batch_views(ds, 0, [0, 1], 2, &views, 1) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        var images = [UInt8](repeating: 0xA5, count: 2 * 390 * 320 * 3 - 1)
        var shapes = [Int32](repeating: -1, count: 4)
        #expect(chexpert_batch_images(ds, 0, [0, 1], 2, nil, &images, images.count, &shapes) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        #expect(lastError().contains("\(2 * 390 * 320 * 3)"))
        #expect(images.allSatisfy { $0 == 0xA5 })
        #expect(shapes == [390, 320, 320, 390])  // written also when out is too small
        #expect(chexpert_batch_images(ds, 0, [0], 1, nil, nil, 5, nil) == CHEXPERT_E_NULL_POINTER.rawValue)
        // THREADS is checked when set.
        var params: OpaquePointer?
        #expect(chexpert_params_create(&params) == CHEXPERT_OK.rawValue)
        defer { chexpert_params_free(params) }
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_THREADS), -1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(lastError().contains("CHEXPERT_KEY_THREADS = -1"))
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_THREADS), Int64(cxp_max_threads) + 1) == CHEXPERT_E_INVALID_ARGUMENT.rawValue)
        #expect(chexpert_params_set(params, key(CHEXPERT_KEY_THREADS), Int64(cxp_max_threads)) == CHEXPERT_OK.rawValue)
        // Projections are int64.
        var projections = [Int64](repeating: -1, count: 2)
        #expect(chexpert_batch_projections(ds, 0, [0, 1], 2, &projections, 2) == CHEXPERT_OK.rawValue)
        #expect(projections[1] == Int64(CHEXPERT_PROJECTION_LATERAL.rawValue))
    }

    @Test func singleImageBufferTooSmallReportsShapeAndWritesNothing() throws {
        let tree = try ImageTree(Self.goodEntries())
        defer { tree.remove() }
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        var image = [UInt8](repeating: 0xA5, count: 100)
        var h: Int32 = 0, w: Int32 = 0
        #expect(chexpert_example_image(ds, 0, 0, &image, image.count, &h, &w) == CHEXPERT_E_BUFFER_TOO_SMALL.rawValue)
        #expect(h == 390 && w == 320)
        #expect(lastError().contains("needs 374400"))
        #expect(image.allSatisfy { $0 == 0xA5 })
        // NULL with capacity 0 is a size query: OK, the shape set.
        h = 0
        w = 0
        #expect(chexpert_example_image(ds, 0, 0, nil, 0, &h, &w) == CHEXPERT_OK.rawValue)
        #expect(h == 390 && w == 320)
        #expect(chexpert_example_image(ds, 0, 0, nil, 1, &h, &w) == CHEXPERT_E_NULL_POINTER.rawValue)
    }

    @Test func brokenFilesAreSpecificErrorsAndTheHandleKeepsWorking() throws {
        let good = try ImageTree.greyJPEG(height: 64, width: 48)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 40)
        let cases: [(ImageTree.Entry, chexpert_status, String)] = [
            (.init(file: "a/missing.jpg", bytes: nil), CHEXPERT_E_NOT_FOUND, "no such file"),
            (.init(file: "a/truncated.jpg", bytes: Array(good.dropLast(2))), CHEXPERT_E_IMAGE, "truncated.jpg"),
            (.init(file: "a/half.jpg", bytes: Array(good.prefix(good.count / 2))), CHEXPERT_E_IMAGE, "Premature end"),
            (.init(file: "a/text.jpg", bytes: Array("hello, not an image\n".utf8)), CHEXPERT_E_IMAGE, "not JPEG data"),
            (.init(file: "a/png.jpg", bytes: png), CHEXPERT_E_IMAGE, "PNG data"),
            (.init(file: "a/empty.jpg", bytes: []), CHEXPERT_E_IMAGE, "empty file"),
            (.init(file: "a/header-only.jpg", bytes: Array(good.prefix(2))), CHEXPERT_E_IMAGE, "header-only.jpg"),
        ]
        let tree = try ImageTree(cases.map(\.0) + [.init(file: "a/good.jpg", bytes: good)])
        defer { tree.remove() }
        try tree.directory.write("CheXpert-v1.0-small/train/a/dir.jpg/x", [1])
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        for (i, (entry, status, text)) in cases.enumerated() {
            let (got, _, _, _) = try readImage(ds, Int64(i))
            var got2 = got
            if got == CHEXPERT_OK.rawValue {
                // The header was fine; the decode must fail.
                var image = [UInt8](repeating: 0, count: 64 * 48 * 3)
                got2 = chexpert_example_image(ds, 0, Int64(i), &image, image.count, nil, nil)
            }
            #expect(got2 == status.rawValue, "\(entry.file): \(lastError())")
            #expect(lastError().contains(text), "\(entry.file): \(lastError())")
            #expect(lastError().contains(entry.file), "\(entry.file): \(lastError())")
            // The same handle still reads the good image.
            #expect(try readImage(ds, Int64(cases.count)).0 == CHEXPERT_OK.rawValue)
        }
        // The batch reports the first failing position.
        var images = [UInt8](repeating: 0, count: 2 * 64 * 48 * 3)
        let params = try makeParams([(CHEXPERT_KEY_THREADS, 2)])
        defer { chexpert_params_free(params) }
        let status = chexpert_batch_images(ds, 0, [Int64(cases.count), 2], 2, params, &images, images.count, nil)
        #expect(status == CHEXPERT_E_IMAGE.rawValue)
        #expect(lastError().hasPrefix("batch position 1 (index 2 of 'train')"))
    }

    @Test func directoryAndLimitsAreRefusedBeforeDecoding() throws {
        let good = try ImageTree.greyJPEG(height: 64, width: 48)
        let tree = try ImageTree([.init(file: "a/dir.jpg", bytes: nil), .init(file: "a/good.jpg", bytes: good)])
        defer { tree.remove() }
        try tree.directory.write("CheXpert-v1.0-small/train/a/dir.jpg/inner", [1])
        let ds = try open(tree)
        defer { chexpert_dataset_close(ds) }
        var h: Int32 = 0, w: Int32 = 0
        #expect(chexpert_example_image(ds, 0, 0, nil, 0, &h, &w) == CHEXPERT_E_IO.rawValue)
        #expect(lastError().contains("is a directory"))
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), 64 * 48 - 1) == CHEXPERT_OK.rawValue)
        #expect(chexpert_example_image(ds, 0, 1, nil, 0, &h, &w) == CHEXPERT_E_LIMIT.rawValue)
        #expect(lastError().contains("exceeds the limit of 3071 pixels"))
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_PIXELS.rawValue), 64 * 48) == CHEXPERT_OK.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_FILE_BYTES.rawValue), Int64(good.count - 1)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_example_image(ds, 0, 1, nil, 0, &h, &w) == CHEXPERT_E_LIMIT.rawValue)
        #expect(chexpert_dataset_set_option(ds, CInt(CHEXPERT_KEY_MAX_FILE_BYTES.rawValue), Int64(good.count)) == CHEXPERT_OK.rawValue)
        #expect(chexpert_example_image(ds, 0, 1, nil, 0, &h, &w) == CHEXPERT_OK.rawValue)
    }
}
