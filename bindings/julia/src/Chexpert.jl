"""
    Chexpert

`ccall` wrappers of libchexpert (`include/chexpert.h`, API 1.0, ABI 2): a
CheXpert-v1.0-small reader with the semantics of TensorFlow Datasets'
`chexpert` builder.

Every `ccall` here is checked against the header's prototypes by
`Tests/python/test_julia_signatures.py` (clang's reading of the header); the
package itself is not run in the project's CI (Julia is not installable there).

Conventions of this package:
- Example indices are 1-based (Julia's); the library's are 0-based.
- `example_image` returns an `H × W × 3` `Array{UInt8,3}`: `img[h, w, c]` is the
  pixel Python's `example["image"][h-1, w-1, c-1]` holds.
- `batch_resized` returns Flux's `W × H × C × N` order: the library writes
  NCHW (row-major), which is exactly a column-major `(W, H, C, N)` array, so
  `x[w, h, c, n]` needs no copy.
- Failures throw `ChexpertError(status, code, message)`; the message is
  `chexpert_last_error()`, read right after the failing call, on its thread.
"""
module Chexpert

using Libdl

export ChexpertError, Dataset, Params, close!, free!, set!, set_floats!, set_rules!, get_param,
       version_string, version_number, abi_version, status_name, last_error,
       split_name, label_class_name, view_name, projection_name,
       dataset_root, set_option!, get_option, memory_usage,
       split_size, num_labels, label_name, label_names, projection_counts,
       example_image_size, example_image, example_labels, example_view, example_name,
       batch_images, batch_labels, batch_views, batch_projections, batch_names,
       resize_output_bytes, batch_resized, target_rules, batch_targets, shard_indices,
       batch_verify, sex_name, release_name, field_name, dataset_release, has_split,
       batch_metadata, metadata, split_study_count, aggregate_scores, patient_split, evaluate,
       cache_build, attach_cache!, cache_info, augment_draw

"""The library name `ccall` resolves through `Libdl.DL_LOAD_PATH` (see `__init__`)."""
const libchexpert = "libchexpert"

#: CHEXPERT_ABI_VERSION of the header these wrappers were written for.
const EXPECTED_ABI_VERSION = 2

# ---------------------------------------------------------------------------
# Constants of include/chexpert.h (checked against the header by the test)
# ---------------------------------------------------------------------------

const CHEXPERT_OK = 0
const CHEXPERT_E_INVALID_ARGUMENT = -1
const CHEXPERT_E_NULL_POINTER = -2
const CHEXPERT_E_OUT_OF_RANGE = -3
const CHEXPERT_E_BUFFER_TOO_SMALL = -4
const CHEXPERT_E_CLOSED = -5
const CHEXPERT_E_NOT_FOUND = -6
const CHEXPERT_E_IO = -7
const CHEXPERT_E_CSV = -8
const CHEXPERT_E_IMAGE = -9
const CHEXPERT_E_LIMIT = -10
const CHEXPERT_E_NO_MEMORY = -11
const CHEXPERT_E_INTERNAL = -12

const CHEXPERT_SPLIT_TRAIN = 0
const CHEXPERT_SPLIT_VALIDATION = 1
const CHEXPERT_SPLIT_TEST = 2

const CHEXPERT_KEY_DCT = 1
const CHEXPERT_KEY_MAX_PIXELS = 2
const CHEXPERT_KEY_MAX_FILE_BYTES = 3
const CHEXPERT_KEY_SELECT = 4
const CHEXPERT_KEY_ON_ERROR = 5
const CHEXPERT_KEY_THREADS = 6
const CHEXPERT_KEY_HEIGHT = 7
const CHEXPERT_KEY_WIDTH = 8
const CHEXPERT_KEY_CHANNELS = 9
const CHEXPERT_KEY_LAYOUT = 10
const CHEXPERT_KEY_DTYPE = 11
const CHEXPERT_KEY_FIT = 12
const CHEXPERT_KEY_FILTER = 13
const CHEXPERT_KEY_NORMALIZE = 14
const CHEXPERT_KEY_MEAN = 15
const CHEXPERT_KEY_STD = 16
const CHEXPERT_KEY_TARGET_PRESET = 17
const CHEXPERT_KEY_TARGET_NO_FINDING = 18
const CHEXPERT_KEY_TARGET_MASKED_NAN = 19
const CHEXPERT_KEY_SHUFFLE = 20
const CHEXPERT_KEY_SEED = 21
const CHEXPERT_KEY_EPOCH = 22
const CHEXPERT_KEY_START = 23
const CHEXPERT_KEY_RANK = 24
const CHEXPERT_KEY_WORLD = 25
const CHEXPERT_KEY_REMAINDER = 26
const CHEXPERT_KEY_CONFINE_PATHS = 27
const CHEXPERT_KEY_LABELS = 28
const CHEXPERT_KEY_DECODE_SCALE = 29
const CHEXPERT_KEY_AGGREGATE = 30
const CHEXPERT_KEY_STRATIFY = 31
const CHEXPERT_KEY_EVAL_LEVEL = 32
const CHEXPERT_KEY_BOOTSTRAP = 33
const CHEXPERT_KEY_EVAL_UNCERTAIN = 34
const CHEXPERT_KEY_RESAMPLE = 35
const CHEXPERT_KEY_CACHE_SIDE = 36
const CHEXPERT_KEY_AUGMENT = 40
const CHEXPERT_KEY_AUG_CROP_SCALE = 41
const CHEXPERT_KEY_AUG_CROP_RATIO = 42
const CHEXPERT_KEY_AUG_ROTATE = 43
const CHEXPERT_KEY_AUG_TRANSLATE = 44
const CHEXPERT_KEY_AUG_SCALE = 45
const CHEXPERT_KEY_AUG_SHEAR = 46
const CHEXPERT_KEY_AUG_FILL = 47
const CHEXPERT_KEY_AUG_BRIGHTNESS = 48
const CHEXPERT_KEY_AUG_CONTRAST = 49
const CHEXPERT_KEY_AUG_GAMMA = 50
const CHEXPERT_KEY_AUG_HFLIP = 51

