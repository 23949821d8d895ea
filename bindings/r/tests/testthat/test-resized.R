# Resized batches: x[h, w, c, n] (R, 1-based) is Python's NCHW images[n-1, c-1, h-1, w-1].

resized_reference <- function(name) {
    parts <- strsplit(manifest()[[paste0("resized_", name)]], ";", fixed = TRUE)[[1]]
    shape <- as.integer(strsplit(parts[3], ",")[[1]])            # n, c, h, w
    list(split = parts[1], indices = indices_of(parts[2]) + 1, shape = shape)
}

expect_batch_equal <- function(x, flat, shape) {
    n <- shape[1]; C <- shape[2]; H <- shape[3]; W <- shape[4]
    expect_identical(dim(x), c(H, W, C, n))
    # NCHW flat -> R array [n, c, h, w] -> [h, w, c, n].
    values <- x
    attr(values, "status") <- NULL
    expected <- aperm(c_order_array(flat, shape), c(3L, 4L, 2L, 1L))
    expect_identical(sum(values != expected), 0L, info = "values that differ")
    expect_identical(values, expected)
    # The mapping written out.
    for (k in 1:25) {
        i <- c(sample(H, 1), sample(W, 1), sample(C, 1), sample(n, 1))
        expect_identical(x[i[1], i[2], i[3], i[4]],
                         flat[(((i[4] - 1L) * C + (i[3] - 1L)) * H + (i[1] - 1L)) * W + i[2]])
    }
}

test_that("a float batch (ImageNet normalised, 24 x 20) equals Python's exactly", {
    ref <- resized_reference("imagenet")
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    x <- chexpert_resized(ds, ref$split, ref$indices, height = 24, width = 20, normalize = "imagenet")
    expect_type(x, "double")
    set.seed(1)
    expect_batch_equal(x, read_f32("resized_imagenet.f32"), ref$shape)
    expect_identical(attr(x, "status"), rep(0L, length(ref$indices)))
    expect_true(any(x < 0) && any(x > 1))
})

test_that("a one-channel contain/bilinear batch equals Python's", {
    ref <- resized_reference("grey_contain")
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    x <- chexpert_resized(ds, ref$split, ref$indices, height = 13, width = 17, channels = 1,
                          fit = "contain", filter = "bilinear", normalize = "unit", threads = 1)
    set.seed(2)
    expect_batch_equal(x, read_f32("resized_grey_contain.f32"), ref$shape)
})

test_that("a uint8 batch comes back as integers equal to Python's", {
    ref <- resized_reference("uint8")
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    x <- chexpert_resized(ds, ref$split, ref$indices, height = 16, width = 12, dtype = "uint8")
    expect_type(x, "integer")
    set.seed(3)
    expect_batch_equal(x, read_u8("resized_uint8.u8"), ref$shape)
})

test_that("custom normalisation is (v / 255 - mean) / std of the unit batch", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    unit <- chexpert_resized(ds, "train", 1:2, height = 10, normalize = "unit")
    custom <- chexpert_resized(ds, "train", 1:2, height = 10,
                               normalize = list(c(0.5, 0.25, 0), c(2, 0.5, 1)))
    expect_identical(dim(custom), c(10L, 10L, 3L, 2L))
    expect_equal(custom[, , 2, ], (unit[, , 2, ] - 0.25) / 0.5, tolerance = 1e-6)
})

test_that("resize errors are conditions naming the key", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    expect_error(chexpert_resized(ds, "train", 1), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_resized(ds, "train", 1, height = 0), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_resized(ds, "train", 1, height = 8, channels = 2),
                 class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_resized(ds, "train", 1, height = 8, dtype = "uint8", normalize = "unit"),
                 class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_resized(ds, "train", 1, height = 8, fit = "area"),
                 class = "chexpert_E_INVALID_ARGUMENT")
})
