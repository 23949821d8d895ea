import Glibc

/// Reads the official test set (split `test`; docs/releases.md):
///
/// - The label file is the first of `groundtruth.csv` (keyed by `Study`,
///   e.g. `CheXpert-v1.0/test/patient64741/study1`) and `test_labels.csv`
///   (keyed by `Path`, e.g. `test/patient64741/study1/view1_frontal.jpg`)
///   found in `DatasetLayout.searchFolders` (the dataset folder, then the
///   folder given). None: no test split.
/// - Label columns by header name, those of valid.csv in its order; cells
///   `1`/`1.0` positive, `0`/`0.0` negative, anything else `.csv`.
/// - A key is read from its `test` component on: the images are
///   `<dataset folder>/test/patientN/studyM/...`. With `groundtruth.csv`, a
///   study's images are the `viewN_*.jpg` files its folder lists (sorted by
///   name: the one directory listing per study); with `test_labels.csv`,
///   each listed file must exist. A missing folder or file is `.notFound`
///   naming it.
/// - Each image gets its study's labels; `Frontal/Lateral` from the file name
///   (`frontal` / `lateral` after `viewN_`); no AP/PA (projection
///   OTHER_FRONTAL or LATERAL), Sex blank, Age missing.
///
/// The table is built by writing the rows as a train.csv-shaped CSV in
/// memory (checked allocation, about 150 bytes per image) and parsing it
/// with `SplitTable(csv:)`, so every per-example field a split table has is
/// filled the same way, and the confinement rule applies to the names.
/// Example names are `<Path prefix of the layout>test/patientN/studyM/file`.
package enum TestSplitReader {
    /// The label file names, in the order looked for.
    package static var fileNames: [String] { ["groundtruth.csv", "test_labels.csv"] }

    /// The test label file of `layout`, or nil.
    package static func labelFile(_ layout: DatasetLayout) -> [UInt8]? {
        for folder in layout.searchFolders {
            for name in fileNames {
                let path = folder + [UInt8(ascii: "/")] + Array(name.utf8)
                if isFile(path) { return path }
            }
        }
        return nil
    }

    /// - Returns: the test table and its label file's path, or nil when no
    ///   label file is present.
    /// - Throws: `.csv`, `.notFound`, `.io`, `.limit`, `.noMemory`.
    package static func read(layout: DatasetLayout, labelNames: [String], confinement: PathConfinement?,
                             maxCSVBytes: Int) throws(ChexpertError) -> (SplitTable, String)? {
        guard let path = labelFile(layout) else { return nil }
        let file = DatasetLayout.display(path)
        let buffer = ScratchBuffer()
        let cPath = DatasetLayout.cPath(path)
        let size = try cPath.withUnsafeBufferPointer { (chars) throws(ChexpertError) -> Int in
            guard let base = chars.baseAddress else { throw ChexpertError(.internal, "empty path") }
            return try FileReader.read(path: base, displayPath: file, maxBytes: maxCSVBytes, into: buffer)
        }
        let labels = try LabelFile(csv: UnsafeBufferPointer(start: buffer.pointer, count: size), file: file,
                                   keyColumns: ["Study", "Path"], labelNames: labelNames, binaryOnly: true)
        let byStudy = labels.keyColumn == "Study"
        let slash = UInt8(ascii: "/")
        let testFolder = layout.datasetFolderBytes + [slash]
        let csv = try CheckedArray<UInt8>(for: "the test split's rows")
        func add(_ text: String) throws(ChexpertError) { try csv.append(contentsOf: Array(text.utf8)) }
        func addQuoted<C: Collection>(_ cell: C) throws(ChexpertError) where C.Element == UInt8 {
            try csv.append(UInt8(ascii: "\""))
            for byte in cell {
                if byte == UInt8(ascii: "\"") { try csv.append(byte) }
                try csv.append(byte)
            }
            try csv.append(UInt8(ascii: "\""))
        }
        try add("Path,Sex,Age,Frontal/Lateral,AP/PA")
        for name in labelNames {
            try add(",")
            try addQuoted(Array(name.utf8))
        }
        try add("\n")
        func addRow(_ relative: [UInt8], view: ImageView, labelRow: Int) throws(ChexpertError) {
            try addQuoted(layout.testNamePrefix + relative)
            try add(view == .frontal ? ",,,Frontal," : ",,,Lateral,")
            for column in 0 ..< labels.labelCount {
                let value = labels.labels[labelRow * labels.labelCount + column]
                try add(value == LabelClass.positive.rawValue ? ",1.0" : ",0.0")
            }
            try add("\n")
        }
        for row in 0 ..< labels.count {
            let key = labels.name(at: row)
            let line = labels.lines[row]
            guard let relative = fromTestComponent(key) else {
                throw ChexpertError(.csv, "\(file): line \(line): \(labels.keyColumn) \(SplitTable.quoted(key)) has no 'test' component (expected e.g. \(byStudy ? "CheXpert-v1.0/test/patient64741/study1" : "test/patient64741/study1/view1_frontal.jpg"))")
            }
            if byStudy {
                let folder = testFolder + relative
                guard let names = try DirectoryListing.names(in: folder) else {
                    throw ChexpertError(.notFound, "the test set is incomplete: study folder \(DatasetLayout.display(folder)) (\(file) line \(line)) is missing")
                }
                var images = 0
                for name in names {
                    guard let view = imageView(fileName: name) else { continue }
                    try addRow(relative + [slash] + name, view: view, labelRow: row)
                    images += 1
                }
                if images == 0 {
                    throw ChexpertError(.notFound, "the test set is incomplete: study folder \(DatasetLayout.display(folder)) (\(file) line \(line)) holds no viewN_frontal.jpg or viewN_lateral.jpg image")
                }
            } else {
                let fileName = relative[(relative.lastIndex(of: slash).map { $0 + 1 } ?? relative.startIndex)...]
                guard let view = imageView(fileName: fileName) else {
                    throw ChexpertError(.csv, "\(file): line \(line): Path \(SplitTable.quoted(key)) does not end in viewN_frontal.jpg or viewN_lateral.jpg")
                }
                let image = testFolder + relative
                guard isFile(image) else {
                    throw ChexpertError(.notFound, "the test set is incomplete: image \(DatasetLayout.display(image)) (\(file) line \(line)) is missing")
                }
                try addRow(relative, view: view, labelRow: row)
            }
        }
        let table = try SplitTable(csv: csv.buffer, file: file, confinement: confinement)
        return (table, file)
    }

    /// The key from its first `test` component on, or nil.
    static func fromTestComponent(_ key: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let slash = UInt8(ascii: "/")
        let test = Array("test".utf8)
        var start = key.startIndex
        while start < key.endIndex {
            let end = key[start...].firstIndex(of: slash) ?? key.endIndex
            if key[start ..< end].elementsEqual(test) {
                var relative = Array(key[start...])
                while relative.last == slash { relative.removeLast() }
                return relative.count > test.count ? relative : nil
            }
            start = end < key.endIndex ? end + 1 : end
        }
        return nil
    }

    /// The view of an image file `view<digits>_<frontal|lateral>...jpg`
    /// (case-insensitive suffix `.jpg` or `.jpeg`), or nil for other files.
    static func imageView<C: Collection>(fileName: C) -> ImageView? where C.Element == UInt8 {
        let text = AIMIFolders.normalised(fileName)
        guard text.hasPrefix("view"), text.hasSuffix(".jpg") || text.hasSuffix(".jpeg") else { return nil }
        let afterView = text.dropFirst(4)
        let digits = afterView.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let rest = afterView.dropFirst(digits.count)
        if rest.hasPrefix(" frontal") { return .frontal }
        if rest.hasPrefix(" lateral") { return .lateral }
        return nil
    }

    static func isFile(_ path: [UInt8]) -> Bool {
        DatasetLayout.withCPath(path) { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }
}
