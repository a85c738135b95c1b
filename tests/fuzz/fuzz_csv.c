/*
 * tests/fuzz/fuzz_csv.c: libFuzzer target for ImportTable's CSV reader (server/engine/xfer/csv.c),
 * which reads an object as a stream: a record that goes on past the text read so far is read again
 * once more has come. The input's first byte picks the delimiter (',', tab, '|') and whether a
 * HeaderList is given, its second where the text read first ends and how much comes each time
 * after it; the rest is the object. Properties: read in those pieces, the object makes the same
 * PutItem bodies and refusals as read whole (where the reads end is the network's, not the
 * file's); every body reads back as a record with an Item, unless its bytes are not Unicode (a
 * field that is not UTF-8 is copied as it is: ImportTable then fails that record as no JSON).
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_csv -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json.h"
#include "server/engine/xfer/csv.h"
#include "server/engine/xfer/reader.h"

static const char HEADER[] = "[\"pk\",\"n\",\"b\"]";
static const char DEFS[] = "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                           "{\"AttributeName\":\"n\",\"AttributeType\":\"N\"},"
                           "{\"AttributeName\":\"b\",\"AttributeType\":\"B\"}]";

/* What reading text makes, one body or refusal a line, the first read ending at `first` (len:
   whole) and each later one `step` further. */
static void read_object(ddb_arena *a, const ddb_json *header, const char *text, size_t len, size_t first, size_t step,
                        char delim, ddb_buf *out)
{
    const ddb_json *doc;
    ddb_xfer_csv c;
    ddb_buf body = {0};
    const char *p = text, *msg;
    size_t avail = first;
    int rc;

    ddb_xfer_csv_init(&c, delim, header, ddb_json_parse(a, DEFS, sizeof(DEFS) - 1));
    while (ddb_xfer_csv_header(&c, &p, text + avail, avail == len) < 0) {
        if (avail == len)
            abort(); /* more asked for at the object's end */
        avail = avail + step < len ? avail + step : len;
    }
    for (;;) {
        body.len = 0;
        msg = NULL;
        rc = ddb_xfer_csv_next(&c, &p, text + avail, avail == len, "t", &body, &msg);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (avail == len)
                abort();
            avail = avail + step < len ? avail + step : len;
            continue;
        }
        if (msg != NULL) {
            ddb_buf_append(out, msg, strlen(msg));
        } else {
            if (ddb_json_unicode_error(body.data, body.len) == body.len &&
                ddb_xfer_parse_record(a, body.data, body.len, &doc) != NULL)
                abort(); /* a body that is no record */
            ddb_buf_append(out, body.data, body.len);
        }
        ddb_buf_putc(out, '\n');
    }
    ddb_buf_free(&body);
    ddb_xfer_csv_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {',', '\t', '|'};
    static ddb_arena arena;
    static int ready;
    ddb_buf whole = {0}, pieces = {0};
    const ddb_json *header;
    char *text;
    size_t len;

    if (size < 2)
        return 0;
    if (!ready) {
        ddb_arena_init(&arena);
        ready = 1;
    }
    ddb_arena_reset(&arena);
    len = size - 2;
    text = malloc(len); /* exactly the object's bytes: a read past them is caught */
    memcpy(text, data + 2, len);
    header = (data[0] & 4) ? ddb_json_parse(&arena, HEADER, sizeof(HEADER) - 1) : NULL;
    read_object(&arena, header, text, len, len, 1, delims[data[0] % 3], &whole);
    read_object(&arena, header, text, len, len * (data[1] >> 4) / 16, 1 + (data[1] & 15), delims[data[0] % 3],
                &pieces);
    if (whole.len != pieces.len || (whole.len > 0 && memcmp(whole.data, pieces.data, whole.len) != 0))
        abort(); /* read in pieces, the object made other items */
    ddb_buf_free(&whole);
    ddb_buf_free(&pieces);
    free(text);
    return 0;
}
