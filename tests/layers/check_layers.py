#!/usr/bin/env python3
"""The layers of server/ and proto/, checked: every include and every call runs down or across
the allowed dependencies, and no two files depend on each other, directly or round a circle.

usage: check_layers.py --rules FILE --root DIR [--objects DIR] [--list]

--rules names the layers and what each may use, one layer a line (CMakeLists.txt writes it from its
ddb_layer() calls, so the build and this check read one definition):

    <layer> <folder>[,<folder>...] : <layer it may use> ...

A file belongs to the layer that names it (a layer of one file: server/main.c), else to the layer
whose folder is the longest prefix of its path. A layer's folders after its first are its parts:
subfolders of the first whose files are the layer's own (the core's server/engine/catalog/, the
pipeline's server/api/validate/, auth/, faults/ and record/), not a sub-layer (rule 9). Checked:
  1. includes: every `#include "..."` of a source or header is folder-qualified from the one
     include root (the repository; the public headers as `ddb/...`), names a file that exists, and
     runs to the file's own layer or one it may use;
  2. calls: with --objects (the build tree), every symbol an object file uses that another defines
     (nm) runs the same way: a call or a data reference upward fails here even without an include;
  3. the libraries one place alone sees: <rocksdb/...> only in server/storage/rocksdb/, librados only
     in server/storage/rados/, h2o only in server/http/http.c, respond.c and their http_internal.h,
     hnswlib only in server/engine/vector/vector_ann.cc, libyaml only in
     server/seed/readers/seed_yaml.c;
  4. circles: no two modules (a source and its header: x.c and x.h) depend on each other, directly
     or round a loop. A dependency is a call (an object using a symbol another defines) or a
     header's include: what a header includes, every user of that header depends on (a source's
     own includes are covered by its calls). So table_stats.h including catalog.h while catalog.c
     calls table_stats.c is a circle, as two files calling each other is;
  5. the clock: only server/base/clock.[ch] reads the time (clock_gettime, time(), gettimeofday);
     everything else asks it for the server's, the monotonic or the system's clock (clock.h);
  6. spec and handler paired by name: the spec of each served operation (ddb_spec_<snake> in
     server/api/validate/validate_<x>.c) lives in the file named as its handler's (ddb_op_<snake> in
     server/ops/ops_<x>.c), as h2o pairs lib/ and handler/, so one name finds both halves of an
     operation. PAIRING_PENDING lists the operations not moved yet; it only shrinks (an entry
     that is paired now is reported too, so the list cannot go stale).
  7. names: a file whose opening comment names a source path (` * server/x/y.c: what it does`)
     names its own, so a file moved is not read as the one it was;
  8. capacity is charged once, by the pipeline: no file of server/ops/ calls a charge or throttle
     function (--enforce-capacity's buckets, the tables' consumed units, Contributor Insights'
     feeds, the meter's charge) or includes engine/capacity/throttle.h, in its text or (with --objects) its
     object's symbols. A handler records what it consumed on its request (engine/capacity/meter.h), and
     dispatch charges it after the handler returns (issue 53);
  9. folders are the layers (issue 55): every folder that holds sources is a layer's own folder (a
     new subfolder does not join its parent's layer unseen); a subfolder may use its parent (a
     sub-layer above it, as server/engine/jobs/ over server/engine/), never the reverse: a file of
     a parent folder includes or calls a subfolder's only when the parent's rule declares that
     subfolder a lower layer (server/'s own files over server/http/); and the rules themselves run
     one way: no layer both uses and is used by another, directly or round a circle. A folder
     declared a part of its parent's layer (a folder after the layer's first: engine's
     server/engine/catalog/, the tables' catalog, which the core's pipeline calls and which calls
     the core's table figures, so neither above nor below it) is that layer: its files use what
     the layer uses and, as its first folder's, no sub-layer above it, and the rules that hold the
     first folder's files (13) hold theirs. A part lies under its layer's first folder: a layer is
     one folder and its parts, not folders apart.
     PARENT_USES_PENDING lists the modules of a parent folder that still use a sub-layer above
     it; it only shrinks (an entry that uses none now is reported too), and is empty since
     server/engine/'s features register with the engine as rows (engine/feature.h,
     server/features.def: issue 63, item 1);
  10. engine state in the engine: with --objects, no object of server/engine/ defines a writable
     data, bss or thread-local symbol (objdump's .data*, .bss*, .tdata, .tbss; read-only data and
     relocated constants, .rodata and .data.rel.ro, are not state) other than ENGINE_PROCESS_WIDE's,
     each of which its source says why it must be one for the process. Two engines in one process
     (the in-process tests, an embedding) share nothing else: a switch, a table of buckets or a lock
     belongs in ddb_engine or a struct it reaches (issue 55).
  11. a table's capacity is typed once: no file of server/engine/capacity/ or server/doors/ reads a
     stored capacity member by name ("BillingMode", "ProvisionedThroughput", "OnDemandThroughput",
     "WarmThroughput", "ReadCapacityUnits", "WriteCapacityUnits" as a string in its code). The
     catalog types them into ddb_capacity when it builds a table version
     (catalog/catalog_members.c), and the throttle, the hot-partition forecast and the usage
     report ask the one capacity model (engine/capacity/capacity.h), so "is it provisioned, at
     what rate?" has one answer and no request parses it (issue 63, item 2).
  12. the doors stay off the store: no file of server/doors/ calls the store (ddb_store_*), names
     the key layout (DDB_KEY_*) or includes server/base/be.h or server/storage/storage.h, in its
     text or (with --objects) its object's symbols, as rule 8 keeps server/ops/ off the charges. A
     door parses its HTTP request and asks the engine (the cost report: engine/report/
     report.h's ddb_usage_report; the store's own series: engine.h's ddb_engine_store_metrics),
     which reads through the core's read path (issue 75, items 2 and 6). DOORS_STORE_PENDING lists
     the doors' files that still do; it only shrinks (an entry that no longer does is reported too).
  13. a feature's table members are its own: no file of the core (server/engine/'s own folder and
     the folders that are part of its layer: catalog/) names a member a feature row owns
     ("ddbdStream", "ddbdTtl", "ddbdRestore", "ddbdPitr", "ddbdReplication", "ddbdInsights",
     "ddbdKinesis", and any other a sub-layer defines as `#define DDB_MEMBER_<X> "ddbd..."`: the
     table states' "ddbdActiveAt", engine/emulate/table_states.h), in
     its code or its comments. The feature reads and writes it (engine/feature.h's
     ddb_table_member), and the catalog walks the rows' members naming none
     (catalog/catalog_members.c: issue 75, item 1).
Prints each violation and exits 1 if there is any; --list prints the module graph's summary.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SYSTEM_RE = re.compile(r'^\s*#\s*include\s+[<"]((?:rocksdb|rados|h2o|hnswlib|yaml)[/.][^>"]*)[>"]', re.M)
# The libraries one place alone may see (docs/architecture.md): their headers' prefix -> that place.
OWNERS = {"rocksdb": "server/storage/rocksdb/", "rados": "server/storage/rados/", "h2o": ("server/http/http.c", "server/http/http_internal.h", "server/http/respond.c"),
          "hnswlib": "server/engine/vector/vector_ann.cc", "yaml": "server/seed/readers/seed_yaml.c"}
SOURCE_DIRS = ("server", "proto")
# Rule 5: the calls that read a clock, and the one place that may make them.
CLOCK_RE = re.compile(r'\b(clock_gettime|gettimeofday|time)\s*\(\s*(?!void\b)[^)]*\)')
CLOCK_HOME = ("server/base/clock.c", "server/base/clock.h")
# Rule 6: the folders of the specs (a part of the api layer) and of the handlers, and the operations whose
# spec and handler are still in differently named files. Shrink only.
# (empty: every served operation is paired; an entry here is a debt, and the list only shrinks)
SPEC_DIR, HANDLER_DIR = "server/api/validate", "server/ops"
PAIRING_PENDING = set("""
""".split())
# Rule 8: what only the meter (server/engine/capacity/meter.c) and the mutation pipeline may call.
CHARGE_RE = re.compile(r'\b(ddb_throttle_\w+|ddb_table_stats_charge\w*|ddb_insights_(?:read|write|range|throttled|record)'
                       r'\w*|ddb_meter_charge)\b|"server/engine/capacity/throttle\.h"')
CHARGE_FREE = "server/ops/"
# Rule 11: where the stored capacity members are never read by name (the capacity model's askers).
CAPACITY_MEMBER_RE = re.compile(r'"(BillingMode|ProvisionedThroughput|OnDemandThroughput|WarmThroughput|'
                                r'ReadCapacityUnits|WriteCapacityUnits)"')
CAPACITY_TYPED = ("server/engine/capacity/", "server/doors/")
# Rule 12: what no door names (the store's calls, the key layout and their headers), and the doors'
# files that still do (shrink only; empty since the namespace snapshots' saving and restoring, their
# raw keyspace copies too, moved into the engine, engine/xfer/nssnap.c: issue 75 item 4).
STORE_RE = re.compile(r'\b(ddb_store_\w+|DDB_KEY_\w+)\b|"(server/base/be\.h|server/storage/storage\.h)"')
STORE_FREE = "server/doors/"
DOORS_STORE_PENDING = set()
# Rule 13: the table members the features own, which the core never names (more are collected from the
# sub-layers' `#define DDB_MEMBER_<X> "ddbd..."`).
FEATURE_MEMBERS = {"ddbdStream", "ddbdTtl", "ddbdRestore", "ddbdPitr", "ddbdReplication", "ddbdInsights", "ddbdKinesis"}
MEMBER_DEFINE_RE = re.compile(r'^\s*#\s*define\s+DDB_MEMBER_\w+\s+"(ddbd\w+)"', re.M)
CORE_DIR = "server/engine/"
# Rule 14: the table facts typed once per table version, as capacity is (rule 11): table.h's ddb_stream_facts,
# ddb_ttl_facts, ddb_pitr_facts and ddb_replication_facts. Each member (its string or its DDB_MEMBER_ macro) is
# named only in the module of the feature that owns it, which reads it into the table version and writes it;
# every other file asks the typed facts. TYPED_MEMBER_NAMERS: files that name one without reading it.
TYPED_MEMBERS = {"ddbdStream": ("DDB_MEMBER_STREAM", "server/engine/history/streams."),
                 "ddbdTtl": ("DDB_MEMBER_TTL", "server/engine/jobs/ttl."),
                 "ddbdPitr": ("DDB_MEMBER_PITR", "server/engine/history/pitr_log."),
                 "ddbdReplication": ("DDB_MEMBER_REPLICATION", "server/engine/jobs/replication.")}
TYPED_MEMBER_NAMERS = {"server/engine/xfer/nssnap.c"}  # drops the stream's member from a restored description
# Rule 9: the modules of a parent folder that still use a sub-layer above it. Shrink only.
# (empty: the core walks the features' rows and names none; an entry here is a debt)
PARENT_USES_PENDING = set("""
""".split())
# Rule 10: the writable file-scope (or function-static) symbols server/engine/ may define, by source:
# each one's comment there says why it is the process's, not an engine's. A local static's name is
# compared without the compiler's ".N" suffix.
ENGINE_STATE_DIR = "server/engine/"
ENGINE_PROCESS_WIDE = {
    # a thread's Contributor Insights shard: spreads threads over any engine's sketch shards
    "server/engine/capacity/insights.c": {"next", "mine"},
    # an id's sequence within one millisecond: unique across engines too
    "server/engine/jobs/peer.c": {"seq"},
    "server/engine/xfer/xfer.c": {"last_ms"},
    # hnswlib (a header-only library): its SIMD distance functions, chosen once from the CPU, and
    # <iostream>'s initialiser; the C++ runtime's personality reference
    "server/engine/vector/vector_ann.cc": {"std::__ioinit", "hnswlib::L2SqrSIMD16Ext", "hnswlib::InnerProductSIMD16Ext",
                                    "hnswlib::InnerProductSIMD4Ext", "hnswlib::InnerProductDistanceSIMD16Ext",
                                    "hnswlib::InnerProductDistanceSIMD4Ext", "DW.ref.__gxx_personality_v0"},
}
WRITABLE_SECTION_RE = re.compile(r'^\.(?:data(?!\.rel\.ro)(?:\.\S*)?|bss(?:\.\S*)?|tdata|tbss)$')
# objdump -t: address, seven flag characters, section, size, name (".hidden " before some names)
OBJDUMP_SYM_RE = re.compile(r'^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+\s+(?:\.hidden\s+)?(.+)$')
SERVED_RE = re.compile(r'^\s*X\(\s*\w+\s*,\s*(\w+)\s*,\s*\w+\s*,\s*HANDLED\b', re.M)
SPEC_RE = re.compile(r'^const ddb_spec ddb_spec_(\w+)\s*=', re.M)
HANDLER_RE = re.compile(r'^int ddb_op_(\w+)\(ddb_req \*', re.M)


def read_rules(path):
    layers, order = {}, []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        head, _, deps = line.partition(":")
        name, folders = head.split()
        layers[name] = {"folders": folders.split(","), "deps": set(deps.split())}
        order.append(name)
    return layers, order


def layer_of(path, layers):
    best, blen = None, -1
    for name, spec in layers.items():
        for f in spec["folders"]:
            if f == path:  # a layer of one file (server/main.c): nearer than any folder
                return name
            f = f.rstrip("/") + "/"
            if path.startswith(f) and len(f) > blen:
                best, blen = name, len(f)
    return best


def folder_of(name, layers):
    """The folder a layer's files are in, its first when the others are its parts (None for a layer of
    one file, or of folders apart: folder_rules refuses those)."""
    folders = [f.rstrip("/") for f in layers[name]["folders"] if not os.path.splitext(f)[1]]
    if not folders or len(folders) != len(layers[name]["folders"]):
        return None
    return folders[0] if all(is_below(f, folders[0]) for f in folders[1:]) else None


def is_below(sub, parent):
    return sub.startswith(parent + "/")


def folder_rules(files, layers, order, problems):
    """Rule 9, its static half: folders are layers, and the rules' uses run one way."""
    homes = set()
    for name in order:
        homes.update(f.rstrip("/") for f in layers[name]["folders"])
    for name in order:
        folders = [f.rstrip("/") for f in layers[name]["folders"]]
        for part in folders[1:]:
            if not os.path.splitext(part)[1] and not is_below(part, folders[0]):
                problems.append("layer %s: its folder %s/ is not under its first, %s/: a layer's further folders "
                                "are parts of its first (a subfolder), else declare a layer of its own" %
                                (name, part, folders[0]))
    for d in sorted({os.path.dirname(f) for f in files}):
        if d not in homes:
            problems.append("%s/: holds sources but is no layer's folder: declare it (ddb_layer(NAME FOLDERS %s USES "
                            "<its parent's layer> ...) in CMakeLists.txt), a sub-layer above its parent" % (d, d))
    graph = {name: {d for d in layers[name]["deps"] if d in layers and d != name} for name in order}
    for comp in strongly_connected(graph):
        problems.append("layers %s use one another round a circle (CMakeLists.txt's USES): a layer is above or "
                        "below another, not both" % ", ".join(comp))


