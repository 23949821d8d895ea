/*
 * chexpert_summary: a tour of libchexpert's C interface.
 *
 * Opens a CheXpert-v1.0-small copy, prints what is in it, decodes a few
 * images one by one and then a batch of up to 64 train images on 2 threads
 * (a chexpert_params set carries the thread count). Every call's status is
 * checked; a failure prints the status name and the library's message for
 * this thread.
 *
 * Build (from the repository root, after `swift build -c release`):
 *
 *   cc -std=c11 -Wall -Wextra -Werror -I include examples/c/chexpert_summary.c \
 *      -L .build/release -lchexpert -Wl,-rpath,$PWD/.build/release -o chexpert_summary
 *
 * Run:
 *
 *   ./chexpert_summary /path/to/folder-containing-CheXpert-v1.0-small
 *   ./chexpert_summary          # NULL root: $CHEXPERT_ROOT, else
 *                               # ~/tensorflow_datasets/downloads/manual
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "chexpert.h"

/* How many examples to show and decode one by one, and the batch size. */
enum { SHOW_EXAMPLES = 3, MAX_BATCH = 64, BATCH_THREADS = 2 };

/* Prints a failed call and returns 1, so callers can write
 * `if (status != CHEXPERT_OK) return report(...)`. Read chexpert_last_error()
 * right after the failing call, on the same thread: it is per thread and only
 * valid until the next chexpert_* call. */
static int report(const char *call, int status) {
    fprintf(stderr, "%s failed: %s (%d): %s\n", call, chexpert_status_name(status), status,
            chexpert_last_error());
    return 1;
}

/* A string from the library, copied into a caller buffer; the size query
 * (NULL, 0) tells how big the buffer must be. */
static char *example_name(const chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    int status = chexpert_example_name(ds, split, index, NULL, 0, &size);
    if (status != CHEXPERT_OK) {
        report("chexpert_example_name (size query)", status);
        return NULL;
    }
    char *name = malloc(size);
    if (name == NULL) return NULL;
    status = chexpert_example_name(ds, split, index, name, size, NULL);
    if (status != CHEXPERT_OK) {
        report("chexpert_example_name", status);
        free(name);
        return NULL;
    }
    return name;
}

static int print_splits(const chexpert_dataset *ds) {
    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        int64_t count = 0;
        int32_t num_labels = 0;
        int status = chexpert_split_size(ds, split, &count);
        if (status != CHEXPERT_OK) return report("chexpert_split_size", status);
        status = chexpert_split_num_labels(ds, split, &num_labels);
        if (status != CHEXPERT_OK) return report("chexpert_split_num_labels", status);
        printf("split %-10s %8" PRId64 " examples, %d labels\n", chexpert_split_name(split), count,
               num_labels);
    }

    /* Label column names (the CSV header after the fifth column). */
    int32_t num_labels = 0;
    int status = chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, &num_labels);
    if (status != CHEXPERT_OK) return report("chexpert_split_num_labels", status);
    printf("labels:");
    for (int32_t label = 0; label < num_labels; label++) {
        char name[256];
        status = chexpert_split_label_name(ds, CHEXPERT_SPLIT_TRAIN, label, name, sizeof name, NULL);
        if (status != CHEXPERT_OK) return report("chexpert_split_label_name", status);
        printf("%s %s", label == 0 ? "" : ",", name);
    }
    printf("\n");
    return 0;
}

static int print_examples(const chexpert_dataset *ds, int64_t train_count) {
    int32_t num_labels = 0;
    int status = chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, &num_labels);
    if (status != CHEXPERT_OK) return report("chexpert_split_num_labels", status);
    int64_t *labels = malloc(sizeof *labels * (size_t)(num_labels > 0 ? num_labels : 1));
    if (labels == NULL) return 1;

    int failed = 0;
    for (int64_t i = 0; i < train_count && i < SHOW_EXAMPLES && !failed; i++) {
        char *name = example_name(ds, CHEXPERT_SPLIT_TRAIN, i);
        int64_t view = 0;
        if (name == NULL) { failed = 1; break; }
        status = chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, i, &view);
        if (status == CHEXPERT_OK)
            status = chexpert_example_labels(ds, CHEXPERT_SPLIT_TRAIN, i, labels, (size_t)num_labels);
        if (status != CHEXPERT_OK) {
            failed = report("chexpert_example_view/labels", status);
            free(name);
            break;
        }
        printf("train[%" PRId64 "] %s\n  view %s, labels:", i, name, chexpert_view_name((int)view));
        for (int32_t k = 0; k < num_labels; k++)
            printf(" %s", chexpert_label_class_name((int)labels[k]));
        printf("\n");
        free(name);

        /* Decode: ask for the shape (the size query reads the JPEG header
         * only), allocate, decode. */
        int32_t height = 0, width = 0;
        status = chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, i, NULL, 0, &height, &width);
        if (status != CHEXPERT_OK) { failed = report("chexpert_example_image (size query)", status); break; }
        size_t bytes = (size_t)height * (size_t)width * 3;
        uint8_t *image = malloc(bytes);
        if (image == NULL) { failed = 1; break; }
        status = chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, i, image, bytes, NULL, NULL);
        if (status != CHEXPERT_OK) {
            failed = report("chexpert_example_image", status);
        } else {
            uint64_t sum = 0;
            for (size_t b = 0; b < bytes; b++) sum += image[b];
            printf("  image %d x %d x 3, mean pixel %.1f\n", height, width,
                   bytes ? (double)sum / (double)bytes : 0.0);
        }
        free(image);
    }
    free(labels);
    return failed;
}

