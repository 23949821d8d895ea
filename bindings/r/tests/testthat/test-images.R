# Pixels: img[h, w, c] (R, 1-based) is C's out[((h-1) * W + (w-1)) * 3 + (c-1)],
# the byte Python's example["image"][h-1, w-1, c-1] holds.

test_that("example images equal Python's pixel for pixel, in [h, w, c] order", {
    m <- manifest()
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    checked <- 0L
    for (split in c("train", "validation")) {
        for (i in indices_of(m[[paste0("images_", split)]])) {
            shape <- as.integer(strsplit(m[[sprintf("shape_%s_%d", split, i)]], ",")[[1]])
            H <- shape[1]
            W <- shape[2]
            flat <- read_u8(sprintf("image_%s_%d.u8", split, i))
            example <- chexpert_example(ds, split, i + 1)
            img <- example$image
            expect_type(img, "integer")
            expect_identical(dim(img), c(H, W, 3L))
            expected <- c_order_array(flat, c(H, W, 3L))
            expect_identical(sum(img != expected), 0L, info = sprintf("%s %d: pixels that differ", split, i))
            expect_identical(img, expected)
            # The mapping written out, on corners and random positions.
            set.seed(i)
            hs <- c(1L, H, 1L, H, sample(H, 20, replace = TRUE))
            ws <- c(1L, 1L, W, W, sample(W, 20, replace = TRUE))
            for (k in seq_along(hs)) for (ch in 1:3)
                expect_identical(img[hs[k], ws[k], ch], flat[((hs[k] - 1L) * W + (ws[k] - 1L)) * 3L + ch])
            # The rest of the example.
            expect_identical(example$image_view, as.integer(m[[sprintf("view_%s_%d", split, i)]]))
            expect_identical(example$name, chexpert_names(ds, split, i + 1))
            expect_identical(example$label, chexpert_labels(ds, split, i + 1)[1, ])
            expect_identical(names(example$label), chexpert_label_names(ds, split))
            raw <- chexpert_example(ds, split, i + 1, type = "raw")$image
            expect_type(raw, "raw")
            expect_identical(array(as.integer(raw), dim(raw)), img)
            checked <- checked + 1L
        }
    }
    expect_gt(checked, 3L)
})

test_that("colour examples keep their channels apart", {
    m <- manifest()
    colour <- indices_of(m[["colour_train"]])
    skip_if(length(colour) == 0L, "the sample tree has no colour example")
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    img <- chexpert_example(ds, "train", colour[1] + 1)$image
    expect_true(any(img[, , 1] != img[, , 2]) || any(img[, , 2] != img[, , 3]))
})

test_that("non-square images are not transposed", {
    m <- manifest()
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    for (i in indices_of(m[["images_train"]])) {
        shape <- as.integer(strsplit(m[[sprintf("shape_train_%d", i)]], ",")[[1]])
        expect_identical(dim(chexpert_example(ds, "train", i + 1)$image)[1:2], shape)
    }
})