def parent_uses_child(ls, ld, layers):
    """True when layer ls's folder holds layer ld's as a subfolder and ls does not declare ld lower."""
    ps, pd = folder_of(ls, layers), folder_of(ld, layers)
    return ps is not None and pd is not None and is_below(pd, ps) and ld not in layers[ls]["deps"]


def module_of(path):
    return os.path.splitext(path)[0]


def sources(root):
    for top in SOURCE_DIRS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".c", ".cc", ".h", ".def")):
                    yield os.path.relpath(os.path.join(d, f), root)


def include_edges(root, files, problems):
    edges = []
    for path in files:
        if path.endswith(".def"):
            continue
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        for m in SYSTEM_RE.finditer(text):
            owner = OWNERS[re.split(r"[/.]", m.group(1))[0]]
            if not path.startswith(owner):
                line = text.count("\n", 0, m.start()) + 1
                problems.append("%s:%d: includes <%s>, which only %s may" % (path, line, m.group(1), " and ".join(
                    (owner,) if isinstance(owner, str) else owner)))
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if inc.startswith("ddb/"):  # the public headers, under their installed names
                if not os.path.exists(os.path.join(root, "include", inc)):
                    problems.append("%s:%d: #include \"%s\": no such public header" % (path, line, inc))
                continue
            if not os.path.exists(os.path.join(root, inc)) or "/" not in inc:
                problems.append("%s:%d: #include \"%s\" is not a path from the include root" % (path, line, inc))
                continue
            edges.append((path, inc, "includes", line))
    return edges


