import Glibc
import CChexpertABI
import ChexpertCore

/// The shape of every fallible C entry point: run `body`; on failure record
/// the message for this thread and return the status. Nothing thrown crosses
/// the C boundary.
/// - Returns: `CHEXPERT_OK` or the error's status.
func entry(_ body: () throws(ChexpertError) -> Void) -> CInt {
    do throws(ChexpertError) {
        try body()
        return CHEXPERT_OK.rawValue
    } catch {
        LastError.set(error.message)
        return error.status.rawValue
    }
}

/// Checks a required pointer argument.
/// - Throws: `.nullPointer` naming it.
func required<T>(_ pointer: T?, _ name: StaticString) throws(ChexpertError) -> T {
    guard let pointer else { throw ChexpertError.null(name) }
    return pointer
}

/// A `size_t` capacity or count as Int; values above `Int.max` (SSIZE_MAX)
/// arrive negative and are refused.
/// - Throws: `.invalidArgument` naming it.
func size(_ value: Int, _ name: StaticString) throws(ChexpertError) -> Int {
    guard value >= 0 else {
        throw ChexpertError(.invalidArgument, "\(name) = \(UInt(bitPattern: value)) exceeds SSIZE_MAX")
    }
    return value
}

/// The open dataset `ds` and its split `split`.
/// - Throws: `.nullPointer`, `.closed`, `.invalidArgument` (split),
///   `.notFound` (a split the dataset does not have: test without its files).
func datasetSplit(_ ds: OpaquePointer?, _ split: CInt) throws(ChexpertError) -> (dataset: Dataset, split: Split) {
    let dataset = try HandleRegistry.shared.dataset(ds)
    let split = try Vocabulary.split(split)
    guard dataset.hasSplit(split) else {
        throw ChexpertError(.notFound, "the dataset at \(dataset.layout.datasetFolder) has no '\(split.name)' split (no \(TestSplitReader.fileNames.joined(separator: " or ")) in \(dataset.layout.searchFolders.map { DatasetLayout.display($0) }.joined(separator: " or ")); docs/releases.md)")
    }
    return (dataset, split)
}

/// What every batch call starts with: the open dataset `ds`, its split
/// `split`, and the `count` indices at `indices` (not yet checked against
/// the split).
/// - Throws: `.nullPointer`, `.closed`, `.invalidArgument`.
func batchArguments(_ ds: OpaquePointer?, _ split: CInt, _ indices: UnsafePointer<Int64>?, _ count: Int)
    throws(ChexpertError) -> (dataset: Dataset, split: Split, indices: UnsafeBufferPointer<Int64>) {
    let (dataset, split) = try datasetSplit(ds, split)
    return (dataset, split, try inputBuffer(indices, try size(count, "count"), "indices"))
}

/// The split table of `ds` and `split`, and `index` checked against it.
/// - Throws: as `datasetSplit`, `.outOfRange`.
func exampleRow(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64) throws(ChexpertError) -> (table: SplitTable, row: Int) {
    let (dataset, split) = try datasetSplit(ds, split)
    let table = dataset.table(split)
    return (table, try table.checkedIndex(index, split: split))
}

/// A caller buffer of `capacity` elements: nil when `pointer` is NULL and
/// `capacity` is 0 (output skipped, or a size query).
/// - Throws: `.nullPointer` for NULL with a nonzero capacity,
///   `.invalidArgument` for a capacity above SSIZE_MAX.
func optionalBuffer<T>(_ pointer: UnsafeMutablePointer<T>?, _ capacity: Int,
                       _ name: StaticString) throws(ChexpertError) -> UnsafeMutableBufferPointer<T>? {
    let count = try size(capacity, name)
    guard let pointer else {
        if count == 0 { return nil }
        throw ChexpertError(.nullPointer, "\(name) is NULL but its capacity is \(count)")
    }
    return UnsafeMutableBufferPointer(start: pointer, count: count)
}

/// Copies `bytes` and a NUL into a caller's string buffer, or only sets
/// `outSize` for a size query (`out` NULL, capacity 0).
/// - Throws: `.bufferTooSmall` (nothing written) when a non-NULL `out` is
///   too small; as `optionalBuffer`.
func writeString<C: Collection>(_ bytes: C, to out: UnsafeMutablePointer<CChar>?, capacity: Int,
                                size outSize: UnsafeMutablePointer<Int>?, what: String) throws(ChexpertError)
    where C.Element == UInt8 {
    let needed = bytes.count + 1
    outSize?.pointee = needed
    guard let buffer = try optionalBuffer(out, capacity, "out") else { return }
    guard buffer.count >= needed else {
        throw ChexpertError(.bufferTooSmall(needed: needed),
                            "\(what) needs \(needed) bytes (NUL included); out holds \(buffer.count)")
    }
    var i = 0
    for byte in bytes {
        buffer[i] = CChar(bitPattern: byte)
        i += 1
    }
    buffer[i] = 0
}

/// An input array of `count` elements; NULL is allowed only for count 0.
/// - Throws: `.nullPointer` naming it.
func inputBuffer<T>(_ pointer: UnsafePointer<T>?, _ count: Int,
                    _ name: StaticString) throws(ChexpertError) -> UnsafeBufferPointer<T> {
    guard let pointer else {
        if count == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
        throw ChexpertError.null(name)
    }
    return UnsafeBufferPointer(start: pointer, count: count)
}

/// A C path argument as bytes (not necessarily UTF-8).
/// - Throws: `.limit` naming `name` past `DatasetLayout.maxPathBytes` (not copied).
func pathArgument(_ path: UnsafePointer<CChar>, _ name: StaticString) throws(ChexpertError) -> [UInt8] {
    try DatasetLayout.pathBytes(path, argument: "\(name)")
}
