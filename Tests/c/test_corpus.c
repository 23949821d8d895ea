/*
 * test_corpus.c: the hostile-input corpus (Tests/corpus/make_corpus.py)
 * through the C API, one manifest line at a time.
 *
 *   test_corpus OUT_DIR [--skip ROOT]...
 *
 * OUT_DIR holds manifest.tsv (made by make_corpus.py). `--skip ROOT` leaves
 * out the lines whose root is exactly ROOT (run.sh skips the 10^6-row CSV
 * under valgrind, where opening it takes minutes; the plain run checks it).
 *
 * example lines: chexpert_example_image's size query + chexpert_example_image
 * (a buffer of the header's size), chexpert_batch_resized of [index] at
 * 32x32 give the expected status and a message with the needle and the file
 * name; the handle still reads the control image (train row 0) as before;
 * CHEXPERT_KEY_ON_ERROR = SUBSTITUTE (the handle's option, then the call's
 * key) makes a [0, index] batch succeed with only position 1 substituted
 * (zeros, its status in `statuses`); chexpert_batch_verify gives the status
 * and the message (needle and file name). "unprivileged" lines
 * run in a forked child that drops to uid 65534 first (root ignores file
 * modes). open lines: chexpert_dataset_open's status and message, within
 * OPEN_SECONDS for the adversarial CSV shapes; the cases confinement refuses
 * open with CHEXPERT_KEY_CONFINE_PATHS = 0 (check_unconfined). No message
 * holds bytes read from a file (FORBIDDEN).
 * Plus chexpert_batch_verify over every row of the images dataset, and the
 * number of open file descriptors before and after all of it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

/* The user unprivileged lines run as (nobody). */
#define UNPRIVILEGED_UID 65534
/* A line that takes longer is hung (a FIFO read that blocks, say): SIGALRM
 * ends the program. Generous for valgrind. */
#define CASE_SECONDS 300
#define RESIZED 32
#define MAX_IMAGE_BYTES ((size_t)64 << 20)
/* make_corpus.py's FORBIDDEN_IN_MESSAGES: bytes of files (the text-bytes
 * image's secret, libjpeg's quoted marker byte, /etc/passwd's start) that no
 * message may hold. */
static const char *const FORBIDDEN[] = {"chexpert-corpus-secret-5e1f0c", "0x4b", "root:"};
/* make_corpus.py's TIMED_CSV_CASES and OPEN_SECONDS (x20 under valgrind). */
static const char *const TIMED[] = {"csv/wide-header", "csv/long-line", "csv/long-cell"};
#define OPEN_SECONDS 5.0

typedef struct entry {
    char *kind, *root, *split, *status_name, *needle, *privilege;
    int64_t index;
    int status;
    int line;
} entry;

static const char *out_dir;
static entry *entries;
static size_t entry_count;
static uint8_t *control;          /* images train row 0, from a fresh handle */
static size_t control_bytes;

static char *join(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    char *s = xmalloc(n + m + 2);
    memcpy(s, a, n);
    s[n] = '/';
    memcpy(s + n + 1, b, m + 1);
    return s;
}

static int status_value(const char *name) {
    for (int s = 0; s >= -64; s--)
        if (strcmp(chexpert_status_name(s), name) == 0) return s;
    fprintf(stderr, "manifest: unknown status %s\n", name);
    exit(2);
}

static int count_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) return -1;
    int count = 0;
    while (readdir(dir) != NULL) count++;
    closedir(dir);
    return count;
}

