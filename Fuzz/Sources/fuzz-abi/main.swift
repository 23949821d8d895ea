// libFuzzer target: bytes as a program of C API calls with arbitrary
// arguments (NULL or real buffers of arbitrary sizes, indices, counts,
// splits, option keys and values, made-up and closed handles) on a small
// generated tree. Every call must return a status; nothing may trap.
// Buffers are real and their capacities never exceed their sizes: the C
// contract the caller keeps.
import CChexpertABI
import ChexpertABI
import ChexpertSample
import FuzzSupport
import Glibc

nonisolated(unsafe) private var root = ""
nonisolated(unsafe) private var handles: [OpaquePointer?] = []

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    var template = Array("/tmp/chexpert-fuzz-abi-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    root = String(cString: made)
    let spec = SampleSpec(trainPatients: 3, validPatients: 1, seed: 5, uniformSize: nil, colorFraction: 0.3,
                          progressiveFraction: 0.5, quality: 70 ... 90)
    do { _ = try SampleTree.write(to: root, spec: spec) } catch { fatalError("cannot write the tree: \(error)") }
    // Extreme sources for extreme resize parameters: 1-pixel images, and
    // 1 x 2048 strips.
    for (suffix, size) in [("-tiny", (height: 1, width: 1)), ("-strip", (height: 1, width: 2048))] {
        var extreme = spec
        extreme.uniformSize = size
        do { _ = try SampleTree.write(to: root + suffix, spec: extreme) } catch { fatalError("cannot write the tree: \(error)") }
    }
    return 0
}

/// The trees a program may open: the sample tree, 1-pixel images, 1 x 2048
/// strips, a missing folder.
private func treeRoot(_ p: inout Program) -> String? {
    switch p.int(8) {
    case 0: return nil
    case 1: return root + "/missing"
    case 2: return root + "-tiny"
    case 3: return root + "-strip"
    default: return root
    }
}

/// An output side: the header's bounds (1, CHEXPERT_MAX_SIDE) and past them,
/// large and small.
private func side(_ p: inout Program) -> Int64 {
    switch p.int(12) {
    case 0: return 65535      // CHEXPERT_MAX_SIDE
    case 1: return 65536
    case 2: return 65534
    case 3: return 1
    case 4: return 0
    case 5: return 4096
    case 6: return 2 + Int64(p.int(255)) * 256
    case 7: return p.int64()
    default: return Int64(p.int(70)) - 2
    }
}

/// The fuzzer's bytes, read as small integers (zeros once exhausted).
private struct Program {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    var done: Bool { at >= bytes.count }
    mutating func byte() -> UInt8 {
        defer { at += 1 }
        return at < bytes.count ? bytes[at] : 0
    }
    mutating func int(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(byte()) % bound }
    /// An int64 that is usually small, sometimes an edge.
    mutating func int64() -> Int64 {
        switch byte() % 8 {
        case 0: return -1
        case 1: return Int64.max
        case 2: return Int64.min
        case 3: return Int64(byte()) << 24
        default: return Int64(byte()) % 40
        }
    }
    mutating func count() -> Int { byte() % 16 == 0 ? Int(byte()) : Int(byte()) % 9 }
}

/// A caller buffer: `capacity` elements at `pointer`, or NULL (with a
/// capacity of 0, or a nonzero one the library must refuse).
private final class Buffer<T> {
    let pointer: UnsafeMutablePointer<T>?
    let capacity: Int

    /// Exactly `count` elements (NULL for 0).
    init(count: Int, filler: T) {
        pointer = count > 0 ? UnsafeMutablePointer<T>.allocate(capacity: count) : nil
        pointer?.initialize(repeating: filler, count: count)
        capacity = count
    }

    /// NULL with capacity 0 or not, or a buffer of a size the program picks.
    init(_ program: inout Program, filler: T) {
        switch program.byte() % 6 {
        case 0: pointer = nil; capacity = 0
        case 1: pointer = nil; capacity = 1 + program.int(100)
        default:
            let count = program.count() * (program.byte() % 4 == 0 ? 1 : 16)
            pointer = count > 0 ? UnsafeMutablePointer<T>.allocate(capacity: count) : nil
            pointer?.initialize(repeating: filler, count: count)
            capacity = count
        }
    }