const CHEXPERT_DCT_FAST = 0x0100
const CHEXPERT_DCT_ACCURATE = 0x0101
const CHEXPERT_ON_ERROR_RAISE = 0x0500
const CHEXPERT_ON_ERROR_SUBSTITUTE = 0x0501
const CHEXPERT_LAYOUT_NHWC = 0x0A00
const CHEXPERT_LAYOUT_NCHW = 0x0A01
const CHEXPERT_DTYPE_UINT8 = 0x0B00
const CHEXPERT_DTYPE_FLOAT32 = 0x0B01
const CHEXPERT_FIT_COVER = 0x0C00
const CHEXPERT_FIT_CONTAIN = 0x0C01
const CHEXPERT_FIT_STRETCH = 0x0C02
const CHEXPERT_FILTER_AREA = 0x0D00
const CHEXPERT_FILTER_BILINEAR = 0x0D01
const CHEXPERT_NORMALIZE_NONE = 0x0E00
const CHEXPERT_NORMALIZE_UNIT = 0x0E01
const CHEXPERT_NORMALIZE_IMAGENET = 0x0E02
const CHEXPERT_NORMALIZE_XRV = 0x0E03
const CHEXPERT_NORMALIZE_CUSTOM = 0x0E04
const CHEXPERT_PRESET_PAPER = 0x1100
const CHEXPERT_PRESET_LIBAUC = 0x1101
const CHEXPERT_PRESET_XRV = 0x1102
const CHEXPERT_REMAINDER_PAD = 0x1A00
const CHEXPERT_REMAINDER_DROP = 0x1A01
const CHEXPERT_REMAINDER_UNEVEN = 0x1A02
const CHEXPERT_UNCERTAIN_IGNORE = 0x4000
const CHEXPERT_UNCERTAIN_ZEROS = 0x4001
const CHEXPERT_UNCERTAIN_ONES = 0x4002
const CHEXPERT_UNCERTAIN_MULTICLASS = 0x4003
const CHEXPERT_UNCERTAIN_RAW = 0x4004
const CHEXPERT_BLANK_NEGATIVE = 0x4100
const CHEXPERT_BLANK_IGNORE = 0x4101
const CHEXPERT_TARGET_NO_FINDING = 1
const CHEXPERT_TARGET_MASKED_NAN = 2
const CHEXPERT_LABELS_REPORTS = 0x1C00
const CHEXPERT_LABELS_CHEXBERT = 0x1C01
const CHEXPERT_LABELS_VISUALCHEXBERT = 0x1C02
const CHEXPERT_DECODE_SCALE_FULL = 0x1D00
const CHEXPERT_DECODE_SCALE_AUTO = 0x1D01
const CHEXPERT_AGGREGATE_MAX = 0x1E00
const CHEXPERT_AGGREGATE_MEAN = 0x1E01
const CHEXPERT_EVAL_LEVEL_IMAGE = 0x2000
const CHEXPERT_EVAL_LEVEL_STUDY = 0x2001
const CHEXPERT_EVAL_UNCERTAIN_EXCLUDE = 0x2200
const CHEXPERT_EVAL_UNCERTAIN_POSITIVE = 0x2201
const CHEXPERT_EVAL_UNCERTAIN_NEGATIVE = 0x2202
const CHEXPERT_RESAMPLE_FAST = 0x2300
const CHEXPERT_RESAMPLE_EXACT = 0x2301
const CHEXPERT_AUGMENT_NONE = 0x2800
const CHEXPERT_AUGMENT_CUSTOM = 0x2801
const CHEXPERT_AUGMENT_JFHEALTHCARE = 0x2802
const CHEXPERT_AUGMENT_LIBAUC = 0x2803

const CHEXPERT_NUM_SPLITS = 2
const CHEXPERT_NUM_SPLITS_ALL = 3
const CHEXPERT_NUM_SEXES = 4
const CHEXPERT_NUM_RELEASES = 4
const CHEXPERT_NUM_FIELDS = 8
const CHEXPERT_NUM_METRICS = 8
const CHEXPERT_NUM_CACHE_FIELDS = 11
const CHEXPERT_NUM_AUGMENT_VALUES = 14
const CHEXPERT_FIELD_STUDY_INDEX = 7
const CHEXPERT_ID_MISSING = -1
const CHEXPERT_AGE_MISSING = -1
const CHEXPERT_NUM_LABEL_CLASSES = 4
const CHEXPERT_NUM_VIEWS = 2
const CHEXPERT_NUM_PROJECTIONS = 4
const CHEXPERT_SELECT_AP = 1
const CHEXPERT_SELECT_PA = 2
const CHEXPERT_SELECT_OTHER_FRONTAL = 4
const CHEXPERT_SELECT_LATERAL = 8
const CHEXPERT_SELECT_FRONTAL = 7
const CHEXPERT_SELECT_ALL = 15

# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

"""
Where `ccall` finds libchexpert, first match wins: the folder of
`\$CHEXPERT_LIBRARY` (a path to libchexpert.so); `pkg-config --variable=libdir
chexpert` (an installed prefix); the source checkout's `.build/release` (this
file is `<repo>/bindings/julia/src/Chexpert.jl`); else the system's loader path.
Then the library's ABI version must be $(EXPECTED_ABI_VERSION).
"""
function __init__()
    folders = String[]
    explicit = get(ENV, "CHEXPERT_LIBRARY", "")
    if !isempty(explicit)
        push!(folders, dirname(abspath(explicit)))
    else
        libdir = try
            strip(read(pipeline(`pkg-config --variable=libdir chexpert`; stderr=devnull), String))
        catch
            ""
        end
        isempty(libdir) || push!(folders, libdir)
        push!(folders, normpath(joinpath(@__DIR__, "..", "..", "..", ".build", "release")))
    end
    for folder in reverse(folders)
        isdir(folder) && !(folder in Libdl.DL_LOAD_PATH) && pushfirst!(Libdl.DL_LOAD_PATH, folder)
    end
    found = abi_version()
    found == EXPECTED_ABI_VERSION || error("Chexpert: libchexpert has ABI version $found, these " *
                                           "wrappers need $EXPECTED_ABI_VERSION")
    return nothing
end

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

"""
    ChexpertError(status, code, message)

A failed libchexpert call: `status` is the status name (`"CHEXPERT_E_NOT_FOUND"`),
`code` its value (-6), `message` the library's `chexpert_last_error()`.
"""
struct ChexpertError <: Exception
    status::String
    code::Int
    message::String
end

Base.showerror(io::IO, e::ChexpertError) = print(io, "ChexpertError: ", e.status, ": ", e.message)

version_string() = unsafe_string(ccall((:chexpert_version_string, libchexpert), Cstring, ()))
version_number() = ccall((:chexpert_version_number, libchexpert), Int32, ())
abi_version() = ccall((:chexpert_abi_version, libchexpert), Int32, ())
status_name(status::Integer) =
    unsafe_string(ccall((:chexpert_status_name, libchexpert), Cstring, (Cint,), status))
last_error() = unsafe_string(ccall((:chexpert_last_error, libchexpert), Cstring, ()))

# Called right after the ccall that returned `status`, with no yield point in
# between, so the message is read on the thread that failed.
function check(status::Cint)
    status == CHEXPERT_OK && return nothing
    message = last_error()
    throw(ChexpertError(status_name(status), Int(status), message))
end

fail(code::Integer, message::AbstractString) =
    throw(ChexpertError(status_name(code), Int(code), String(message)))

# Names of the vocabularies (nothing for a value that has none).
# (Ptr{UInt8}, not Cstring: these return NULL for a value without a name.)
_name(p::Ptr{UInt8}) = p == C_NULL ? nothing : unsafe_string(p)
split_name(split::Integer) = _name(ccall((:chexpert_split_name, libchexpert), Ptr{UInt8}, (Cint,), split))
label_class_name(value::Integer) =
    _name(ccall((:chexpert_label_class_name, libchexpert), Ptr{UInt8}, (Cint,), value))
view_name(value::Integer) = _name(ccall((:chexpert_view_name, libchexpert), Ptr{UInt8}, (Cint,), value))
projection_name(value::Integer) =
    _name(ccall((:chexpert_projection_name, libchexpert), Ptr{UInt8}, (Cint,), value))
sex_name(value::Integer) = _name(ccall((:chexpert_sex_name, libchexpert), Ptr{UInt8}, (Cint,), value))
release_name(value::Integer) =
    _name(ccall((:chexpert_release_name, libchexpert), Ptr{UInt8}, (Cint,), value))
field_name(value::Integer) = _name(ccall((:chexpert_field_name, libchexpert), Ptr{UInt8}, (Cint,), value))

# One scalar output: `f(ref)` makes the checked call that writes it.
function _out(f, ::Type{T}) where {T}
    ref = Ref{T}(0)
    f(ref)
    return ref[]
end

# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

"""
    Params(key => value, ...)

A `chexpert_params` set: integer keys (`CHEXPERT_KEY_*`) with values checked by
the library when set. Freed by `free!` or by its finalizer.
"""
mutable struct Params
    handle::Ptr{Cvoid}
    function Params(pairs::Pair...)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        check(ccall((:chexpert_params_create, libchexpert), Cint, (Ptr{Ptr{Cvoid}},), out))
        params = finalizer(free!, new(out[]))
        for (key, value) in pairs
            if value isa AbstractVector{<:AbstractFloat}
                set_floats!(params, key, value)
            else
                set!(params, key, value)
            end
        end
        return params
    end
end

"""Frees the set; a second call is a no-op."""
function free!(params::Params)
    handle, params.handle = params.handle, C_NULL
    handle == C_NULL || ccall((:chexpert_params_free, libchexpert), Cvoid, (Ptr{Cvoid},), handle)
    return nothing
end

function _handle(params::Params)
    params.handle == C_NULL && fail(CHEXPERT_E_CLOSED, "the Params were freed")
    return params.handle