/* Reads manifest.tsv: raw bytes, 7 tab-separated fields a line, `#` comments. */
static char *read_manifest(int argc, char **argv) {
    char *path = join(out_dir, "manifest.tsv");
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        exit(2);
    }
    free(path);
    size_t size = 0, capacity = 1 << 16;
    char *text = xmalloc(capacity);
    size_t got;
    while ((got = fread(text + size, 1, capacity - size - 1, file)) > 0) {
        size += got;
        if (capacity - size - 1 == 0) {
            capacity *= 2;
            char *bigger = realloc(text, capacity);
            if (bigger == NULL) exit(2);
            text = bigger;
        }
    }
    fclose(file);
    text[size] = '\0';

    size_t lines = 0;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';
    entries = xmalloc((lines + 1) * sizeof *entries);
    int number = 0;
    for (char *line = text, *next; line != NULL && *line; line = next) {
        number++;
        next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        if (*line == '#' || *line == '\0') continue;
        char *fields[7];
        int n = 0;
        for (char *field = line; n < 7; n++) {
            fields[n] = field;
            char *tab = strchr(field, '\t');
            if (tab == NULL) {
                n++;
                break;
            }
            *tab = '\0';
            field = tab + 1;
        }
        if (n != 7) {
            fprintf(stderr, "manifest.tsv:%d: %d fields, expected 7\n", number, n);
            exit(2);
        }
        int skipped = 0;
        for (int i = 2; i + 1 < argc; i += 2)
            if (strcmp(argv[i], "--skip") == 0 && strcmp(argv[i + 1], fields[1]) == 0) skipped = 1;
        if (skipped) {
            printf("skipped (--skip): manifest.tsv:%d %s\n", number, fields[1]);
            continue;
        }
        entry *e = &entries[entry_count++];
        e->kind = fields[0];
        e->root = fields[1];
        e->split = fields[2];
        e->index = strtoll(fields[3], NULL, 10);
        e->status_name = fields[4];
        e->status = status_value(fields[4]);
        e->needle = fields[5];
        e->privilege = fields[6];
        e->line = number;
    }
    return text;
}

static int split_id(const entry *e) {
    if (strcmp(e->split, "train") == 0) return CHEXPERT_SPLIT_TRAIN;
    if (strcmp(e->split, "validation") == 0) return CHEXPERT_SPLIT_VALIDATION;
    fprintf(stderr, "manifest.tsv:%d: unknown split %s\n", e->line, e->split);
    exit(2);
}

/* The image's file name: its CSV Path cell after the last '/'. */
static char *file_name(const chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    OK(chexpert_example_name(ds, split, index, NULL, 0, &size));
    char *name = xmalloc(size);
    OK(chexpert_example_name(ds, split, index, name, size, NULL));
    char *slash = strrchr(name, '/');
    char *base = strdup(slash ? slash + 1 : name);
    free(name);
    return base;
}

/* Decodes train row 0 of `ds`; the caller frees it. */
static uint8_t *read_control(const chexpert_dataset *ds, size_t *out_bytes) {
    int32_t h = 0, w = 0;
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &h, &w));
    size_t bytes = (size_t)h * (size_t)w * 3;
    uint8_t *image = xmalloc(bytes);
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    *out_bytes = bytes;
    return image;
}

static void expect_control(const chexpert_dataset *ds) {
    size_t bytes = 0;
    uint8_t *image = read_control(ds, &bytes);
    CHECK(bytes == control_bytes && memcmp(image, control, bytes) == 0);
    free(image);
}

/* No message holds bytes read from a file. */
static void no_file_bytes(const char *message) {
    for (size_t i = 0; i < sizeof FORBIDDEN / sizeof FORBIDDEN[0]; i++) {
        if (strstr(message, FORBIDDEN[i]) != NULL) fprintf(stderr, "message \"%s\" holds \"%s\"\n", message, FORBIDDEN[i]);
        CHECK(strstr(message, FORBIDDEN[i]) == NULL);
    }
}

/* The failing call's message names the case. */
static void message_names(const entry *e, const char *file) {
    if (e->status == CHEXPERT_OK) return;
    MESSAGE_HAS(e->needle);
    MESSAGE_HAS(file);
    no_file_bytes(chexpert_last_error());
}

/* One resized batch of `count` indices at 32x32x3 uint8 into `out`, one
 * thread; `on_error` 0 for the handle's policy. */
static int read_resized(const chexpert_dataset *ds, int split, const int64_t *indices, size_t count,
                        int64_t on_error, uint8_t *out, int32_t *statuses) {
    chexpert_params *params = NULL;
    OK(chexpert_params_create(&params));
    OK(chexpert_params_set(params, CHEXPERT_KEY_HEIGHT, RESIZED));
    OK(chexpert_params_set(params, CHEXPERT_KEY_WIDTH, RESIZED));
    OK(chexpert_params_set(params, CHEXPERT_KEY_THREADS, 1));
    if (on_error != 0) OK(chexpert_params_set(params, CHEXPERT_KEY_ON_ERROR, on_error));
    int status = chexpert_batch_resized(ds, split, indices, count, params, out, count * RESIZED * RESIZED * 3,
                                        statuses);
    /* chexpert_params_free sets no error: the batch's message stays. */
    chexpert_params_free(params);
    return status;
}

