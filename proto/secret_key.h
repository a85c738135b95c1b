/*
 * proto/secret_key.h: whether a secret the user chose is strong enough to key an HMAC that must
 * hold against a dictionary: the anonymised import's "key" (server/engine/xfer/anon.c) and the
 * recorder's `hash` key (server/api/record/record_redact.c, integrations/record/, which repeat the rule).
 *
 * A hash of a low-entropy value (an email, an age) under a key the attacker can guess is no
 * redaction: hashing every candidate recovers the value. So a key is refused when it is shorter
 * than DDB_SECRET_KEY_MIN bytes, blank (only white space), one character repeated, of fewer than
 * DDB_SECRET_KEY_DISTINCT different bytes ("abababababababab"), or one of the example keys
 * ddbd's own docs print (what a reader copies first). The SDK recorders (integrations/record/)
 * repeat this rule and this list in their languages.
 */
#ifndef DDB_SECRET_KEY_H
#define DDB_SECRET_KEY_H

#include <stddef.h>

#define DDB_SECRET_KEY_MIN 16
#define DDB_SECRET_KEY_DISTINCT 6

/* The example keys printed in docs/ (tests/security/test_weak_keys.py checks every one is listed). */
#define DDB_SECRET_KEY_EXAMPLES(X)                                                                                   \
    X("a secret of 16 characters or more") /* docs/import.md, the rule file */                                      \
    X("keep this secret out of the repository") /* docs/import.md, the recipe */                                    \
    X("a secret of your own") /* docs/record-replay.md */                                                       \
    X("a secret") /* the recorders' comments */

/* NULL when `key` (len bytes) is strong enough, else why not ("shorter than 16 bytes", ...):
   words to put after "the key is ", naming no part of the key. */
const char *ddb_secret_key_weakness(const char *key, size_t len);

#endif