end
_handle(::Nothing) = C_NULL

function set!(params::Params, key::Integer, value::Integer)
    GC.@preserve params check(ccall((:chexpert_params_set, libchexpert), Cint,
                                    (Ptr{Cvoid}, Cint, Int64), _handle(params), key, value))
    return params
end

function set_floats!(params::Params, key::Integer, values::AbstractVector{<:Real})
    floats = Vector{Cfloat}(values)
    GC.@preserve params floats check(ccall((:chexpert_params_set_floats, libchexpert), Cint,
                                           (Ptr{Cvoid}, Cint, Ptr{Cfloat}, Csize_t),
                                           _handle(params), key, floats, length(floats)))
    return params
end

"""Custom target rules: `(label, uncertain, blank)` triples, label 0-based as in C."""
function set_rules!(params::Params, rules::AbstractVector{<:NTuple{3,Integer}})
    flat = Int32[value for rule in rules for value in rule]
    GC.@preserve params flat check(ccall((:chexpert_params_set_rules, libchexpert), Cint,
                                         (Ptr{Cvoid}, Ptr{Int32}, Csize_t),
                                         _handle(params), flat, length(rules)))
    return params
end

get_param(params::Params, key::Integer) = GC.@preserve params _out(Int64) do value
    check(ccall((:chexpert_params_get, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}), _handle(params), key, value))
end

# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------

"""
    Dataset(root=nothing; options=nothing)

Opens a CheXpert-v1.0-small folder (`chexpert_dataset_open`). `root`: the
folder that contains `CheXpert-v1.0-small/`, or the one holding the CSVs;
`nothing` means `\$CHEXPERT_ROOT`, else `~/tensorflow_datasets/downloads/manual`.
`options`: a `Params` with keys DCT, MAX_PIXELS, MAX_FILE_BYTES, SELECT,
ON_ERROR. Closed by `close!` (idempotent) or by its finalizer.
"""
mutable struct Dataset
    handle::Ptr{Cvoid}
    function Dataset(root::Union{Nothing,AbstractString}=nothing; options::Union{Nothing,Params}=nothing)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        path = root === nothing ? Cstring(C_NULL) : String(root)
        GC.@preserve options path check(ccall((:chexpert_dataset_open, libchexpert), Cint,
                                              (Ptr{Ptr{Cvoid}}, Cstring, Ptr{Cvoid}),
                                              out, path, _handle(options)))
        return finalizer(close!, new(out[]))
    end
end

"""Closes the dataset; later calls throw CHEXPERT_E_CLOSED. A second call is a no-op."""
function close!(ds::Dataset)
    handle, ds.handle = ds.handle, C_NULL
    handle == C_NULL || ccall((:chexpert_dataset_close, libchexpert), Cvoid, (Ptr{Cvoid},), handle)
    return nothing
end

Base.close(ds::Dataset) = close!(ds)

function _handle(ds::Dataset)
    ds.handle == C_NULL && fail(CHEXPERT_E_CLOSED, "the Dataset is closed")
    return ds.handle
end

# A string output: size query, then the call.
function _string(f)
    size = Ref{Csize_t}(0)
    f(Ptr{UInt8}(C_NULL), Csize_t(0), size)
    buffer = Vector{UInt8}(undef, size[])
    GC.@preserve buffer f(pointer(buffer), Csize_t(length(buffer)), size)
    return String(buffer[1:end-1])
end

function dataset_root(ds::Dataset)
    GC.@preserve ds begin
        _string() do out, capacity, size
            check(ccall((:chexpert_dataset_root, libchexpert), Cint,
                        (Ptr{Cvoid}, Ptr{UInt8}, Csize_t, Ptr{Csize_t}), _handle(ds), out, capacity, size))
        end
    end
end

function set_option!(ds::Dataset, key::Integer, value::Integer)
    GC.@preserve ds check(ccall((:chexpert_dataset_set_option, libchexpert), Cint,
                                (Ptr{Cvoid}, Cint, Int64), _handle(ds), key, value))
    return ds
end

get_option(ds::Dataset, key::Integer) = GC.@preserve ds _out(Int64) do value
    check(ccall((:chexpert_dataset_get_option, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}), _handle(ds), key, value))
end

memory_usage(ds::Dataset) = Int(GC.@preserve ds _out(Csize_t) do bytes
    check(ccall((:chexpert_dataset_memory_usage, libchexpert), Cint,
                (Ptr{Cvoid}, Ptr{Csize_t}), _handle(ds), bytes))
end)

"""The `chexpert_release` detected at open (`release_name` gives its name)."""
dataset_release(ds::Dataset) = Int(GC.@preserve ds _out(Int32) do release
    check(ccall((:chexpert_dataset_release, libchexpert), Cint,
                (Ptr{Cvoid}, Ptr{Int32}), _handle(ds), release))
end)

"""Whether the dataset has `split` (`:test` only where the official test set's labels are)."""
has_split(ds::Dataset, split) = (GC.@preserve ds _out(Int32) do has
    check(ccall((:chexpert_dataset_has_split, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int32}), _handle(ds), _split(split), has))
end) != 0

# ---------------------------------------------------------------------------
# Splits (split: CHEXPERT_SPLIT_TRAIN / _VALIDATION / _TEST, or :train / :validation / :test)
# ---------------------------------------------------------------------------