/* A substituted [good, case] batch: the case's status at position 1 only,
 * a zero image there, the good image at position 0. */
static void check_substituted(const entry *e, const uint8_t *good, uint8_t (*resized)[RESIZED * RESIZED * 3],
                              const int32_t *statuses) {
    CHECK(memcmp(resized[0], good, sizeof resized[0]) == 0);
    CHECK(statuses[0] == CHEXPERT_OK);
    CHECK(statuses[1] == e->status);
    if (e->status != CHEXPERT_OK) {
        int zeros = 1;
        for (size_t i = 0; i < sizeof resized[1]; i++) zeros &= resized[1][i] == 0;
        CHECK(zeros);
    }
}

static void check_example(const entry *e) {
    char *root = join(out_dir, e->root);
    int split = split_id(e);
    int64_t index = e->index;
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    char resolved[16384];
    OK(chexpert_dataset_root(ds, resolved, sizeof resolved, NULL));
    CHECK(strstr(resolved, e->root) != NULL);      /* the root's bytes, not re-encoded */
    char *file = file_name(ds, split, index);
    expect_control(ds);

    /* The size query, then the image with a buffer of the header's size. */
    int32_t h = 0, w = 0;
    int status = chexpert_example_image(ds, split, index, NULL, 0, &h, &w);
    if (status != CHEXPERT_OK || e->status == CHEXPERT_OK) {
        EXPECT(e->status, status);
        message_names(e, file);
    }
    if (status == CHEXPERT_OK) {
        size_t bytes = (size_t)h * (size_t)w * 3;
        CHECK(h > 0 && w > 0 && bytes <= MAX_IMAGE_BYTES);
        uint8_t *image = xmalloc(bytes);
        int32_t h2 = 0, w2 = 0;
        EXPECT(e->status, chexpert_example_image(ds, split, index, image, bytes, &h2, &w2));
        message_names(e, file);
        CHECK(h2 == h && w2 == w);
        free(image);
    }

    /* A resized batch of the one example. */
    uint8_t resized[2][RESIZED * RESIZED * 3];
    int32_t statuses[2] = {1, 1};
    EXPECT(e->status, read_resized(ds, split, &index, 1, 0, resized[0], statuses));
    message_names(e, file);
    if (e->status != CHEXPERT_OK) {
        char where[64];
        snprintf(where, sizeof where, "index %" PRId64 " of '%s'", index, chexpert_split_name(split));
        MESSAGE_HAS(where);
    }

    /* The failures left the handle usable. */
    expect_control(ds);
    uint8_t good[RESIZED * RESIZED * 3];
    int64_t zero = 0;
    OK(read_resized(ds, split, &zero, 1, 0, good, NULL));

    /* Substitution: [good, case], the handle's option. */
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    int64_t pair[2] = {0, index};
    memset(resized, 0xAB, sizeof resized);
    statuses[0] = statuses[1] = 1;
    OK(read_resized(ds, split, pair, 2, 0, resized[0], statuses));
    check_substituted(e, good, resized, statuses);
    /* ... and the call's key (the handle's RAISE again). */
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_RAISE));
    memset(resized, 0xAB, sizeof resized);
    statuses[0] = statuses[1] = 1;
    OK(read_resized(ds, split, pair, 2, CHEXPERT_ON_ERROR_SUBSTITUTE, resized[0], statuses));
    check_substituted(e, good, resized, statuses);
    EXPECT(e->status, read_resized(ds, split, pair, 2, 0, resized[0], statuses));
    message_names(e, file);

    /* Verify, with the message. */
    int32_t verified = 1;
    enum { MESSAGE_BYTES = 1 << 16 }; /* room for the long-path case's message */
    char *message = xmalloc(MESSAGE_BYTES);
    memset(message, 0xAB, MESSAGE_BYTES);
    OK(chexpert_batch_verify(ds, split, &index, 1, NULL, &verified, message, MESSAGE_BYTES));
    CHECK(verified == e->status);
    CHECK(memchr(message, 0, MESSAGE_BYTES) != NULL);
    if (e->status == CHEXPERT_OK) {
        CHECK(message[0] == 0);
    } else {
        if (strstr(message, e->needle) == NULL || strstr(message, file) == NULL)
            fprintf(stderr, "manifest.tsv:%d: verify message \"%s\" lacks \"%s\" or \"%s\"\n", e->line, message,
                    e->needle, file);
        CHECK(strstr(message, e->needle) != NULL);
        CHECK(strstr(message, file) != NULL);
        no_file_bytes(message);
    }
    free(message);

    expect_control(ds);
    chexpert_dataset_close(ds);
    free(file);
    free(root);
}