def clock_reads(root, files, problems):
    for path in files:
        if not path.startswith("server/") or path in CLOCK_HOME:
            continue
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        # comments and string literals blanked, lines kept
        code = re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', lambda m: re.sub(r"[^\n]", " ", m.group(0)), text,
                      flags=re.S)
        for m in CLOCK_RE.finditer(code):
            line = code.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: reads the clock (%s): use server/base/clock.h" % (path, line, m.group(1)))


def blank_comments(text, strings=True):
    """The text with its comments (and string literals) blanked, its lines kept."""
    pattern = r'/\*.*?\*/|//[^\n]*' + (r'|"(?:\\.|[^"\\\n])*"' if strings else '')
    return re.sub(pattern, lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def charges(root, files, symbols, problems):
    """Rule 8: no file of server/ops/ charges or throttles; the pipeline does, once."""
    for path in files:
        if not path.startswith(CHARGE_FREE):
            continue
        code = blank_comments(open(os.path.join(root, path), encoding="utf-8", errors="replace").read(), False)
        for m in CHARGE_RE.finditer(code):
            line = code.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: charges or throttles (%s): record it on the request (engine/capacity/meter.h), "
                            "dispatch charges it" % (path, line, m.group(1) or m.group(0)))
    for path, (_, undefined) in sorted(symbols.items()):
        if path.startswith(CHARGE_FREE):
            for sym in sorted(undefined):
                if CHARGE_RE.fullmatch(sym):
                    problems.append("%s: uses %s: record it on the request (engine/capacity/meter.h), dispatch charges it" %
                                    (path, sym))