_split(split::Integer) = Cint(split)
function _split(split::Symbol)
    split === :train && return Cint(CHEXPERT_SPLIT_TRAIN)
    split === :validation && return Cint(CHEXPERT_SPLIT_VALIDATION)
    split === :test && return Cint(CHEXPERT_SPLIT_TEST)
    fail(CHEXPERT_E_INVALID_ARGUMENT, "split must be :train, :validation or :test, not :$split")
end

split_size(ds::Dataset, split) = GC.@preserve ds _out(Int64) do count
    check(ccall((:chexpert_split_size, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}), _handle(ds), _split(split), count))
end

num_labels(ds::Dataset, split) = Int(GC.@preserve ds _out(Int32) do count
    check(ccall((:chexpert_split_num_labels, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int32}), _handle(ds), _split(split), count))
end)

"""The number of studies of the split (distinct study ordinals)."""
split_study_count(ds::Dataset, split) = GC.@preserve ds _out(Int64) do count
    check(ccall((:chexpert_split_study_count, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}), _handle(ds), _split(split), count))
end

"""The header name of label column `label` (1-based)."""
function label_name(ds::Dataset, split, label::Integer)
    GC.@preserve ds begin
        _string() do out, capacity, size
            check(ccall((:chexpert_split_label_name, libchexpert), Cint,
                        (Ptr{Cvoid}, Cint, Int32, Ptr{UInt8}, Csize_t, Ptr{Csize_t}),
                        _handle(ds), _split(split), label - 1, out, capacity, size))
        end
    end
end

label_names(ds::Dataset, split) = [label_name(ds, split, j) for j in 1:num_labels(ds, split)]

"""Rows of the split's CSV per projection (ap, pa, other_frontal, lateral), before selection."""
function projection_counts(ds::Dataset, split)
    counts = zeros(Int64, CHEXPERT_NUM_PROJECTIONS)
    GC.@preserve ds counts check(ccall((:chexpert_split_projection_counts, libchexpert), Cint,
                                       (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t),
                                       _handle(ds), _split(split), counts, length(counts)))
    return counts
end

# ---------------------------------------------------------------------------
# Examples (index 1-based)
# ---------------------------------------------------------------------------

"""(height, width) of example `index`, from its JPEG header."""
function example_image_size(ds::Dataset, split, index::Integer)
    height, width = Ref{Int32}(0), Ref{Int32}(0)
    GC.@preserve ds check(ccall((:chexpert_example_image, libchexpert), Cint,
                                (Ptr{Cvoid}, Cint, Int64, Ptr{UInt8}, Csize_t, Ptr{Int32}, Ptr{Int32}),
                                _handle(ds), _split(split), index - 1, Ptr{UInt8}(C_NULL), 0,
                                height, width))
    return (Int(height[]), Int(width[]))
end

"""
    example_image(ds, split, index) -> Array{UInt8,3}

The decoded image, `H × W × 3`: `img[h, w, c]` is row `h`, column `w`, channel
`c`. The library writes row-major `H × W × 3`, which is a column-major
`(3, W, H)` array; `permutedims` turns it around.
"""
function example_image(ds::Dataset, split, index::Integer)
    height, width = example_image_size(ds, split, index)
    raw = Array{UInt8}(undef, 3, width, height)
    GC.@preserve ds raw check(ccall((:chexpert_example_image, libchexpert), Cint,
                                    (Ptr{Cvoid}, Cint, Int64, Ptr{UInt8}, Csize_t, Ptr{Int32}, Ptr{Int32}),
                                    _handle(ds), _split(split), index - 1, raw, length(raw),
                                    C_NULL, C_NULL))
    return permutedims(raw, (3, 2, 1))
end

"""The label vector (TFDS class ids: 0 uncertain, 1 positive, 2 negative, 3 unmentioned)."""
function example_labels(ds::Dataset, split, index::Integer)
    labels = Vector{Int64}(undef, num_labels(ds, split))
    GC.@preserve ds labels check(ccall((:chexpert_example_labels, libchexpert), Cint,
                                       (Ptr{Cvoid}, Cint, Int64, Ptr{Int64}, Csize_t),
                                       _handle(ds), _split(split), index - 1, labels, length(labels)))
    return labels
end

"""The view: 0 frontal, 1 lateral (TFDS's `image_view`)."""
example_view(ds::Dataset, split, index::Integer) = GC.@preserve ds _out(Int64) do view
    check(ccall((:chexpert_example_view, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Int64, Ptr{Int64}), _handle(ds), _split(split), index - 1, view))
end

function example_name(ds::Dataset, split, index::Integer)
    GC.@preserve ds begin
        _string() do out, capacity, size
            check(ccall((:chexpert_example_name, libchexpert), Cint,
                        (Ptr{Cvoid}, Cint, Int64, Ptr{UInt8}, Csize_t, Ptr{Csize_t}),
                        _handle(ds), _split(split), index - 1, out, capacity, size))
        end
    end
end

# ---------------------------------------------------------------------------
# Batches (indices 1-based, repeats allowed)
# ---------------------------------------------------------------------------

_indices(indices) = Int64[i - 1 for i in indices]