    deinit { pointer?.deallocate() }
}

extension Buffer where T: ExpressibleByIntegerLiteral {
    static func sized(_ count: Int) -> Buffer<T> { Buffer(count: count, filler: 0) }
}

private func handle(_ program: inout Program) -> OpaquePointer? {
    switch program.byte() % 6 {
    case 0: return nil
    case 1: return OpaquePointer(bitPattern: UInt(program.byte()) << 32 | UInt(program.byte()) | 1)
    default: return handles.isEmpty ? nil : handles[program.int(handles.count)]
    }
}

private func split(_ program: inout Program) -> CInt { CInt(program.int(4)) - 1 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzABI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var program = Program(bytes: UnsafeBufferPointer(start: data, count: size))
    var steps = 0
    while !program.done && steps < 64 {
        steps += 1
        step(&program)
    }
    for h in handles { chexpert_dataset_close(h) }
    handles.removeAll()
    return 0
}

/// A parameter set for one call: NULL, a fresh set with random keys and
/// values (tagged constants, their neighbours and arbitrary numbers), a freed
/// set, or a dataset handle passed as params.
private func params(_ p: inout Program) -> (OpaquePointer?, free: Bool) {
    switch p.int(8) {
    case 0: return (nil, false)
    case 1: return (handle(&p), false)
    default:
        var params: OpaquePointer?
        _ = chexpert_params_create(&params)
        for _ in 0 ..< p.int(10) {
            let key = CInt(p.int(29)) - 1
            let value: Int64
            switch p.int(4) {
            case 0: value = Int64(key) << 8 | Int64(p.int(6))      // a constant of the key's enum, or past it
            case 1: value = Int64(p.int(27)) << 8 | Int64(p.int(3))  // another enum's constant
            case 2: value = Int64(p.int(70)) - 2
            default: value = p.int64()
            }
            _ = chexpert_params_set(params, key, value)
        }
        if p.int(4) == 0 {
            let floats = Buffer<Float>(&p, filler: 0.5)
            _ = chexpert_params_set_floats(params, CInt(p.int(18)), floats.pointer, floats.capacity)
        }
        if p.int(4) == 0 {
            let rules = Buffer<Int32>(&p, filler: 0)
            if let base = rules.pointer {
                for i in 0 ..< rules.capacity {
                    base[i] = i % 3 == 0 ? Int32(p.int(18)) - 2 : Int32(0x40 + i % 3 - 1) << 8 | Int32(p.int(6))
                }
            }
            // One rule more than the buffer holds only with NULL (the library
            // must refuse it); with a real buffer the count must fit, as the C
            // contract asks (a longer count is the caller's overflow, found by
            // ASan: Fuzz/regressions/abi/set-rules-count-within-buffer.bin).
            let extra = rules.pointer == nil && p.int(4) == 0 ? 1 : 0
            _ = chexpert_params_set_rules(params, rules.pointer, rules.capacity / 3 + extra)
        }
        if p.int(10) == 0 {
            chexpert_params_free(params)  // use after free
            return (params, false)
        }
        return (params, true)
    }
}