FIRST_PATH_RE = re.compile(r'^(?:/\*|//)?\s*\*?\s*((?:server|proto)/[\w/.-]+\.(?:c|cc|h|def))\b')


def own_names(root, files, problems):
    """Rule 7: the path in a file's first lines, when it gives one, is its own."""
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(2)]
        for line in head:
            m = FIRST_PATH_RE.match(line)
            if m and m.group(1) != path:
                problems.append("%s:1: its opening comment names %s: name the file's own path" % (path, m.group(1)))
                break


def defined_in(root, folder, prefix, pattern):
    """{snake name: the <x> of the folder's <prefix><x>.c that defines it}"""
    out = {}
    for f in sorted(os.listdir(os.path.join(root, folder))):
        if f.startswith(prefix) and f.endswith(".c"):
            for m in pattern.finditer(open(os.path.join(root, folder, f), encoding="utf-8").read()):
                out[m.group(1)] = f[len(prefix):-2]
    return out


def pairing(root, problems):
    """Rule 6; returns how many served operations are not paired."""
    served = SERVED_RE.findall(open(os.path.join(root, "proto", "ops.def"), encoding="utf-8").read())
    specs = defined_in(root, SPEC_DIR, "validate_", SPEC_RE)
    handlers = defined_in(root, HANDLER_DIR, "ops_", HANDLER_RE)
    unpaired = 0
    for op in served:
        spec, handler = specs.get(op), handlers.get(op)
        paired = spec is not None and spec == handler
        unpaired += not paired
        if not paired and op not in PAIRING_PENDING:
            problems.append("%s: spec in %s/validate_%s.c, handler in %s/ops_%s.c: pair them by name "
                            "(validate_<x>.c and ops_<x>.c)" % (op, SPEC_DIR, spec, HANDLER_DIR, handler))
        elif paired and op in PAIRING_PENDING:
            problems.append("%s: paired now; strike it from PAIRING_PENDING in %s" % (op, __file__))
    return unpaired