"""
    batch_images(ds, split, indices; params=nothing) -> Vector{Array{UInt8,3}}

Decodes the examples in parallel (params: THREADS, DCT); each image `H × W × 3`.
"""
function batch_images(ds::Dataset, split, indices; params::Union{Nothing,Params}=nothing)
    bases = _indices(indices)
    shapes = Vector{Int32}(undef, 2 * length(bases))
    GC.@preserve ds params bases shapes check(ccall(
        (:chexpert_batch_images, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Ptr{UInt8}, Csize_t, Ptr{Int32}),
        _handle(ds), _split(split), bases, length(bases), _handle(params), Ptr{UInt8}(C_NULL), 0, shapes))
    sizes = [Int(shapes[2k-1]) * Int(shapes[2k]) * 3 for k in eachindex(bases)]
    packed = Vector{UInt8}(undef, sum(sizes; init=0))
    GC.@preserve ds params bases shapes packed check(ccall(
        (:chexpert_batch_images, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Ptr{UInt8}, Csize_t, Ptr{Int32}),
        _handle(ds), _split(split), bases, length(bases), _handle(params), packed, length(packed), shapes))
    images = Vector{Array{UInt8,3}}(undef, length(bases))
    offset = 0
    for k in eachindex(bases)
        height, width = Int(shapes[2k-1]), Int(shapes[2k])
        raw = reshape(packed[offset+1:offset+sizes[k]], 3, width, height)
        images[k] = permutedims(raw, (3, 2, 1))
        offset += sizes[k]
    end
    return images
end

"""Labels of the examples as an `n × L` `Matrix{Int64}` (row k: indices[k])."""
function batch_labels(ds::Dataset, split, indices)
    bases = _indices(indices)
    L = num_labels(ds, split)
    raw = Matrix{Int64}(undef, L, length(bases))      # row-major n × L from C
    GC.@preserve ds bases raw check(ccall((:chexpert_batch_labels, libchexpert), Cint,
                                          (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Int64}, Csize_t),
                                          _handle(ds), _split(split), bases, length(bases), raw, length(raw)))
    return permutedims(raw)
end

# One Int64 per example: `f(handle, split, bases, out)` makes the checked call.
function _per_example(f, ds::Dataset, split, indices)
    bases = _indices(indices)
    out = Vector{Int64}(undef, length(bases))
    GC.@preserve ds bases out f(_handle(ds), _split(split), bases, out)
    return out
end

batch_views(ds::Dataset, split, indices) = _per_example(ds, split, indices) do h, s, bases, out
    check(ccall((:chexpert_batch_views, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Int64}, Csize_t),
                h, s, bases, length(bases), out, length(out)))
end

batch_projections(ds::Dataset, split, indices) = _per_example(ds, split, indices) do h, s, bases, out
    check(ccall((:chexpert_batch_projections, libchexpert), Cint,
                (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Int64}, Csize_t),
                h, s, bases, length(bases), out, length(out)))
end

"""One metadata field (`CHEXPERT_FIELD_*`, 0-based as in C) of the examples, as the library gives it."""
batch_metadata(ds::Dataset, split, indices, field::Integer) =
    _per_example(ds, split, indices) do h, s, bases, out
        check(ccall((:chexpert_batch_metadata, libchexpert), Cint,
                    (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Cint, Ptr{Int64}, Csize_t),
                    h, s, bases, length(bases), field, out, length(out)))
    end

"""
    metadata(ds, split, indices=1:split_size(ds, split)) -> NamedTuple

Every field as a `Vector{Int64}`, keyed by `field_name` (`patient`, `study`,
`view_number`, `sex`, `age`, `projection`, `image_view`, `study_index`), the
library's values unchanged (missing: `CHEXPERT_ID_MISSING` / `_AGE_MISSING`;
`study_index` 0-based).
"""
function metadata(ds::Dataset, split, indices=1:split_size(ds, split))
    names = Tuple(Symbol(field_name(f)) for f in 0:CHEXPERT_NUM_FIELDS-1)
    return NamedTuple{names}(Tuple(batch_metadata(ds, split, indices, f) for f in 0:CHEXPERT_NUM_FIELDS-1))
end

function batch_names(ds::Dataset, split, indices)
    bases = _indices(indices)
    isempty(bases) && return String[]
    packed = GC.@preserve ds bases begin
        _string() do out, capacity, size
            check(ccall((:chexpert_batch_names, libchexpert), Cint,
                        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{UInt8}, Csize_t, Ptr{Csize_t}),
                        _handle(ds), _split(split), bases, length(bases), out, capacity, size))
        end
    end
    return String.(Base.split(packed, '\0'))
end

# ---------------------------------------------------------------------------
# Resized batches
# ---------------------------------------------------------------------------

resize_output_bytes(params::Params, count::Integer) = Int(GC.@preserve params _out(Csize_t) do bytes
    check(ccall((:chexpert_resize_output_bytes, libchexpert), Cint,
                (Ptr{Cvoid}, Csize_t, Ptr{Csize_t}), _handle(params), count, bytes))
end)

