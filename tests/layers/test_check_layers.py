#!/usr/bin/env python3
"""tests/layers/test_check_layers.py: check_layers.py's rule for a layer's parts (ctest layers.self).

A layer's folders after its first are parts of it (the core's server/engine/catalog/): their files
are the layer's own. The check must still fail when a part uses a sub-layer above its layer, when a
part names a feature's table member (rule 13 holds the whole core), when a file outside its feature
names a member typed once per table version (rule 14), when a layer's further folder
is not under its first, and when a subfolder holds sources no rule declares; a tree that keeps the
rules passes. Each case is a small tree of its own, checked from its text, and two from its objects too (a call upward with no include).
"""
import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_layers.py")
RULES = """engine server/engine,server/engine/catalog : proto
jobs server/engine/jobs : engine proto
proto proto :
"""
TREE = {
    "proto/ops.def": "",
    "server/api/validate/.keep": "",
    "server/ops/.keep": "",
    "server/engine/table.h": "struct t;\n",
    "server/engine/engine.h": '#include "server/engine/catalog/catalog.h"\n',
    "server/engine/engine.c": '#include "server/engine/engine.h"\n',
    "server/engine/catalog/catalog.h": '#include "server/engine/table.h"\n',
    "server/engine/catalog/catalog.c": '#include "server/engine/catalog/catalog.h"\n',
    "server/engine/jobs/job.h": "struct j;\n",
    "server/engine/jobs/job.c": '#include "server/engine/jobs/job.h"\n#include "server/engine/engine.h"\n',
}


def check(changes=None, rules=RULES, objects=False):
    """(exit status, output) of check_layers.py over TREE with changes ({path: text}); with objects,
    every .c compiled (cc -c) into a CMake-like tree of objects that the check reads with nm."""
    with tempfile.TemporaryDirectory() as root:
        for path, text in dict(TREE, **(changes or {})).items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        with open(os.path.join(root, "layers.txt"), "w") as f:
            f.write(rules)
        args = [sys.executable, CHECK, "--rules", os.path.join(root, "layers.txt"), "--root", root]
        if objects:
            objdir = os.path.join(root, "build", "CMakeFiles")
            for path in dict(TREE, **(changes or {})):
                if path.endswith(".c"):
                    obj = os.path.join(objdir, "ddb_layer.dir", path + ".o")
                    os.makedirs(os.path.dirname(obj), exist_ok=True)
                    subprocess.run(["cc", "-c", "-I", root, "-o", obj, os.path.join(root, path)], check=True)
            args += ["--objects", objdir]
        out = subprocess.run(args, capture_output=True, text=True)
        return out.returncode, out.stdout + out.stderr


class Parts(unittest.TestCase):
    def test_a_tree_that_keeps_the_rules_passes(self):
        rc, out = check()
        self.assertEqual(rc, 0, out)
        self.assertIn("layers: 0 problems", out)

    def test_a_part_may_not_use_a_sub_layer_above_its_layer(self):
        rc, out = check({"server/engine/catalog/catalog.c":
                         '#include "server/engine/catalog/catalog.h"\n#include "server/engine/jobs/job.h"\n'})
        self.assertEqual(rc, 1, out)
        self.assertIn("server/engine/catalog/catalog.c:2: includes server/engine/jobs/job.h: a folder's files may "
                      "not use its subfolder's (server/engine/jobs/ is a layer above server/engine/", out)

    def test_a_part_names_no_feature_member(self):
        rc, out = check({"server/engine/catalog/catalog.c":
                         '#include "server/engine/catalog/catalog.h"\nstatic const char *m = "ddbdStream";\n'})
        self.assertEqual(rc, 1, out)
        self.assertIn("server/engine/catalog/catalog.c:2: the core names ddbdStream", out)

    def test_only_its_feature_names_a_typed_member(self):
        rc, out = check({"server/engine/jobs/job.c": '#include "server/engine/jobs/job.h"\n'
                         'static const char *m = "ddbdTtl";\nint n = DDB_MEMBER_PITR;\n'})
        self.assertEqual(rc, 1, out)
        self.assertIn("server/engine/jobs/job.c:2: names ddbdTtl, a member typed once per table version", out)
        self.assertIn("server/engine/jobs/job.c:3: names ddbdPitr, a member typed once per table version", out)
        rc, out = check({"server/engine/jobs/ttl.c": 'static const char *m = "ddbdTtl"; /* "ddbdPitr" */\n'})
        self.assertEqual(rc, 0, out)

    def test_a_part_lies_under_its_layers_first_folder(self):
        rules = RULES.replace("server/engine,server/engine/catalog", "server/engine,server/catalog")
        rc, out = check({"server/catalog/apart.c": "int apart;\n"}, rules)
        self.assertEqual(rc, 1, out)
        self.assertIn("layer engine: its folder server/catalog/ is not under its first, server/engine/", out)

    def test_an_undeclared_subfolder_is_no_part(self):
        rc, out = check({"server/engine/figures/figures.c": '#include "server/engine/engine.h"\n'})
        self.assertEqual(rc, 1, out)
        self.assertIn("server/engine/figures/: holds sources but is no layer's folder", out)


class Calls(unittest.TestCase):
    """Rule 2 from the objects' symbols (one nm for many objects): a call upward with no include."""

    def test_a_call_upward_fails_without_an_include(self):
        rc, out = check({"server/engine/jobs/job.c": '#include "server/engine/jobs/job.h"\nint job_run(void) { return 1; }\n',
                         "server/engine/engine.c": '#include "server/engine/engine.h"\nint job_run(void);\n'
                                                   'int engine_go(void) { return job_run(); }\n'}, objects=True)
        self.assertEqual(rc, 1, out)
        self.assertIn("server/engine/engine.c: uses job_run server/engine/jobs/job.c: a folder's files may not use "
                      "its subfolder's", out)

    def test_a_call_downward_passes(self):
        rc, out = check({"server/engine/engine.c": '#include "server/engine/engine.h"\nint engine_go(void) { return 2; }\n',
                         "server/engine/jobs/job.c": '#include "server/engine/jobs/job.h"\n#include "server/engine/engine.h"\n'
                                                     'int engine_go(void);\nint job_run(void) { return engine_go(); }\n'},
                        objects=True)
        self.assertEqual(rc, 0, out)
        self.assertIn("layers: 0 problems", out)


if __name__ == "__main__":
    unittest.main()
