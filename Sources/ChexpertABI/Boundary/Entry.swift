import Glibc
import CChexpertABI
import ChexpertCore

/// The shape of every fallible C entry point: run `body`; on failure record
/// the message for this thread and return the status. Nothing thrown crosses
/// the C boundary.
func entry(_ body: () throws(Failure) -> Void) -> CInt {
    do throws(Failure) {
        try body()
        return CHEXPERT_OK.rawValue
    } catch {
        LastError.set(error.message)
        return error.status.rawValue
    }
}

/// Runs a core operation, converting its error.
func core<T>(_ body: () throws(ChexpertError) -> T) throws(Failure) -> T {
    do throws(ChexpertError) {
        return try body()
    } catch {
        throw Failure(error)
    }
}

/// Checks a required pointer argument.
func required<T>(_ pointer: T?, _ name: StaticString) throws(Failure) -> T {
    guard let pointer else { throw Failure.null(name) }
    return pointer
}

/// A `size_t` capacity or count as Int; values above `Int.max` arrive
/// negative and are refused.
func size(_ value: Int, _ name: StaticString) throws(Failure) -> Int {
    guard value >= 0 else {
        throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "\(name) = \(UInt(bitPattern: value)) exceeds SSIZE_MAX")
    }
    return value
}

/// A `chexpert_split` argument.
func split(_ value: CInt) throws(Failure) -> Split {
    guard let split = Split(rawValue: Int(value)) else {
        throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "split = \(value) is not a chexpert_split (0 train, 1 validation)")
    }
    return split
}

/// The open dataset `ds` and the table of its split `split`.
func splitTable(_ ds: OpaquePointer?, _ split: CInt) throws(Failure) -> (dataset: Dataset, split: Split, table: SplitTable) {
    let dataset = try HandleRegistry.shared.dataset(ds)
    let split = try ChexpertABI.split(split)
    return (dataset, split, dataset.table(split))
}

/// What every batch call starts with: the open dataset `ds`, its split
/// `split` and that split's table, and the `count` indices at `indices`
/// (not yet checked against the table).
func batchArguments(_ ds: OpaquePointer?, _ split: CInt, _ indices: UnsafePointer<Int64>?, _ count: Int)
    throws(Failure) -> (dataset: Dataset, split: Split, table: SplitTable, indices: UnsafeBufferPointer<Int64>) {
    let (dataset, split, table) = try splitTable(ds, split)
    return (dataset, split, table, try inputBuffer(indices, try size(count, "count"), "indices"))
}

/// The split table of `ds` and `split`, and `index` checked against it.
func exampleRow(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64) throws(Failure) -> (table: SplitTable, row: Int) {
    let (_, split, table) = try splitTable(ds, split)
    let row = try core { () throws(ChexpertError) in try table.checkedIndex(index, split: split) }
    return (table, row)
}

/// A caller buffer of `capacity` elements: nil when `pointer` is NULL and
/// `capacity` is 0 (output skipped).
/// - Throws: `CHEXPERT_E_NULL_POINTER` for NULL with a nonzero capacity.
func optionalBuffer<T>(_ pointer: UnsafeMutablePointer<T>?, _ capacity: Int,
                       _ name: StaticString) throws(Failure) -> UnsafeMutableBufferPointer<T>? {
    let count = try size(capacity, name)
    guard let pointer else {
        if count == 0 { return nil }
        throw Failure(CHEXPERT_E_NULL_POINTER, "\(name) is NULL but its capacity is \(count)")
    }
    return UnsafeMutableBufferPointer(start: pointer, count: count)
}

/// Copies `bytes` and a NUL into a caller's string buffer.
/// - Throws: `CHEXPERT_E_BUFFER_TOO_SMALL` (nothing written) when it does not fit.
func writeString<C: Collection>(_ bytes: C, to out: UnsafeMutablePointer<CChar>?, capacity: Int,
                                size outSize: UnsafeMutablePointer<Int>?, what: String) throws(Failure)
    where C.Element == UInt8 {
    let needed = bytes.count + 1
    outSize?.pointee = needed
    let buffer = try optionalBuffer(out, capacity, "out")
    guard let buffer, buffer.count >= needed else {
        throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL, "\(what) needs \(needed) bytes (NUL included); out holds \(buffer?.count ?? 0)")
    }
    var i = 0
    for byte in bytes {
        buffer[i] = CChar(bitPattern: byte)
        i += 1
    }
    buffer[i] = 0
}

/// An input array of `count` elements; NULL is allowed only for count 0.
func inputBuffer<T>(_ pointer: UnsafePointer<T>?, _ count: Int,
                            _ name: StaticString) throws(Failure) -> UnsafeBufferPointer<T> {
    guard let pointer else {
        if count == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
        throw Failure.null(name)
    }
    return UnsafeBufferPointer(start: pointer, count: count)
}

/// A C path argument as bytes (not necessarily UTF-8).
func rootBytes(_ path: UnsafePointer<CChar>) -> [UInt8] {
    UnsafeBufferPointer(start: path, count: strlen(path)).map { UInt8(bitPattern: $0) }
}