"""
    batch_resized(ds, split, indices, params) -> (images, statuses)

Decodes and resamples the examples to one size (params: HEIGHT, WIDTH,
CHANNELS, DTYPE, FIT, FILTER, NORMALIZE, MEAN, STD, DCT, ON_ERROR, THREADS;
LAYOUT is set to NCHW here). `images` is `W × H × C × N` (Flux's order),
`Float32` or `UInt8` per DTYPE: `x[w, h, c, n]` is Python's NCHW
`[n-1, c-1, h-1, w-1]`. `statuses[k]` is 0 or why example k was substituted.
"""
function batch_resized(ds::Dataset, split, indices, params::Params)
    set!(params, CHEXPERT_KEY_LAYOUT, CHEXPERT_LAYOUT_NCHW)
    bases = _indices(indices)
    H, W = get_param(params, CHEXPERT_KEY_HEIGHT), get_param(params, CHEXPERT_KEY_WIDTH)
    C = get_param(params, CHEXPERT_KEY_CHANNELS)
    T = get_param(params, CHEXPERT_KEY_DTYPE) == CHEXPERT_DTYPE_FLOAT32 ? Float32 : UInt8
    images = Array{T}(undef, W, H, C, length(bases))
    sizeof(images) == resize_output_bytes(params, length(bases)) ||
        fail(CHEXPERT_E_INTERNAL, "resized batch size disagrees with chexpert_resize_output_bytes")
    statuses = Vector{Int32}(undef, length(bases))
    GC.@preserve ds params bases images statuses check(ccall(
        (:chexpert_batch_resized, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ptr{Int32}),
        _handle(ds), _split(split), bases, length(bases), _handle(params),
        images, sizeof(images), statuses))
    return images, statuses
end

# ---------------------------------------------------------------------------
# Training targets
# ---------------------------------------------------------------------------

"""(rules, flags): the `(label, uncertain, blank)` triples `params` resolve to (label 0-based)."""
function target_rules(ds::Dataset, split, params::Params)
    count, flags = Ref{Csize_t}(0), Ref{UInt32}(0)
    GC.@preserve ds params check(ccall((:chexpert_target_rules, libchexpert), Cint,
                                       (Ptr{Cvoid}, Cint, Ptr{Cvoid}, Ptr{Int32}, Csize_t, Ptr{Csize_t}, Ptr{UInt32}),
                                       _handle(ds), _split(split), _handle(params),
                                       Ptr{Int32}(C_NULL), 0, count, flags))
    flat = Vector{Int32}(undef, 3 * count[])
    GC.@preserve ds params flat check(ccall((:chexpert_target_rules, libchexpert), Cint,
                                            (Ptr{Cvoid}, Cint, Ptr{Cvoid}, Ptr{Int32}, Csize_t, Ptr{Csize_t}, Ptr{UInt32}),
                                            _handle(ds), _split(split), _handle(params),
                                            flat, length(flat), count, flags))
    rules = [(flat[3k-2], flat[3k-1], flat[3k]) for k in 1:count[]]
    return rules, flags[]
end

"""
    batch_targets(ds, split, indices, params) -> (targets, masks)

`n × K` `Matrix{Float32}` each, K the number of rules (a preset set with
`CHEXPERT_KEY_TARGET_PRESET`, or `set_rules!`).
"""
function batch_targets(ds::Dataset, split, indices, params::Params)
    K = length(first(target_rules(ds, split, params)))
    bases = _indices(indices)
    targets = Matrix{Float32}(undef, K, length(bases))   # row-major n × K from C
    masks = Matrix{Float32}(undef, K, length(bases))
    GC.@preserve ds params bases targets masks check(ccall(
        (:chexpert_batch_targets, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Ptr{Cfloat}, Ptr{Cfloat}, Csize_t),
        _handle(ds), _split(split), bases, length(bases), _handle(params), targets, masks, length(targets)))
    return permutedims(targets), permutedims(masks)
end

# ---------------------------------------------------------------------------
# Epoch order and sharding; verification
# ---------------------------------------------------------------------------

"""One rank's 1-based example indices for one epoch (params: SHUFFLE, SEED, EPOCH, START, RANK, WORLD, REMAINDER)."""
function shard_indices(params::Union{Nothing,Params}, count::Integer)
    n = Ref{Csize_t}(0)
    GC.@preserve params check(ccall((:chexpert_shard_indices, libchexpert), Cint,
                                    (Ptr{Cvoid}, Int64, Ptr{Int64}, Csize_t, Ptr{Csize_t}),
                                    _handle(params), count, Ptr{Int64}(C_NULL), 0, n))
    positions = Vector{Int64}(undef, n[])
    GC.@preserve params positions check(ccall((:chexpert_shard_indices, libchexpert), Cint,
                                              (Ptr{Cvoid}, Int64, Ptr{Int64}, Csize_t, Ptr{Csize_t}),
                                              _handle(params), count, positions, length(positions), n))
    return positions .+ 1
end

"""Each example's status after a full decode (0 or a negative status) and message."""
function batch_verify(ds::Dataset, split, indices; params::Union{Nothing,Params}=nothing, stride::Integer=512)
    bases = _indices(indices)
    statuses = Vector{Int32}(undef, length(bases))
    messages = zeros(UInt8, stride * length(bases))
    GC.@preserve ds params bases statuses messages check(ccall(
        (:chexpert_batch_verify, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Int64}, Csize_t, Ptr{Cvoid}, Ptr{Int32}, Ptr{UInt8}, Csize_t),
        _handle(ds), _split(split), bases, length(bases), _handle(params), statuses, messages, stride))
    texts = GC.@preserve messages [unsafe_string(pointer(messages, (k - 1) * stride + 1))
                                   for k in eachindex(bases)]
    return statuses, texts
end

# ---------------------------------------------------------------------------
# Studies, patients, evaluation (docs/evaluation.md); scores are n × columns,
# row i for example i of the whole split. C takes them row-major: the
# column-major columns × n copy `permutedims(scores)`.
# ---------------------------------------------------------------------------