def store_uses(root, files, symbols, problems):
    """Rule 12: no file of server/doors/ calls the store or names the key layout."""
    using = set()
    for path in files:
        if not path.startswith(STORE_FREE):
            continue
        code = blank_comments(open(os.path.join(root, path), encoding="utf-8", errors="replace").read(), False)
        for m in STORE_RE.finditer(code):
            using.add(path)
            if path not in DOORS_STORE_PENDING:
                line = code.count("\n", 0, m.start()) + 1
                problems.append("%s:%d: a door names the store or the key layout (%s): ask the engine (its report, "
                                "its read path) instead" % (path, line, m.group(1) or m.group(2)))
    for path, (_, undefined) in sorted(symbols.items()):
        if path.startswith(STORE_FREE):
            for sym in sorted(undefined):
                if sym.startswith("ddb_store_"):
                    using.add(path)
                    if path not in DOORS_STORE_PENDING:
                        problems.append("%s: uses %s: a door asks the engine, never the store" % (path, sym))
    for path in sorted(DOORS_STORE_PENDING - using):
        problems.append("%s: names the store no more; strike it from DOORS_STORE_PENDING in %s" % (path, __file__))


def capacity_reads(root, files, problems):
    """Rule 11: the capacity model's askers read ddb_capacity, never the stored members."""
    for path in files:
        if not path.startswith(CAPACITY_TYPED):
            continue
        code = blank_comments(open(os.path.join(root, path), encoding="utf-8", errors="replace").read(), False)
        for m in CAPACITY_MEMBER_RE.finditer(code):
            line = code.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: reads %s by name: ask the capacity model (engine/capacity/capacity.h), which "
                            "reads the table's typed ddb_capacity" % (path, line, m.group(1)))


