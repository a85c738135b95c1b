/*
 * server/engine/xfer/bulk_batch.c: a load's records read ahead into batches (see bulk_batch.h).
 */
#include "server/engine/xfer/bulk_batch.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/gate.h"
#include "server/base/wake.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/item.h"
#include "server/engine/mutation.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/csv.h"
#include "server/engine/xfer/reader.h"

/* Commits the second half of each batch it is given. */
static void *helper_thread(void *arg)
{
    ddb_bulk_reader *r = arg;
    ddb_gate_hold h;

    pthread_mutex_lock(&r->hlock);
    for (;;) {
        ddb_bulk_batch *b;
        while (r->job == NULL && !r->helper_quit)
            pthread_cond_wait(&r->hcond, &r->hlock);
        if (r->job == NULL)
            break;
        b = r->job;
        pthread_mutex_unlock(&r->hlock);
        ddb_catalog_hold(r->eng->catalog, &h); /* a retired table's commit reads the live one */
        r->job_units = ddb_xfer_commit(r->eng, &b->arena2, b->ms + b->nfirst, b->nms - b->nfirst);
        ddb_catalog_unhold(r->eng->catalog, &h);
        pthread_mutex_lock(&r->hlock);
        r->job = NULL;
        r->job_done = 1;
        pthread_cond_broadcast(&r->hcond);
    }
    pthread_mutex_unlock(&r->hlock);
    return NULL;
}

