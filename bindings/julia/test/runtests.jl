# Runs on a machine with Julia and libchexpert (not in this project's CI, which
# has no Julia; there the ccall signatures are checked by
# Tests/python/test_julia_signatures.py). Needs CHEXPERT_ROOT: a tree from
# `chexpert-sample --out DIR` or the real dataset.
using Test
using Chexpert

@testset "Chexpert" begin
    @test Chexpert.abi_version() == 2
    @test Chexpert.status_name(-6) == "CHEXPERT_E_NOT_FOUND"
    err = try
        Dataset(mktempdir())
        nothing
    catch e
        e
    end
    @test err isa ChexpertError && err.status == "CHEXPERT_E_NOT_FOUND"

    ds = Dataset()                              # $CHEXPERT_ROOT
    n = split_size(ds, :train)
    @test n > 0
    names = label_names(ds, :train)
    @test length(names) == num_labels(ds, :train)
    img = example_image(ds, :train, 1)
    @test size(img, 3) == 3 && (size(img, 1), size(img, 2)) == example_image_size(ds, :train, 1)
    @test batch_images(ds, :train, [1])[1] == img
    labels = batch_labels(ds, :train, 1:n)
    @test size(labels) == (n, length(names))
    @test labels[1, :] == example_labels(ds, :train, 1)
    @test batch_names(ds, :train, [1])[1] == example_name(ds, :train, 1)

    p = Params(Chexpert.CHEXPERT_KEY_HEIGHT => 16, Chexpert.CHEXPERT_KEY_WIDTH => 12,
               Chexpert.CHEXPERT_KEY_DTYPE => Chexpert.CHEXPERT_DTYPE_FLOAT32,
               Chexpert.CHEXPERT_KEY_NORMALIZE => Chexpert.CHEXPERT_NORMALIZE_UNIT)
    x, statuses = batch_resized(ds, :train, [1, 2], p)
    @test size(x) == (12, 16, 3, 2) && all(statuses .== 0) && all(0 .<= x .<= 1)

    t = Params(Chexpert.CHEXPERT_KEY_TARGET_PRESET => Chexpert.CHEXPERT_PRESET_LIBAUC)
    targets, masks = batch_targets(ds, :train, 1:3, t)
    @test size(targets) == (3, 5) && size(masks) == (3, 5)

    @test sort(shard_indices(nothing, 10)) == 1:10
    close!(ds)
    close!(ds)
    @test_throws ChexpertError split_size(ds, :train)
    free!(p); free!(p); free!(t)
end