/* Unprivileged lines: in a child that is uid 65534 before it reads. */
static void check_example_unprivileged(const entry *e) {
    if (geteuid() != 0) {          /* the file modes apply to us already */
        check_example(e);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(UNPRIVILEGED_UID) != 0 || setuid(UNPRIVILEGED_UID) != 0) {
            perror("child: dropping to uid 65534");
            exit(3);
        }
        CHECK(geteuid() == UNPRIVILEGED_UID);
        check_example(e);
        printf("  child (uid %d): %d passed\n", UNPRIVILEGED_UID, passed);
        fflush(stdout);
        exit(0);
    }
    int wstatus = 0;
    CHECK(waitpid(pid, &wstatus, 0) == pid);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        fprintf(stderr, "manifest.tsv:%d: the unprivileged child failed (wait status %#x)\n", e->line, wstatus);
    CHECK(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CHEXPERT_KEY_CONFINE_PATHS = 0 restores TFDS's os.path.join: the refused
 * CSV opens, and row 1 is read from outside the dataset folder: a good JPEG
 * (csv/dotdot-path), or /etc/passwd (csv/absolute-path): E_IMAGE, "text",
 * no byte of it in the message. The option is read back; set_option refuses it. */
static void check_unconfined(const entry *e, const char *root) {
    int absolute = strcmp(e->root, "csv/absolute-path") == 0;
    if (!absolute && strcmp(e->root, "csv/dotdot-path") != 0) return;
    chexpert_params *options = NULL;
    OK(chexpert_params_create(&options));
    int64_t value = -1;
    OK(chexpert_params_get(options, CHEXPERT_KEY_CONFINE_PATHS, &value));
    CHECK(value == 1);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(options, CHEXPERT_KEY_CONFINE_PATHS, 2));
    OK(chexpert_params_set(options, CHEXPERT_KEY_CONFINE_PATHS, 0));
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, options));
    chexpert_params_free(options);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_CONFINE_PATHS, &value));
    CHECK(value == 0);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_CONFINE_PATHS, 1));
    MESSAGE_HAS("chexpert_dataset_open");
    int32_t h = 0, w = 0;
    if (absolute) {
        EXPECT(CHEXPERT_E_IMAGE, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, NULL, 0, &h, &w));
        MESSAGE_HAS("/etc/passwd: text, not JPEG data");
        no_file_bytes(chexpert_last_error());
    } else {
        OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, NULL, 0, &h, &w));
        CHECK(h > 0 && w > 0);
    }
    chexpert_dataset_close(ds);
}

static void check_open(const entry *e) {
    char *root = join(out_dir, e->root);
    chexpert_dataset *ds = (chexpert_dataset *)(uintptr_t)1;   /* must be overwritten */
    double started = now();
    EXPECT(e->status, chexpert_dataset_open(&ds, root, NULL));
    double seconds = now() - started;
    for (size_t i = 0; i < sizeof TIMED / sizeof TIMED[0]; i++) {
        if (strcmp(e->root, TIMED[i]) != 0) continue;
        /* Linear time: milliseconds; the bound only catches a quadratic parse.
         * Valgrind (its preload in LD_PRELOAD) runs code ~50x slower. */
        const char *preload = getenv("LD_PRELOAD");
        double bound = OPEN_SECONDS * (preload != NULL && strstr(preload, "vgpreload") != NULL ? 20 : 1);
        if (seconds >= bound) fprintf(stderr, "%s: open took %.1f s (bound %.0f s)\n", e->root, seconds, bound);
        CHECK(seconds < bound);
    }
    if (e->status == CHEXPERT_OK) {
        int64_t confined = -1;
        OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_CONFINE_PATHS, &confined));
        CHECK(confined == 1);
        for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
            int64_t size = 0;
            OK(chexpert_split_size(ds, split, &size));
            CHECK(size >= 1);
        }
        chexpert_dataset_close(ds);
    } else {
        MESSAGE_HAS(e->needle);
        CHECK(ds == NULL);
    }
    check_unconfined(e, root);
    free(root);
}