def member_names(root, files, layers, problems):
    """Rule 13: the core (the folders of CORE_DIR's layer: its own and its parts) names no feature's
    table member."""
    core_layer = layer_of(CORE_DIR + "engine.c", layers)
    core_dirs = {f.rstrip("/") for f in layers[core_layer]["folders"]} if core_layer else {CORE_DIR.rstrip("/")}

    def core(path):
        return os.path.dirname(path) in core_dirs
    names = set(FEATURE_MEMBERS)
    for path in files:
        if path.startswith(CORE_DIR) and not core(path):
            names |= set(MEMBER_DEFINE_RE.findall(open(os.path.join(root, path), encoding="utf-8",
                                                       errors="replace").read()))
    member_re = re.compile(r'\b(%s)\b' % "|".join(sorted(names)))
    for path in files:
        if not core(path):
            continue
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        for m in member_re.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: the core names %s, a feature's table member: the feature reads and writes it "
                            "(engine/feature.h's members)" % (path, line, m.group(1)))


def typed_members(root, files, problems):
    """Rule 14: a typed member (a stream's, TTL's, PITR's, a replica's) is named only by its feature's module."""
    names = {}
    for member, (macro, _) in TYPED_MEMBERS.items():
        names['"%s"' % member] = names[macro] = member
    member_re = re.compile(r'"(?:%s)"|\b(?:%s)\b' % ("|".join(TYPED_MEMBERS),
                                                      "|".join(m for m, _ in TYPED_MEMBERS.values())))
    for path in files:
        if path in TYPED_MEMBER_NAMERS:
            continue
        code = blank_comments(open(os.path.join(root, path), encoding="utf-8", errors="replace").read(), False)
        for m in member_re.finditer(code):
            member = names[m.group(0)]
            owner = TYPED_MEMBERS[member][1]
            if not path.startswith(owner):
                line = code.count("\n", 0, m.start()) + 1
                problems.append("%s:%d: names %s, a member typed once per table version: ask the table's typed "
                                "facts (engine/table.h), which %s* reads" % (path, line, member, owner))