private func step(_ p: inout Program) {
    switch p.byte() % 16 {
    case 0:
        var out: OpaquePointer?
        let (options, owned) = params(&p)
        defer { if owned { chexpert_params_free(options) } }
        let path = treeRoot(&p)
        let nullOut = p.int(8) == 0
        let status = path.withCStringOrNil { path in
            withUnsafeMutablePointer(to: &out) { chexpert_dataset_open(nullOut ? nil : $0, path, options) }
        }
        if status == 0 {
            if handles.count >= 4 { chexpert_dataset_close(handles.removeFirst()) }
            handles.append(out)
        }
    case 1:
        let h = handle(&p)
        chexpert_dataset_close(h)      // closed handles stay in the list: use-after-close
    case 2:
        let ds = handle(&p), s = split(&p)
        var n: Int64 = 0, labels: Int32 = 0
        if p.int(5) == 0 { _ = chexpert_split_size(ds, s, nil) } else { _ = chexpert_split_size(ds, s, &n) }
        _ = chexpert_split_num_labels(ds, s, &labels)
        let name = Buffer<CChar>(&p, filler: 0)
        var needed = 0
        _ = chexpert_split_label_name(ds, s, Int32(truncatingIfNeeded: p.int64()), name.pointer, name.capacity, &needed)
        let counts = Buffer<Int64>(&p, filler: 0)
        _ = chexpert_split_projection_counts(ds, s, counts.pointer, counts.capacity)
    case 3:
        let ds = handle(&p), s = split(&p), index = p.int64()
        var h: Int32 = 0, w: Int32 = 0
        _ = chexpert_example_image(ds, s, index, nil, 0, &h, &w)
        let image = Buffer<UInt8>(&p, filler: 0)
        let scale = Int(p.byte() % 4)
        let big = Buffer<UInt8>.sized(scale == 0 ? 0 : Int(h) * Int(w) * 3 * scale / 2)
        _ = chexpert_example_image(ds, s, index, (big.capacity > 0 ? big : image).pointer,
                                   (big.capacity > 0 ? big : image).capacity, &h, nil)
        let labels = Buffer<Int64>(&p, filler: 0)
        _ = chexpert_example_labels(ds, s, index, labels.pointer, labels.capacity)
        var view: Int64 = 0
        _ = chexpert_example_view(ds, s, index, &view)
        let name = Buffer<CChar>(&p, filler: 0)
        _ = chexpert_example_name(ds, s, index, name.pointer, name.capacity, nil)
    case 4, 5:
        let ds = handle(&p), s = split(&p)
        let indices = Buffer<Int64>(&p, filler: 0)
        if let base = indices.pointer { for i in 0 ..< indices.capacity { base[i] = p.int64() } }
        let n = min(indices.capacity, p.count())
        let (call, owned) = params(&p)
        defer { if owned { chexpert_params_free(call) } }
        let shapes = Buffer<Int32>.sized(p.int(4) == 0 ? 0 : 2 * n)
        let queried = chexpert_batch_images(ds, s, indices.pointer, n, call, nil, 0, shapes.pointer)
        var total = 0
        if queried == 0, let base = shapes.pointer {
            for i in 0 ..< n { total += Int(base[2 * i]) * Int(base[2 * i + 1]) * 3 }
        }
        let images = Buffer<UInt8>.sized(p.int(3) == 0 ? total / 2 : total)
        _ = chexpert_batch_images(ds, s, indices.pointer, n, call, images.pointer, images.capacity, shapes.pointer)
        let labels = Buffer<Int64>(&p, filler: 0), views = Buffer<Int64>(&p, filler: 0)
        _ = chexpert_batch_labels(ds, s, indices.pointer, n, labels.pointer, labels.capacity)
        _ = chexpert_batch_views(ds, s, indices.pointer, n, views.pointer, views.capacity)
        let names = Buffer<CChar>(&p, filler: 0)
        var needed = 0
        _ = chexpert_batch_names(ds, s, indices.pointer, n, names.pointer, names.capacity, &needed)
        let projections = Buffer<Int64>(&p, filler: 0)
        _ = chexpert_batch_projections(ds, s, indices.pointer, n, projections.pointer, projections.capacity)
        let statuses = Buffer<Int32>.sized(n)
        let messages = Buffer<CChar>(&p, filler: 0)
        let stride = n == 0 ? 0 : messages.capacity / max(n, 1)
        _ = chexpert_batch_verify(ds, s, indices.pointer, n, call, statuses.pointer,
                                  stride == 0 ? nil : messages.pointer, stride)
    case 6:
        let ds = handle(&p), s = split(&p)
        let indices = Buffer<Int64>(&p, filler: 0)
        if let base = indices.pointer { for i in 0 ..< indices.capacity { base[i] = Int64(p.int(48)) - 4 } }
        let (call, owned) = params(&p)
        defer { if owned { chexpert_params_free(call) } }
        if owned {
            _ = chexpert_params_set(call, CInt(CHEXPERT_KEY_HEIGHT.rawValue), side(&p))
            _ = chexpert_params_set(call, CInt(CHEXPERT_KEY_WIDTH.rawValue), side(&p))
            // Every channel count, layout, dtype, fit, filter and
            // normalisation (a key's constants are key << 8 | n).
            _ = chexpert_params_set(call, CInt(CHEXPERT_KEY_CHANNELS.rawValue), p.int(2) == 0 ? 1 : 3)
            for key in [CHEXPERT_KEY_LAYOUT, CHEXPERT_KEY_DTYPE, CHEXPERT_KEY_FIT, CHEXPERT_KEY_FILTER,
                        CHEXPERT_KEY_NORMALIZE] where p.int(4) != 0 {
                _ = chexpert_params_set(call, CInt(key.rawValue), Int64(key.rawValue) << 8 | Int64(p.int(4)))
            }
        }
        var bytes = 0
        _ = chexpert_resize_output_bytes(call, indices.capacity, &bytes)
        // Up to 32 MiB: a CHEXPERT_MAX_SIDE x 32 RGB float output fits.
        let out = Buffer<Float>.sized(min(bytes / 4 + Int(p.byte() % 3), 1 << 23))
        let statuses = Buffer<Int32>.sized(p.int(3) == 0 ? 0 : indices.capacity)
        _ = chexpert_batch_resized(ds, s, indices.pointer, indices.capacity, call, out.pointer, out.capacity * 4,
                                   statuses.pointer)
    case 7:
        let ds = handle(&p), s = split(&p)
        let indices = Buffer<Int64>(&p, filler: 0)
        if let base = indices.pointer { for i in 0 ..< indices.capacity { base[i] = Int64(p.int(48)) - 4 } }
        let (call, owned) = params(&p)
        defer { if owned { chexpert_params_free(call) } }
        let targets = Buffer<Float>(&p, filler: 0), masks = Buffer<Float>(&p, filler: 0)
        _ = chexpert_batch_targets(ds, s, indices.pointer, indices.capacity, call, targets.pointer, masks.pointer,
                                   min(targets.capacity, masks.capacity))
        let rules = Buffer<Int32>(&p, filler: 0)
        var count = 0
        var flags: UInt32 = 0
        _ = chexpert_target_rules(ds, s, call, rules.pointer, rules.capacity, &count, &flags)
    case 8:
        let count = p.int(10) == 0 ? p.int64() : Int64(p.byte()) * Int64(p.int(40))
        let out = Buffer<Int64>(&p, filler: 0)
        var size = 0
        let (call, owned) = params(&p)
        defer { if owned { chexpert_params_free(call) } }
        _ = chexpert_shard_indices(call, count, out.pointer, out.capacity, &size)
    case 9:
        let ds = handle(&p)
        var value: Int64 = 0
        _ = chexpert_dataset_get_option(ds, CInt(p.int(28)) - 1, &value)
        _ = chexpert_dataset_set_option(ds, CInt(p.int(28)) - 1, p.int(2) == 0 ? Int64(p.int(27)) << 8 | Int64(p.int(3)) : p.int64())
        var bytes = 0
        _ = chexpert_dataset_memory_usage(ds, &bytes)
        let rootBuffer = Buffer<CChar>(&p, filler: 0)
        _ = chexpert_dataset_root(ds, rootBuffer.pointer, rootBuffer.capacity, &bytes)
    case 10:
        let (call, owned) = params(&p)
        defer { if owned { chexpert_params_free(call) } }
        var value: Int64 = 0
        _ = chexpert_params_get(call, CInt(p.int(28)) - 1, &value)
    default:
        let value = CInt(truncatingIfNeeded: p.int64())
        _ = chexpert_status_name(value)
        _ = chexpert_split_name(value)
        _ = chexpert_label_class_name(value)
        _ = chexpert_view_name(value)
        _ = chexpert_projection_name(value)
        if let message = chexpert_last_error() { _ = strlen(message) }
        _ = chexpert_version_number()
        _ = chexpert_abi_version()
    }
}

extension Optional where Wrapped == String {
    func withCStringOrNil<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .none: return body(nil)
        case .some(let string): return string.withCString { body($0) }
        }
    }
}

@_cdecl("fuzz_abi_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzMain(argc, argv, fuzzABI)
}