_rows(scores::AbstractVector) = reshape(Vector{Float64}(scores), 1, :)
_rows(scores::AbstractMatrix) = Matrix{Float64}(permutedims(scores))

"""
    aggregate_scores(ds, split, scores; params=nothing) -> Matrix{Float64}

Study-level scores, `studies × columns` (params: AGGREGATE).
"""
function aggregate_scores(ds::Dataset, split, scores::AbstractVecOrMat; params::Union{Nothing,Params}=nothing)
    rows = _rows(scores)
    out = Matrix{Float64}(undef, size(rows, 1), split_study_count(ds, split))
    GC.@preserve ds params rows out check(ccall(
        (:chexpert_aggregate_scores, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cvoid}, Ptr{Cdouble}, Csize_t),
        _handle(ds), _split(split), rows, size(rows, 2), size(rows, 1), _handle(params), out, length(out)))
    return permutedims(out)
end

"""
    patient_split(ds, split, fractions; params=nothing) -> Vector{Vector{Int}}

1-based example indices of each part, no patient in two parts (params: SEED, STRATIFY).
"""
function patient_split(ds::Dataset, split, fractions::AbstractVector{<:Real}; params::Union{Nothing,Params}=nothing)
    shares = Vector{Float64}(fractions)
    parts = Vector{Int32}(undef, split_size(ds, split))
    GC.@preserve ds params shares parts check(ccall(
        (:chexpert_patient_split, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}, Ptr{Int32}, Csize_t),
        _handle(ds), _split(split), shares, length(shares), _handle(params), parts, length(parts)))
    return [findall(==(k - 1), parts) for k in eachindex(shares)]
end

"""
    evaluate(ds, split, scores, label_columns; params=nothing) -> Matrix{Float64}

`(columns + 1) × CHEXPERT_NUM_METRICS`: row j for score column j (scored
against 1-based label column `label_columns[j]`), the last row the means;
columns in `chexpert_metric` order (auroc, auprc, auroc_low, auroc_high,
auprc_low, auprc_high, samples, positives). params: EVAL_LEVEL, AGGREGATE,
BOOTSTRAP, SEED, EVAL_UNCERTAIN.
"""
function evaluate(ds::Dataset, split, scores::AbstractVecOrMat, label_columns; params::Union{Nothing,Params}=nothing)
    rows = _rows(scores)
    columns = Int32[c - 1 for c in label_columns]
    out = Matrix{Float64}(undef, CHEXPERT_NUM_METRICS, size(rows, 1) + 1)
    GC.@preserve ds params rows columns out check(ccall(
        (:chexpert_evaluate, libchexpert), Cint,
        (Ptr{Cvoid}, Cint, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Int32}, Ptr{Cvoid}, Ptr{Cdouble}, Csize_t),
        _handle(ds), _split(split), rows, size(rows, 2), size(rows, 1), columns, _handle(params),
        out, length(out)))
    return permutedims(out)
end

# ---------------------------------------------------------------------------
# Packed cache (docs/cache.md) and augmentation (docs/augmentation.md)
# ---------------------------------------------------------------------------

"""Writes a packed cache of every split (params: CACHE_SIDE, or HEIGHT and WIDTH; FIT, FILTER, THREADS, DCT, ON_ERROR)."""
function cache_build(ds::Dataset, path::AbstractString, params::Params)
    GC.@preserve ds params check(ccall((:chexpert_cache_build, libchexpert), Cint,
                                       (Ptr{Cvoid}, Cstring, Ptr{Cvoid}, Ptr{Int64}),
                                       _handle(ds), path, _handle(params), Ptr{Int64}(C_NULL)))
    return nothing
end

"""Attaches the packed cache at `path` (`nothing` detaches): `batch_resized` then reads its planes."""
function attach_cache!(ds::Dataset, path::Union{Nothing,AbstractString})
    file = path === nothing ? Cstring(C_NULL) : String(path)
    GC.@preserve ds file check(ccall((:chexpert_dataset_attach_cache, libchexpert), Cint,
                                     (Ptr{Cvoid}, Cstring), _handle(ds), file))
    return ds
end

"""A packed cache's header: `CHEXPERT_NUM_CACHE_FIELDS` Int64 in `chexpert_cache_field` order."""
function cache_info(path::AbstractString)
    fields = Vector{Int64}(undef, CHEXPERT_NUM_CACHE_FIELDS)
    GC.@preserve fields check(ccall((:chexpert_cache_info, libchexpert), Cint,
                                    (Cstring, Ptr{Int64}, Csize_t), path, fields, length(fields)))
    return fields
end

"""
    augment_draw(params, index, width, height) -> Vector{Float64}

The `CHEXPERT_NUM_AUGMENT_VALUES` parameters drawn for the example at 1-based
`index` of a `width × height` source (params: AUGMENT, AUG_*, SEED, EPOCH), in
the header's order.
"""
function augment_draw(params::Union{Nothing,Params}, index::Integer, width::Integer, height::Integer)
    values = Vector{Float64}(undef, CHEXPERT_NUM_AUGMENT_VALUES)
    GC.@preserve params values check(ccall((:chexpert_augment_draw, libchexpert), Cint,
                                           (Ptr{Cvoid}, Int64, Int64, Int64, Ptr{Cdouble}, Csize_t),
                                           _handle(params), index - 1, width, height, values, length(values)))
    return values
end

end # module