void ddb_bulk_reader_init(ddb_bulk_reader *r, ddb_engine *eng, const ddb_xfer_target *to, int ion,
                          ddb_xfer_csv *csv, double rate)
{
    memset(r, 0, sizeof(*r));
    r->eng = eng;
    r->to = *to;
    r->ion = ion;
    r->csv = csv;
    r->max_units = rate / 10;
    for (int k = 0; k < 2; k++) {
        ddb_arena_init(&r->b[k].arena);
        ddb_arena_init(&r->b[k].arena2);
        if ((r->b[k].ms = calloc(DDB_BULK_BATCH_ITEMS, sizeof(*r->b[k].ms))) == NULL ||
            (r->b[k].prepared = calloc(DDB_BULK_BATCH_ITEMS, sizeof(*r->b[k].prepared))) == NULL)
            abort();
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    pthread_mutex_init(&r->hlock, NULL);
    pthread_cond_init(&r->hcond, NULL);
    if (pthread_create(&r->helper, NULL, helper_thread, r) != 0)
        abort();
}

/* Whether the batch holds a put of this key already, else notes it. */
static int seen_before(ddb_bulk_batch *b, const ddb_key *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    size_t i;

    for (size_t k = 0; k < key->len; k++)
        h = (h ^ (unsigned char)key->bytes[k]) * 1099511628211ull;
    h |= 1;
    for (i = h % (2 * DDB_BULK_BATCH_ITEMS); b->seen[i] != 0; i = (i + 1) % (2 * DDB_BULK_BATCH_ITEMS)) {
        if (b->seen[i] != h)
            continue;
        for (size_t j = 0; j < b->nms; j++)
            if (b->prepared[j].key.len == key->len && memcmp(b->prepared[j].key.bytes, key->bytes, key->len) == 0)
                return 1;
    }
    b->seen[i] = h;
    return 0;
}

/* The puts by half (the parity of their partition hash), each half in line order; the lines' put
   numbers follow them. */
static void split(ddb_bulk_batch *b)
{
    size_t at[2] = {0, 0}, to[DDB_BULK_BATCH_ITEMS];

    for (size_t i = 0; i < b->nms; i++)
        at[1] += (b->prepared[i].key.part_hash & 1) == 0;
    b->nfirst = at[1];
    for (size_t i = 0; i < b->nms; i++) {
        int h = (int)(b->prepared[i].key.part_hash & 1);
        to[i] = at[h]++;
        b->ms[to[i]] = b->prepared[i];
    }
    for (size_t i = 0; i < b->nlines; i++)
        if (b->lines[i].put >= 0)
            b->lines[i].put = (int)to[b->lines[i].put];
}

/* The header of a CSV object, read whole (one past DDB_XFER_MAX_RECORD is taken as read so far). */
static void csv_header(ddb_bulk_reader *r)
{
    ddb_xfer_object *o = r->obj;

    for (;;) {
        const char *p = o->text + o->start;
        int more = o->end - o->start < DDB_XFER_MAX_RECORD && !o->done;
        if (ddb_xfer_csv_header(r->csv, &p, o->text + o->end, !more) >= 0) {
            o->start = (size_t)(p - o->text);
            return;
        }
        if (ddb_xfer_object_more(o) < 0)
            return;
    }
}

/* The next CSV record (see next_record); one longer than DDB_XFER_MAX_RECORD is an error of its
   own and reading goes on at the next line's start past its first DDB_XFER_MAX_RECORD bytes. */
static int next_csv(ddb_bulk_reader *r, ddb_bulk_batch *b, const char **s, size_t *len, const char **msg, int before)
{
    ddb_xfer_object *o = r->obj;

    ddb_xfer_object_resync(o);
    for (;;) {
        const char *p = o->text + o->start;
        int rc = ddb_xfer_csv_next(r->csv, &p, o->text + o->end, o->done, before ? NULL : r->to.table, &b->body, msg);
        *s = o->text + o->start;
        o->rec_start = o->start;
        if (rc >= 0) {
            *len = (size_t)(p - *s);
            o->start = (size_t)(p - o->text);
            return rc;
        }
        if (o->end - o->start >= DDB_XFER_MAX_RECORD) {
            *len = 1024;
            *msg = DDB_XFER_TOO_LONG;
            o->start = o->end;
            ddb_xfer_object_skip_line(o);
            return 1;
        }
        if (ddb_xfer_object_more(o) < 0)
            return 0;
    }
}

/* Whether the object's first record is gzip data read as text: its InputCompressionType said NONE. */
static int undeclared_gzip(const ddb_bulk_reader *r, const char *s, size_t len)
{
    return r->line == 0 && r->obj->comp == DDB_COMP_NONE && len >= 2 && (unsigned char)s[0] == 0x1f &&
           (unsigned char)s[1] == 0x8b;
}

/* The next record of a DYNAMODB_JSON or ION line: the line's next object when it holds several
   (DYNAMODB_JSON), else the object's next line (1), or 0 at the end. */
static int next_line_record(ddb_bulk_reader *r, const char **s, size_t *len, int *too_long)
{
    size_t n;

    *too_long = 0;
    r->from_rest = 0;
    if (r->rest == NULL) {
        if (r->dead || !ddb_xfer_object_line(r->obj, s, len, too_long))
            return 0;
        if (*too_long || r->ion)
            return 1;
        r->rest = *s;
        r->rest_end = *s + *len;
    }
    r->from_rest = 1;
    *s = r->rest;
    n = ddb_xfer_json_value_len(r->rest, (size_t)(r->rest_end - r->rest));
    *len = n;
    r->rest += n;
    while (r->rest < r->rest_end && (*r->rest == ' ' || *r->rest == '\t'))
        r->rest++;
    if (r->rest == r->rest_end)
        r->rest = NULL;
    return 1;
}

/* A record's item through an anonymised import's rules (anon.h): its new doc, or the error of an
   item they cannot apply to; an incremental export's record (no Item: its NewImage) is read too. */
static const char *anonymise(ddb_bulk_reader *r, ddb_bulk_batch *b, const char *msg, const ddb_json **doc,
                             const char *s, size_t len)
{
    if (r->anon == NULL)
        return msg;
    if (r->ion && msg != NULL && strstr(msg, DDB_ANON_ION_NO_ITEM) != NULL)
        msg = ddb_anon_ion_incremental(&b->arena, &r->scratch, s, len, doc);
    if (*doc == NULL || (msg != NULL && strcmp(msg, DDB_XFER_NO_ITEM) != 0))
        return msg;
    return ddb_anon_apply(r->anon, &b->arena, *doc, doc);
}

/* The next record of the object past the checkpoint (those before it are passed over, not made
   items): its text in *s, *len (the object's window: valid until the next call) and its parsed
   record in *doc (*msg NULL), or the error of a record that holds no item (*msg); 0 at the end. */
static int next_record(ddb_bulk_reader *r, ddb_bulk_batch *b, const char **s, size_t *len, const ddb_json **doc,
                       const char **msg, char *err, size_t err_len)
{
    if (r->need_header) {
        csv_header(r);
        r->need_header = 0;
    }
    for (;;) {
        int before = r->line < r->skip, too_long = 0;
        if (r->csv != NULL) {
            if (!next_csv(r, b, s, len, msg, before))
                return 0;
            if (!before && *msg == NULL) {
                *msg = ddb_xfer_parse_record(&b->arena, b->body.data, b->body.len, doc);
                if (*msg != NULL && strcmp(*msg, DDB_XFER_NOT_JSON) == 0)
                    *msg = DDB_XFER_CSV_NOT_UTF8; /* (its fields are escaped: only their bytes can be no JSON) */
                else
                    *msg = anonymise(r, b, *msg, doc, NULL, 0);
            }
        } else if (!next_line_record(r, s, len, &too_long)) {
            return 0;
        } else if (undeclared_gzip(r, *s, *len)) {
            *msg = DDB_XFER_GZIP_UNDECLARED; /* the object's one record: nothing after it is read */
            r->dead = 1;
            r->rest = NULL;
            *len = *len < 64 ? *len : 64;
            return 1;
        } else if (!before) {
            *msg = too_long ? DDB_XFER_TOO_LONG
                            : ddb_xfer_line_doc(r->ion, *s, *len, &b->arena, &r->scratch, doc, err, err_len);
            *msg = anonymise(r, b, *msg, doc, *s, *len);
            if (r->unmapped_ends && *msg != NULL &&
                (strcmp(*msg, DDB_XFER_NO_ITEM) == 0 || strcmp(*msg, DDB_XFER_NOT_JSON) == 0)) {
                r->dead = 1; /* the record is the object's last: what follows it is not read */
                r->rest = NULL;
            }
        }
        if (!before)
            return 1;
        r->line++; /* done before the checkpoint */
    }
}

/* Takes the record that starts at s back: it starts the next batch. */
static void unread(ddb_bulk_reader *r, const char *s)
{
    if (r->from_rest)
        r->rest = s; /* a DYNAMODB_JSON line's object: its line is still in the window */
    else
        r->obj->start = r->obj->rec_start;
}

/* Prepares the next records into b, checked as PutItem checks them (ddb_xfer_prepare, in PutItem's order). */
static void fill(ddb_bulk_reader *r, ddb_bulk_batch *b)
{
    double units = 0;
    size_t text = 0;

    ddb_arena_reset(&b->arena);
    ddb_arena_reset(&b->arena2);
    b->nlines = b->nms = b->bytes = 0;
    b->last = 0;
    memset(b->seen, 0, sizeof(b->seen));
    while (b->nlines < DDB_BULK_BATCH_ITEMS && b->bytes < DDB_BULK_BATCH_BYTES && text < DDB_BULK_BATCH_BYTES &&
           (r->max_units <= 0 || units < r->max_units)) {
        const char *s, *msg = NULL;
        const ddb_json *doc = NULL;
        char err[256];
        size_t len;
        ddb_mutation *m = &b->prepared[b->nms];
        if (!next_record(r, b, &s, &len, &doc, &msg, err, sizeof(err))) {
            b->last = 1;
            break;
        }
        if (msg == NULL)
            msg = ddb_xfer_prepare(r->eng, &b->arena, &r->to, doc, m);
        else
            msg = ddb_arena_strndup(&b->arena, msg, strlen(msg)); /* (err[] is this frame's) */
        /* --write-conflict-rate applies to each put as to a PutItem (the batch's commit draws none) */
        if (msg == NULL && ddb_mutation_contended(r->eng))
            msg = "Transaction is ongoing for the item";
        if (msg == NULL && seen_before(b, &m->key)) {
            unread(r, s); /* its key is in this batch already: it starts the next one */
            break;
        }
        text += len;
        s = ddb_arena_strndup(&b->arena, s, len); /* (the window moves on) */
        b->lines[b->nlines++] = (ddb_bulk_line){s, len, r->line++, msg, msg == NULL ? (int)b->nms : -1};
        if (msg == NULL) {
            size_t size = ddb_item_size(m->item);
            b->nms++;
            b->bytes += size;
            units += ddb_write_units(size);
        }
    }
    b->next = r->line;
    split(b);
}

static void *reader_thread(void *arg)
{
    ddb_bulk_reader *r = arg;
    ddb_gate_hold h; /* it reads the table for the worker's job, which outlasts it (catalog.h) */

    ddb_catalog_hold(r->eng->catalog, &h);
    for (int k = 0;; k ^= 1) {
        int quit;
        pthread_mutex_lock(&r->lock);
        while (r->filled[k] && !r->quit)
            pthread_cond_wait(&r->cond, &r->lock);
        quit = r->quit;
        pthread_mutex_unlock(&r->lock);
        if (quit)
            break;
        fill(r, &r->b[k]);
        pthread_mutex_lock(&r->lock);
        r->filled[k] = 1;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        if (r->b[k].last)
            break;
    }
    ddb_catalog_unhold(r->eng->catalog, &h);
    return NULL;
}

void ddb_bulk_reader_start(ddb_bulk_reader *r, ddb_xfer_object *obj, long long skip)
{
    r->obj = obj;
    r->rest = NULL;
    r->dead = 0;
    r->need_header = r->csv != NULL;
    r->line = 0;
    r->skip = skip;
    r->filled[0] = r->filled[1] = 0;
    r->taken = -1;
    r->quit = 0;
    if (pthread_create(&r->thread, NULL, reader_thread, r) != 0)
        abort();
    r->started = 1;
}

ddb_bulk_batch *ddb_bulk_reader_next(ddb_bulk_reader *r)
{
    int k = r->taken < 0 ? 0 : r->taken ^ 1;

    pthread_mutex_lock(&r->lock);
    if (r->taken >= 0) { /* the batch the caller had goes back to the reader */
        r->filled[r->taken] = 0;
        pthread_cond_broadcast(&r->cond);
    }
    while (!r->filled[k])
        pthread_cond_wait(&r->cond, &r->lock);
    r->taken = k;
    pthread_mutex_unlock(&r->lock);
    return &r->b[k];
}

double ddb_bulk_batch_commit(ddb_bulk_reader *r, ddb_bulk_batch *b)
{
    double units;

    if (b->nfirst == 0 || b->nfirst == b->nms) /* one half: no helper needed */
        return b->nms > 0 ? ddb_xfer_commit(r->eng, &b->arena, b->ms, b->nms) : 0;
    pthread_mutex_lock(&r->hlock);
    r->job = b;
    r->job_done = 0;
    pthread_cond_broadcast(&r->hcond);
    pthread_mutex_unlock(&r->hlock);
    units = ddb_xfer_commit(r->eng, &b->arena, b->ms, b->nfirst);
    pthread_mutex_lock(&r->hlock);
    while (!r->job_done)
        pthread_cond_wait(&r->hcond, &r->hlock);
    units += r->job_units;
    pthread_mutex_unlock(&r->hlock);
    return units;
}

void ddb_bulk_reader_stop(ddb_bulk_reader *r)
{
    if (!r->started)
        return;
    ddb_wake_raise(&r->lock, &r->cond, &r->quit);
    pthread_join(r->thread, NULL);
    r->started = 0;
}

void ddb_bulk_reader_free(ddb_bulk_reader *r)
{
    ddb_bulk_reader_stop(r);
    ddb_wake_raise(&r->hlock, &r->hcond, &r->helper_quit);
    pthread_join(r->helper, NULL);
    for (int k = 0; k < 2; k++) {
        ddb_arena_free(&r->b[k].arena);
        ddb_arena_free(&r->b[k].arena2);
        ddb_buf_free(&r->b[k].body);
        free(r->b[k].ms);
        free(r->b[k].prepared);
    }
    ddb_buf_free(&r->scratch);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->hlock);
    pthread_cond_destroy(&r->hcond);
}