/* One batch: the shapes first (a size query: parallel header reads), then
 * one call that decodes every image into a single packed buffer; labels and
 * views come from their own batch calls. */
static int read_batch(const chexpert_dataset *ds, int64_t train_count) {
    size_t count = (size_t)(train_count < MAX_BATCH ? train_count : MAX_BATCH);
    if (count == 0) return 0;
    int32_t num_labels = 0;
    int status = chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, &num_labels);
    if (status != CHEXPERT_OK) return report("chexpert_split_num_labels", status);

    /* The batch calls' knobs: here only the number of worker threads. */
    chexpert_params *params = NULL;
    status = chexpert_params_create(&params);
    if (status != CHEXPERT_OK) return report("chexpert_params_create", status);
    status = chexpert_params_set(params, CHEXPERT_KEY_THREADS, BATCH_THREADS);
    if (status != CHEXPERT_OK) {
        chexpert_params_free(params);
        return report("chexpert_params_set", status);
    }

    int64_t indices[MAX_BATCH], views[MAX_BATCH];
    int32_t shapes[2 * MAX_BATCH]; /* {height, width} per example */
    for (size_t k = 0; k < count; k++) indices[k] = (int64_t)k;

    status = chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, count, params, NULL, 0, shapes);
    if (status != CHEXPERT_OK) {
        chexpert_params_free(params);
        return report("chexpert_batch_images (size query)", status);
    }

    size_t image_bytes = 0;
    for (size_t k = 0; k < count; k++) image_bytes += (size_t)shapes[2 * k] * (size_t)shapes[2 * k + 1] * 3;
    size_t label_count = count * (size_t)num_labels;
    uint8_t *images = malloc(image_bytes ? image_bytes : 1);
    int64_t *labels = malloc(sizeof *labels * (label_count ? label_count : 1));
    int failed = 0;
    if (images == NULL || labels == NULL) {
        failed = 1;
    } else {
        status = chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, count, params, images, image_bytes,
                                       shapes);
        if (status != CHEXPERT_OK) failed = report("chexpert_batch_images", status);
        if (!failed) {
            status = chexpert_batch_labels(ds, CHEXPERT_SPLIT_TRAIN, indices, count, labels, label_count);
            if (status != CHEXPERT_OK) failed = report("chexpert_batch_labels", status);
        }
        if (!failed) {
            status = chexpert_batch_views(ds, CHEXPERT_SPLIT_TRAIN, indices, count, views, count);
            if (status != CHEXPERT_OK) failed = report("chexpert_batch_views", status);
        }
        if (!failed) {
            size_t frontal = 0;
            for (size_t k = 0; k < count; k++) frontal += views[k] == CHEXPERT_VIEW_FRONTAL;
            printf("batch: %zu train examples on %d threads, %zu image bytes, %zu frontal\n", count,
                   BATCH_THREADS, image_bytes, frontal);
        }
    }
    free(images);
    free(labels);
    chexpert_params_free(params); /* the calls copied what they needed */
    return failed;
}

/* What a failure looks like: a bad split id and an index past the end. */
static void show_errors(const chexpert_dataset *ds, int64_t train_count) {
    int64_t count = 0;
    int status = chexpert_split_size(ds, 7, &count);
    printf("error demo: chexpert_split_size(split=7) -> %s: %s\n", chexpert_status_name(status),
           chexpert_last_error());
    int64_t view = 0;
    status = chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, train_count, &view);
    printf("error demo: chexpert_example_view(index=%" PRId64 ") -> %s: %s\n", train_count,
           chexpert_status_name(status), chexpert_last_error());
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : NULL;

    /* A header/library mismatch is worth catching first. */
    printf("libchexpert %s (header %s, ABI %d)\n", chexpert_version_string(),
           CHEXPERT_VERSION_STRING, chexpert_abi_version());
    if (chexpert_abi_version() != CHEXPERT_ABI_VERSION) {
        fprintf(stderr, "ABI mismatch: header %d, library %d\n", CHEXPERT_ABI_VERSION,
                chexpert_abi_version());
        return 1;
    }

    chexpert_dataset *ds = NULL;
    int status = chexpert_dataset_open(&ds, root, NULL); /* NULL: default options */
    if (status != CHEXPERT_OK) return report("chexpert_dataset_open", status);

    char path[4096];
    size_t path_size = 0;
    status = chexpert_dataset_root(ds, path, sizeof path, &path_size);
    if (status != CHEXPERT_OK) {
        report("chexpert_dataset_root", status);
        chexpert_dataset_close(ds);
        return 1;
    }
    size_t memory = 0;
    status = chexpert_dataset_memory_usage(ds, &memory);
    if (status != CHEXPERT_OK) {
        report("chexpert_dataset_memory_usage", status);
        chexpert_dataset_close(ds);
        return 1;
    }
    printf("root: %s (%zu bytes of tables)\n", path, memory);

    int64_t train_count = 0;
    status = chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &train_count);
    int failed = status != CHEXPERT_OK ? report("chexpert_split_size", status) : 0;
    if (!failed) failed = print_splits(ds);
    if (!failed) failed = print_examples(ds, train_count);
    if (!failed) failed = read_batch(ds, train_count);
    if (!failed) show_errors(ds, train_count);

    chexpert_dataset_close(ds); /* also fine with NULL or twice */
    return failed;
}