/* chexpert_batch_verify over every row of the images dataset's splits:
 * exactly the manifest's failing rows (as root the unreadable one reads). */
static void check_verify_all(void) {
    char *root = join(out_dir, "images");
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        int64_t size = 0;
        OK(chexpert_split_size(ds, split, &size));
        int64_t *indices = xmalloc((size_t)size * sizeof *indices);
        int32_t *statuses = xmalloc((size_t)size * sizeof *statuses);
        int32_t *expected = xmalloc((size_t)size * sizeof *expected);
        for (int64_t i = 0; i < size; i++) {
            indices[i] = i;
            expected[i] = CHEXPERT_OK;
        }
        for (size_t k = 0; k < entry_count; k++) {
            const entry *e = &entries[k];
            if (strcmp(e->kind, "example") != 0 || strcmp(e->root, "images") != 0 || split_id(e) != split)
                continue;
            CHECK(e->index >= 0 && e->index < size);
            int status = e->status;
            if (strcmp(e->privilege, "unprivileged") == 0) {
                size_t name_size = 0;
                OK(chexpert_example_name(ds, split, e->index, NULL, 0, &name_size));
                char *name = xmalloc(name_size);
                OK(chexpert_example_name(ds, split, e->index, name, name_size, NULL));
                char *path = join(root, name);
                if (access(path, R_OK) == 0) status = CHEXPERT_OK;
                free(path);
                free(name);
            }
            expected[e->index] = status;
        }
        chexpert_params *params = NULL;
        OK(chexpert_params_create(&params));
        OK(chexpert_params_set(params, CHEXPERT_KEY_THREADS, 2));
        OK(chexpert_batch_verify(ds, split, indices, (size_t)size, params, statuses, NULL, 0));
        chexpert_params_free(params);
        int failing = 0;
        for (int64_t i = 0; i < size; i++) {
            if (statuses[i] != expected[i])
                fprintf(stderr, "verify %s[%" PRId64 "]: %s, expected %s\n", chexpert_split_name(split), i,
                        chexpert_status_name(statuses[i]), chexpert_status_name(expected[i]));
            CHECK(statuses[i] == expected[i]);
            failing += statuses[i] != CHEXPERT_OK;
        }
        printf("verify %s: %" PRId64 " rows, %d failing as expected\n", chexpert_split_name(split), size, failing);
        free(indices);
        free(statuses);
        free(expected);
    }
    chexpert_dataset_close(ds);
    free(root);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: %s OUT_DIR [--skip ROOT]...   (OUT_DIR from Tests/corpus/make_corpus.py)\n",
                argv[0]);
        return 2;
    }
    out_dir = argv[1];
    int fds_before = count_fds();
    char *text = read_manifest(argc, argv);
    CHECK(entry_count > 0);

    char *images = join(out_dir, "images");
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, images, NULL));
    control = read_control(ds, &control_bytes);
    chexpert_dataset_close(ds);
    free(images);

    int examples = 0, opens = 0;
    for (size_t k = 0; k < entry_count; k++) {
        const entry *e = &entries[k];
        printf("manifest.tsv:%d: %s %.60s%s %s[%" PRId64 "] %s\n", e->line, e->kind, e->root,
               strlen(e->root) > 60 ? "..." : "", e->split, e->index, e->status_name);
        fflush(stdout);
        alarm(CASE_SECONDS);
        if (strcmp(e->kind, "open") == 0) {
            check_open(e);
            opens++;
        } else if (strcmp(e->kind, "example") == 0) {
            if (strcmp(e->privilege, "unprivileged") == 0)
                check_example_unprivileged(e);
            else
                check_example(e);
            examples++;
        } else {
            fprintf(stderr, "manifest.tsv:%d: unknown kind %s\n", e->line, e->kind);
            return 2;
        }
        alarm(0);
    }
    check_verify_all();

    free(control);
    free(entries);
    free(text);
    CHECK(count_fds() == fds_before);
    printf("%d example and %d open lines checked\n", examples, opens);
    CHECK_SUMMARY();
    return 0;
}
