/* fuzz-names.c: the name normaliser and comparer (jn-names.h) on any bytes: two names
 * separated by the first NUL (or the input twice), valid UTF-8 or not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

#include "jn-names.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

/* Letters of other scripts are kept (lower case), so "ASCII" in jn-names.h holds for Latin
 * names only: check what the matcher relies on, no separators in the compact keys. */
static void
check_key (const JnNameKey *key)
{
  g_assert (key->folded != NULL && g_utf8_validate (key->folded, -1, NULL));
  g_assert (key->compact != NULL && g_utf8_validate (key->compact, -1, NULL));
  g_assert (strpbrk (key->compact, " -") == NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *first = g_strndup ((const char *)data, size);
  const uint8_t *nul = memchr (data, '\0', size);
  g_autofree char *second = nul ? g_strndup ((const char *)nul + 1, size - (size_t)(nul + 1 - data))
                                : g_strdup (first);
  g_autofree char *folded = NULL, *compact = NULL, *folded2 = NULL;
  JnNameKey fa = { 0 }, fb = { 0 }, ga = { 0 }, gb = { 0 };
  double similarity;

  /* The readers (libxml2, json-glib) only hand valid UTF-8 over */
  if (!g_utf8_validate (first, -1, NULL) || !g_utf8_validate (second, -1, NULL))
    return 0;

  folded = jn_names_fold (first);
  compact = jn_names_compact (first);
  if (folded != NULL)
    {
      g_assert (g_utf8_validate (folded, -1, NULL));
      /* Folding is idempotent */
      folded2 = jn_names_fold (folded);
      g_assert (g_strcmp0 (folded, folded2) == 0);
    }

  jn_name_key_init_family (&fa, first);
  jn_name_key_init_family (&fb, second);
  jn_name_key_init_given (&ga, first);
  jn_name_key_init_given (&gb, second);
  check_key (&fa);
  check_key (&fb);
  check_key (&ga);
  check_key (&gb);

  /* Symmetric, and a name matches itself */
  g_assert (jn_names_match_family (&fa, &fb) == jn_names_match_family (&fb, &fa));
  g_assert (jn_names_match_given (&ga, &gb) == jn_names_match_given (&gb, &ga));
  if (fa.compact != NULL && *fa.compact)
    g_assert (jn_names_match_family (&fa, &fa) == JN_NAME_MATCH_EXACT);

  similarity = jn_names_similarity (fa.compact ? fa.compact : "", fb.compact ? fb.compact : "");
  g_assert (similarity >= 0.0 && similarity <= 1.0);

  jn_name_key_clear (&fa);
  jn_name_key_clear (&fb);
  jn_name_key_clear (&ga);
  jn_name_key_clear (&gb);

  return 0;
}