def object_symbols(objdir, root):
    """{source path: (defined, undefined)} from the objects CMake built under objdir."""
    objs = {}
    for d, _, files in os.walk(objdir):
        for f in files:
            if not f.endswith((".c.o", ".cc.o")):
                continue
            obj = os.path.join(d, f)
            rel = None
            for top in SOURCE_DIRS:
                marker = os.sep + top + os.sep
                i = obj.find(marker)
                if i >= 0:
                    rel = obj[i + 1:-2]  # .../server/x/y.c.o -> server/x/y.c (y.cc.o -> y.cc)
                    break
            if rel is None or not os.path.exists(os.path.join(root, rel)):
                continue
            objs[obj] = rel
    out = {rel: (set(), set()) for rel in objs.values()}
    # one nm for many objects (-A: each line begins "OBJECT: "): an nm a file took 0.12 s of the
    # test's 0.13 s a file, 425 of them 50 s on a loaded 2-core machine; 400 in one call take 1.6 s
    names = sorted(objs)
    for at in range(0, len(names), 200):
        nm = subprocess.run(["nm", "-P", "-A"] + names[at:at + 200], capture_output=True, text=True,
                            check=True).stdout
        for line in nm.splitlines():
            obj, sep, rest = line.partition(": ")
            parts = rest.split()
            if not sep or obj not in objs or len(parts) < 2:
                continue
            defined, undefined = out[objs[obj]]
            sym, kind = parts[0], parts[1]
            if kind in ("U", "w", "v"):
                undefined.add(sym)
            elif kind in ("T", "D", "B", "R", "C", "G", "S", "W", "V"):  # lower case: file-local
                defined.add(sym)
    return out


