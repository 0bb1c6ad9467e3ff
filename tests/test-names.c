/* test-names.c: the normalisation table of jn-names.c, case by case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "jn-names.h"

static void
test_fold (void)
{
  static const struct { const char *in, *folded, *compact; } cases[] = {
    { "ELAPHE", "elaphe", "elaphe" },
    { "Élaphe", "elaphe", "elaphe" },
    { "Aïssa", "aissa", "aissa" },
    { "AISSA", "aissa", "aissa" },
    { "ŒUVRARD", "oeuvrard", "oeuvrard" },
    { "Lætitia", "laetitia", "laetitia" },
    { "Jean-Emmanuel", "jean-emmanuel", "jeanemmanuel" },
    { "Jean Emmanuel", "jean emmanuel", "jeanemmanuel" },
    { "JEAN–EMMANUEL", "jean-emmanuel", "jeanemmanuel" },
    { "D'ALMEIDA", "d-almeida", "dalmeida" },
    { "d’Almeida", "d-almeida", "dalmeida" },
    { "D' ALMEIDA", "d-almeida", "dalmeida" },
    { "  MARTIN   Claire ", "martin claire", "martinclaire" },
    { "de la Tour", "de la tour", "delatour" },
    { "François-Xavier", "francois-xavier", "francoisxavier" },
    { "Noël", "noel", "noel" },
    { "Çelik", "celik", "celik" },
    { "N'Guyen.", "n-guyen", "nguyen" },
    { "", "", "" },
    { NULL, "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = jn_names_fold (cases[i].in);
      g_autofree char *compact = jn_names_compact (cases[i].in);

      g_assert_cmpstr (folded, ==, cases[i].folded);
      g_assert_cmpstr (compact, ==, cases[i].compact);
    }
}

static void
test_family (void)
{
  static const struct { const char *a, *b; JnNameMatch expected; } cases[] = {
    { "ELAPHE", "Elaphe", JN_NAME_MATCH_EXACT },
    { "D'ALMEIDA", "Dalmeida", JN_NAME_MATCH_EXACT },
    { "DE LA TOUR", "Delatour", JN_NAME_MATCH_EXACT },
    { "DE LA TOUR", "La Tour", JN_NAME_MATCH_VARIANT },
    { "DE LA TOUR", "Tour", JN_NAME_MATCH_VARIANT },
    { "GARCIA LOPEZ", "Garcia", JN_NAME_MATCH_VARIANT },
    { "GARCIA-LOPEZ", "Garcia Lopez", JN_NAME_MATCH_EXACT },
    { "GARCIA", "Garcia Lopez", JN_NAME_MATCH_VARIANT },
    { "LOPEZ", "Garcia Lopez", JN_NAME_MATCH_NONE },
    { "MARTIN", "Martine", JN_NAME_MATCH_NONE },
    { "MARTIN", "Martinez", JN_NAME_MATCH_NONE },
    { "LE GALL", "Gall", JN_NAME_MATCH_VARIANT },
    { "", "Martin", JN_NAME_MATCH_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JnNameKey a = { 0 }, b = { 0 };

      jn_name_key_init_family (&a, cases[i].a);
      jn_name_key_init_family (&b, cases[i].b);
      if (jn_names_match_family (&a, &b) != cases[i].expected ||
          jn_names_match_family (&b, &a) != cases[i].expected)
        g_error ("family “%s” / “%s”: expected %d", cases[i].a, cases[i].b, cases[i].expected);
      jn_name_key_clear (&a);
      jn_name_key_clear (&b);
    }
}

static void
test_given (void)
{
  static const struct { const char *a, *b; JnNameMatch expected; } cases[] = {
    { "Aïssa", "AISSA", JN_NAME_MATCH_EXACT },
    { "Jean-Emmanuel", "Jean Emmanuel", JN_NAME_MATCH_EXACT },
    { "MARIE DESIREE", "Marie", JN_NAME_MATCH_VARIANT },
    { "Marie", "Marie Désirée Louise", JN_NAME_MATCH_VARIANT },
    { "Marie Anne", "Marie Louise", JN_NAME_MATCH_NONE },
    { "Jean-Emmanuel", "Jean", JN_NAME_MATCH_NONE },
    { "Léa", "Léo", JN_NAME_MATCH_NONE },
    { "Paul et Anne", "Paul", JN_NAME_MATCH_VARIANT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JnNameKey a = { 0 }, b = { 0 };

      jn_name_key_init_given (&a, cases[i].a);
      jn_name_key_init_given (&b, cases[i].b);
      if (jn_names_match_given (&a, &b) != cases[i].expected ||
          jn_names_match_given (&b, &a) != cases[i].expected)
        g_error ("given “%s” / “%s”: expected %d", cases[i].a, cases[i].b, cases[i].expected);
      jn_name_key_clear (&a);
      jn_name_key_clear (&b);
    }
}

static void
test_similarity (void)
{
  g_assert_cmpfloat (jn_names_similarity ("martin", "martin"), ==, 1.0);
  g_assert_cmpfloat (jn_names_similarity ("martin", "martine"), >, 0.9);
  g_assert_cmpfloat (jn_names_similarity ("martha", "marhta"), >, 0.95);
  g_assert_cmpfloat (jn_names_similarity ("dupont", "lefebvre"), <, 0.6);
  g_assert_cmpfloat (jn_names_similarity ("", "a"), ==, 0.0);
  g_assert_cmpfloat (jn_names_similarity ("abc", "xyz"), ==, 0.0);
}

/* Issue H, class 1: cut, first part, initial; a bare initial never */
static void
test_given_cut (void)
{
  static const struct { const char *a, *b; gboolean cut; } cases[] = {
    { "JEAN FRANC", "Jean-François", TRUE },
    { "MARIE CHRI", "Marie-Christine", TRUE },
    { "ANNE SOPHI", "Anne-Sophie", TRUE },
    { "Jean-François", "JEAN FRANC", TRUE },      /* either side */
    { "Léo", "Léo-Paul", TRUE },                  /* a whole first part */
    { "Léo", "Léonard", FALSE },                  /* three letters, not a part */
    { "Anne", "Annette", TRUE },                  /* four letters */
    { "J-Pierre", "Jean-Pierre", TRUE },
    { "J Pierre", "Jean-Pierre", TRUE },
    { "M- Claude", "Marie-Claude", TRUE },
    { "M.Hélène", "Marie-Hélène", TRUE },
    { "J.", "Jules", FALSE },                     /* a bare initial */
    { "J", "Jean-Pierre", FALSE },
    { "J-Paul", "Jean-Pierre", FALSE },
    { "P-Jean", "Jean-Pierre", FALSE },
    { "Jean-Pierre", "Jean-Pierre", FALSE },      /* equal is not a variant */
    { "Jean Pierre", "Jean-Pierre", FALSE },
    { "Marie", "Mathilde", FALSE },
    { "", "Marie", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JnNameKey a, b;

      jn_name_key_init_given (&a, cases[i].a);
      jn_name_key_init_given (&b, cases[i].b);
      g_test_message ("%s / %s", cases[i].a, cases[i].b);
      g_assert_cmpint (jn_names_given_cut (&a, &b), ==, cases[i].cut);
      g_assert_cmpint (jn_names_given_cut (&b, &a), ==, cases[i].cut);
      jn_name_key_clear (&a);
      jn_name_key_clear (&b);
    }
  g_assert_false (jn_names_given_shortened (NULL, "jean"));
  g_assert_true (jn_names_given_shortened ("jean franc", "jean-francois"));
  g_assert_false (jn_names_given_shortened ("jean-francois", "jean franc"));
}

/* Issue H, class 2: Damerau distance exactly 1, five letters or more */
static void
test_one_edit (void)
{
  static const struct { const char *a, *b; gboolean one; } cases[] = {
    { "dupont", "dupnt", TRUE },          /* missing */
    { "dupont", "duppont", TRUE },        /* added */
    { "dupont", "dupond", TRUE },         /* replaced, at the end */
    { "dupont", "xupont", TRUE },         /* replaced, at the start */
    { "mathilde", "mathlide", TRUE },     /* swapped */
    { "martin", "martins", TRUE },
    { "louis", "louise", TRUE },
    { "dupont", "dupont", FALSE },        /* equal */
    { "dupont", "dpuotn", FALSE },        /* two swaps */
    { "dupont", "dupontes", FALSE },      /* two added */
    { "dupont", "dupotd", FALSE },        /* two replaced */
    { "lea", "lena", FALSE },             /* too short */
    { "marc", "marco", FALSE },           /* the shorter has four letters */
    { "abcde", "abced", TRUE },
    { "abcde", "bacde", TRUE },
    { "abcde", "acbed", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s / %s", cases[i].a, cases[i].b);
      g_assert_cmpint (jn_names_one_edit (cases[i].a, cases[i].b, 5), ==, cases[i].one);
      g_assert_cmpint (jn_names_one_edit (cases[i].b, cases[i].a, 5), ==, cases[i].one);
    }
  g_assert_true (jn_names_one_edit ("lea", "lena", 3));
  g_assert_false (jn_names_one_edit (NULL, "lena", 3));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/names/fold", test_fold);
  g_test_add_func ("/names/family", test_family);
  g_test_add_func ("/names/given", test_given);
  g_test_add_func ("/names/similarity", test_similarity);
  g_test_add_func ("/names/given-cut", test_given_cut);
  g_test_add_func ("/names/one-edit", test_one_edit);

  return g_test_run ();
}
