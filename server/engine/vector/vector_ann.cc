/*
 * server/engine/vector/vector_ann.cc: the HNSW graph of vector_ann.h, on hnswlib.
 *
 * hnswlib reports failures by exceptions; none crosses into C: every entry point catches them.
 */
#include "server/engine/vector/vector_ann.h"
#include "server/base/deferred_init.h"

#include <cmath>
#include <new>
#include <vector>

#include <hnswlib/hnswlib.h>

namespace {
/* The graph's shape: M links a node (2M at the bottom layer) and the candidates kept while
   inserting. 16 and 200 are hnswlib's defaults; bench/vector_bench.py measures the recall. */
const size_t kLinks = 16, kEfConstruction = 200;
}

struct ddb_ann {
    unsigned dims;
    bool normalize;
    hnswlib::SpaceInterface<float> *space;
    hnswlib::HierarchicalNSW<float> *hnsw;
};

/* COSINE's vector as the graph stores it: unit length (a zero vector stays zero). */
static void unit(const float *v, unsigned dims, std::vector<float> &out)
{
    double n2 = 0;

    out.assign(v, v + dims);
    for (unsigned i = 0; i < dims; i++)
        n2 += (double)v[i] * v[i];
    if (n2 > 0) {
        float inv = (float)(1.0 / std::sqrt(n2));
        for (unsigned i = 0; i < dims; i++)
            out[i] *= inv;
    }
}

extern "C" ddb_ann *ddb_ann_new(unsigned dims, ddb_vector_metric m, size_t capacity, size_t ef)
{
    ddb_ann *g;

    ddb_deferred_init(); /* libstdc++'s and this file's static initialisers (deferred_init.h) */
    if ((g = new (std::nothrow) ddb_ann()) == nullptr)
        return nullptr;
    try {
        g->dims = dims;
        g->normalize = m == DDB_VEC_COSINE;
        if (m == DDB_VEC_EUCLIDEAN)
            g->space = new hnswlib::L2Space(dims);
        else
            g->space = new hnswlib::InnerProductSpace(dims);
        /* a fixed seed: the same insertions in the same order give the same graph */
        g->hnsw = new hnswlib::HierarchicalNSW<float>(g->space, capacity ? capacity : 1, kLinks, kEfConstruction, 100);
        g->hnsw->setEf(ef);
        return g;
    } catch (...) {
        delete g->space;
        delete g;
        return nullptr;
    }
}

extern "C" void ddb_ann_free(ddb_ann *g)
{
    if (g == nullptr)
        return;
    delete g->hnsw;
    delete g->space;
    delete g;
}

extern "C" int ddb_ann_reserve(ddb_ann *g, size_t n)
{
    try {
        if (n > g->hnsw->max_elements_)
            g->hnsw->resizeIndex(n);
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" int ddb_ann_set(ddb_ann *g, size_t label, const float *vec)
{
    try {
        std::vector<float> u;
        if (g->normalize) {
            unit(vec, g->dims, u);
            vec = u.data();
        }
        /* a new label past the capacity: double it (the caller runs no other set beside this one) */
        if (g->hnsw->cur_element_count >= g->hnsw->max_elements_ &&
            g->hnsw->label_lookup_.find(label) == g->hnsw->label_lookup_.end())
            g->hnsw->resizeIndex(g->hnsw->max_elements_ * 2);
        g->hnsw->addPoint(vec, label);
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" void ddb_ann_unset(ddb_ann *g, size_t label)
{
    try {
        auto it = g->hnsw->label_lookup_.find(label);
        if (it != g->hnsw->label_lookup_.end() && !g->hnsw->isMarkedDeleted(it->second))
            g->hnsw->markDelete(label);
    } catch (...) {
    }
}

extern "C" size_t ddb_ann_search(const ddb_ann *g, const float *q, size_t k, size_t *labels)
{
    try {
        std::vector<float> u;
        size_t n = 0;
        if (g->normalize) {
            unit(q, g->dims, u);
            q = u.data();
        }
        auto found = g->hnsw->searchKnn(q, k);
        while (!found.empty() && n < k) {
            labels[n++] = found.top().second;
            found.pop();
        }
        return n;
    } catch (...) {
        return 0;
    }
}