def engine_state(objdir, root, problems):
    """Rule 10: the writable symbols server/engine/'s objects define, but the allowed ones."""
    for d, _, files in os.walk(objdir):
        for f in sorted(files):
            obj = os.path.join(d, f)
            i = obj.find(os.sep + ENGINE_STATE_DIR)
            if not f.endswith((".c.o", ".cc.o")) or i < 0:
                continue
            rel = obj[i + 1:-2]
            if not os.path.exists(os.path.join(root, rel)):
                continue
            out = subprocess.run(["objdump", "-t", "-C", "-w", obj], capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                m = OBJDUMP_SYM_RE.match(line)
                if m is None or not WRITABLE_SECTION_RE.match(m.group(2)):
                    continue
                flags, section, name = m.group(1), m.group(2), m.group(3).strip()
                if flags[5] == "d" or flags[6] == "f":  # a section's or a file's name, not a variable
                    continue
                if re.sub(r'\.\d+$', "", name) in ENGINE_PROCESS_WIDE.get(rel, ()):
                    continue
                problems.append("%s: defines writable %s in %s: engine state belongs in ddb_engine (engine/engine.h) "
                                "or a struct it reaches, or, if it must be the process's, in ENGINE_PROCESS_WIDE "
                                "with a comment in its source saying why (rule 10)" % (rel, name, section))


def call_edges(symbols):
    owner = {}
    for path, (defined, _) in symbols.items():
        for s in defined:
            owner.setdefault(s, path)
    edges = []
    for path, (_, undefined) in symbols.items():
        for s in sorted(undefined):
            if s in owner and owner[s] != path:
                edges.append((path, owner[s], "uses " + s, 0))
    return edges


def strongly_connected(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--objects")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--list-parent-uses", action="store_true",
                    help="print the modules of a parent folder that use a sub-layer above it, and stop")
    args = ap.parse_args()
    layers, order = read_rules(args.rules)
    files = list(sources(args.root))
    problems = []
    for f in files:
        if layer_of(f, layers) is None:
            problems.append("%s: in no layer (add its folder to a ddb_layer() in CMakeLists.txt)" % f)
    folder_rules(files, layers, order, problems)
    edges = include_edges(args.root, files, problems)
    clock_reads(args.root, files, problems)
    own_names(args.root, files, problems)
    unpaired = pairing(args.root, problems)
    symbols = object_symbols(args.objects, args.root) if args.objects else {}
    charges(args.root, files, symbols, problems)
    capacity_reads(args.root, files, problems)
    member_names(args.root, files, layers, problems)
    typed_members(args.root, files, problems)
    store_uses(args.root, files, symbols, problems)
    if args.objects:
        edges += call_edges(symbols)
        engine_state(args.objects, args.root, problems)
    graph, via = collections.defaultdict(set), {}
    upward = collections.Counter()
    pending_used, parent_uses = set(), set()
    for src, dst, why, line in edges:
        ls, ld = layer_of(src, layers), layer_of(dst, layers)
        if ls is None or ld is None:
            continue
        if ls != ld and ld not in layers[ls]["deps"] and parent_uses_child(ls, ld, layers) and \
                module_of(src) in PARENT_USES_PENDING:
            pending_used.add(module_of(src))
        elif ls != ld and ld not in layers[ls]["deps"]:
            upward[(ls, ld)] += 1
            if args.list_parent_uses and parent_uses_child(ls, ld, layers):
                parent_uses.add(module_of(src))
            if parent_uses_child(ls, ld, layers):
                problems.append("%s%s: %s %s: a folder's files may not use its subfolder's (%s/ is a layer above "
                                "%s/; only a subfolder declared lower in %s's USES may be used)" %
                                (src, ":%d" % line if line else "", why, dst, folder_of(ld, layers),
                                 folder_of(ls, layers), ls))
            else:
                problems.append("%s%s: %s %s: layer %s may not use layer %s" %
                                (src, ":%d" % line if line else "", why, dst, ls, ld))
        ms, md = module_of(src), module_of(dst)
        if ms != md and (why != "includes" or src.endswith(".h")):
            graph[ms].add(md)
            via.setdefault((ms, md), "%s includes %s" % (src, dst) if why == "includes" else why[5:])
    for m in sorted(PARENT_USES_PENDING - pending_used):
        problems.append("%s: uses no sub-layer above its folder now; strike it from PARENT_USES_PENDING in %s" %
                        (m, __file__))
    if args.list_parent_uses:  # the modules PARENT_USES_PENDING must hold today (tools that move files)
        print("\n".join(sorted(parent_uses | pending_used)))
        return 0
    for comp in strongly_connected(graph):
        cycle = set(comp)
        links = ["%s -> %s (%s)" % (a, b, via[(a, b)]) for a in comp for b in sorted(graph[a]) if b in cycle]
        problems.append("circle of %d files: %s" % (len(comp), "; ".join(links)))
    if args.list:
        print("%d files, %d modules, %d dependencies" % (len(files), len(graph), sum(len(v) for v in graph.values())))
        for (a, b), n in sorted(upward.items()):
            print("  upward %s -> %s: %d" % (a, b, n))
    for p in problems:
        print(p)
    print("layers: %d problems (%d upward, %d circles, %d operations' spec and handler unpaired)" %
          (len(problems), sum(upward.values()), len(strongly_connected(graph)), unpaired))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
