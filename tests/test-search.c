/* test-search.c: the name search shared by Browse Directory and the single user editor
 * (jn-search.c): the query's words and the rank of an account's names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "jn-search.h"

static void
test_fold (void)
{
  g_autofree char *a = jn_search_fold ("GARCIA-LOPEZ");
  g_autofree char *b = jn_search_fold ("D'Almeida");
  g_autofree char *c = jn_search_fold (NULL);

  g_assert_cmpstr (a, ==, "garcia lopez");
  g_assert_cmpstr (b, ==, "d almeida");
  g_assert_cmpstr (c, ==, "");
}

static void
test_words (void)
{
  g_auto(GStrv) words = jn_search_split_words ("  Élaphe   Jean-Emmanuel ");
  g_auto(GStrv) blank = jn_search_split_words ("   ");
  g_auto(GStrv) none = jn_search_split_words (NULL);

  g_assert_cmpuint (g_strv_length (words), ==, 3);
  g_assert_cmpstr (words[0], ==, "elaphe");
  g_assert_cmpstr (words[1], ==, "jean");
  g_assert_cmpstr (words[2], ==, "emmanuel");
  g_assert_nonnull (blank);
  g_assert_null (blank[0]);
  g_assert_nonnull (none);
  g_assert_null (none[0]);
}

static int
rank (const char *family,
      const char *given,
      const char *query)
{
  g_autofree char *f = jn_search_fold (family);
  g_autofree char *g = jn_search_fold (given);
  g_auto(GStrv) words = jn_search_split_words (query);

  return jn_search_rank (f, g, words);
}

static void
test_rank (void)
{
  /* 0: the family name begins with the first word */
  g_assert_cmpint (rank ("Martin", "Claire", "mart"), ==, 0);
  g_assert_cmpint (rank ("Martin", "Claire", "MARTIN cl"), ==, 0);
  g_assert_cmpint (rank ("Martin", "Claire", "martin ire"), ==, 0);
  /* 1: every word begins a name or a part of a compound one */
  g_assert_cmpint (rank ("Martin", "Claire", "claire"), ==, 1);
  g_assert_cmpint (rank ("Garcia-Lopez", "Ana", "lopez"), ==, 1);
  g_assert_cmpint (rank ("Dupont", "Marie Désirée", "desi dup"), ==, 1);
  /* 2: the names contain every word */
  g_assert_cmpint (rank ("Martin", "Claire", "tin"), ==, 2);
  g_assert_cmpint (rank ("Martin", "Claire", "clai rtin"), ==, 2);
  /* no fit */
  g_assert_cmpint (rank ("Martin", "Claire", "martin paul"), ==, -1);
  g_assert_cmpint (rank ("Martin", "Claire", "dupont"), ==, -1);
  /* no words: everything at 1 (callers leave a blank query out) */
  g_assert_cmpint (rank ("Martin", "Claire", ""), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search/fold", test_fold);
  g_test_add_func ("/search/words", test_words);
  g_test_add_func ("/search/rank", test_rank);

  return g_test_run ();
}
