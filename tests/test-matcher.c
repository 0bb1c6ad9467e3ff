/* test-matcher.c: the matching rules, each on a small invented establishment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "jn-error.h"
#include "jn-matcher.h"
#include "jn-names.h"

#define UAI "0312609T"
#define EXT "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

/* The tests name records "S1", "KEEP"…: pn() makes each a well-formed PRONOTE identifier
 * ("PN" and capitals of PRONOTE's alphabet), the same every time. Longer names, and
 * anything but capitals and digits, are left as they are (the invalid ones). */
static const char *
pn (const char *name)
{
  static const char from[] = "016ILO", to[] = "ZYWJKQ";
  char id[JN_PRONOTE_ID_LENGTH + 1];
  gsize length = name ? strlen (name) : 0;

  if (length == 0 || length > 8)
    return name;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (name[i]) && !g_ascii_isupper (name[i]))
      return name;

  memset (id, '2', JN_PRONOTE_ID_LENGTH);
  id[JN_PRONOTE_ID_LENGTH] = '\0';
  id[0] = 'P';
  id[1] = 'N';
  for (gsize i = 0; i < length; i++)
    {
      const char *at = strchr (from, name[i]);

      id[JN_PRONOTE_ID_LENGTH - length + i] = at ? to[at - from] : name[i];
    }

  return g_intern_string (id);
}

static gboolean
pn_replace_cb (const GMatchInfo *match_info,
               GString          *result,
               gpointer          user_data)
{
  g_autofree char *head = g_match_info_fetch (match_info, 1);
  g_autofree char *name = g_match_info_fetch (match_info, 2);

  g_string_append_printf (result, "%s%s\"", head, pn (name));
  return FALSE;
}

/* IDPN="S1" and "value":"S1" (pronoteIds) through pn() */
static char *
with_pn (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("((?:IDPN=|\"value\":)\")([A-Z0-9]{1,8})\"", 0, 0, NULL);

  return g_regex_replace_eval (regex, text, -1, 0, 0, pn_replace_cb, NULL, NULL);
}

typedef struct
{
  JnExport    *export;
  JnDirectory *directory;
  JnMatcher   *matcher;
} Fixture;

/* One SCIM user; @extra is JSON members added to the extension ("" for none) */
static char *
user (const char *id,
      const char *type,
      const char *family,
      const char *given,
      const char *birth_date,
      const char *extra)
{
  g_autofree char *bd = birth_date ? g_strdup_printf ("\"birthDate\":\"%s\",", birth_date) : g_strdup ("");

  return g_strdup_printf ("{\"id\":\"%s\",\"userName\":\"%s\",\"userType\":\"%s\","
                          "\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                          "\"" EXT "\":{%s\"structures\":[\"" UAI "\"]%s%s}}",
                          id, id, type, family, given, bd, *extra ? "," : "", extra);
}

static void
fixture_setup (Fixture    *fixture,
               const char *records,
               char      **users)
{
  g_autofree char *pn_records = with_pn (records);
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<ExportIdentifiants UAI=\"" UAI "\">%s</ExportIdentifiants>", pn_records);
  g_autofree char *raw_joined = g_strjoinv (",", users);
  g_autofree char *joined = with_pn (raw_joined);
  g_autofree char *json = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                                           "\"totalResults\":%u,\"Resources\":[%s]}", g_strv_length (users), joined);
  g_autofree char *dir = g_dir_make_tmp ("jn-matcher-XXXXXX", NULL);
  g_autofree char *xml_path = g_build_filename (dir, "export.xml", NULL);
  g_autofree char *json_path = g_build_filename (dir, "directory.json", NULL);
  g_autoptr(GFile) xml_file = g_file_new_for_path (xml_path);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  g_assert_true (g_file_set_contents (json_path, json, -1, NULL));

  fixture->export = jn_export_new ();
  g_assert_true (jn_export_load (fixture->export, xml_file, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  fixture->directory = jn_directory_new (NULL);
  g_assert_true (jn_directory_load_file (fixture->directory, json_file, NULL, &error));
  g_assert_no_error (error);
  fixture->matcher = jn_matcher_new (fixture->directory, UAI);
  /* @users is a compound literal: free its strings, not the array */
  for (guint i = 0; users[i] != NULL; i++)
    g_free (users[i]);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->matcher);
  g_clear_object (&fixture->directory);
  g_clear_object (&fixture->export);
}

static JnPlanItem *
item_of (JnPlan     *plan,
         const char *pronote_id)
{
  JnPlanItem *item = jn_plan_lookup (plan, pn (pronote_id));

  if (item == NULL)
    g_error ("%s (%s): no item", pronote_id, pn (pronote_id));
  return item;
}

static void
assert_matched (JnPlan     *plan,
                const char *pronote_id,
                const char *ent_id,
                const char *rule,
                JnPlanAction action)
{
  JnPlanItem *item = item_of (plan, pronote_id);

  if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED)
    g_error ("%s: state %d, expected a match with %s", pronote_id, jn_plan_item_get_state (item), ent_id);
  g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (item)), ==, ent_id);
  g_assert_cmpstr (jn_plan_item_get_rule (item), ==, rule);
  g_assert_cmpint (jn_plan_item_get_action (item), ==, action);
}

static void
assert_state (JnPlan      *plan,
              const char  *pronote_id,
              JnPlanState  state,
              guint        n_candidates)
{
  JnPlanItem *item = item_of (plan, pronote_id);

  if (jn_plan_item_get_state (item) != state)
    g_error ("%s: state %d, expected %d", pronote_id, jn_plan_item_get_state (item), state);
  g_assert_cmpuint (jn_plan_item_get_candidates (item)->len, ==, n_candidates);
}

static JnPlan *
match (Fixture      *fixture,
       JnImportMode  mode)
{
  g_autoptr(GError) error = NULL;
  JnPlan *plan = jn_matcher_match (fixture->matcher, fixture->export, mode, NULL, &error);

  g_assert_no_error (error);
  return plan;
}

static void
test_students (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;

  fixture_setup (fixture,
    "<Eleves>"
    "<Eleve Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"10/01/2012\" IDPN=\"S1\"/>"
    "<Eleve Nom=\"DURAND\" Prenom=\"MARIE DESIREE\" DateNaissance=\"2012-03-04\" IDPN=\"S2\"/>"
    "<Eleve Nom=\"PETIT\" Prenom=\"Jules\" DateNaissance=\"2011-05-06\" IDPN=\"S3\"/>"   /* twins, */
    "<Eleve Nom=\"PETIT\" Prenom=\"Jules\" DateNaissance=\"2011-05-06\" IDPN=\"S4\"/>"   /* indistinguishable */
    "<Eleve Nom=\"ROUX\" Prenom=\"Léa\" DateNaissance=\"2011-07-08\" IDPN=\"S5\"/>"
    "<Eleve Nom=\"ROUX\" Prenom=\"Léo\" DateNaissance=\"2011-07-08\" IDPN=\"S6\"/>"
    "<Eleve Nom=\"BLANC\" Prenom=\"Tom\" IDPN=\"S7\"/>"                                  /* no date */
    "<Eleve Nom=\"NOIR\" Prenom=\"Zoé\" DateNaissance=\"2012-01-01\" IDPN=\"S8\"/>"     /* not in ENT */
    "</Eleves>",
    (char *[]) {
      user ("u1", "Eleve", "Elaphe", "AISSA", "2012-01-10", ""),
      user ("u2", "Élève", "Durand", "Marie", "2012-03-04", ""),
      user ("u3", "ELEVE", "Petit", "Jules", "2011-05-06", ""),
      user ("u4", "Eleve", "Petit", "Jules", "2011-05-06", ""),
      user ("u5", "Eleve", "Roux", "Lea", "2011-07-08", ""),
      user ("u6", "Eleve", "Roux", "Leo", "2011-07-08", ""),
      user ("u7", "Eleve", "Blanc", "Tom", "2011-09-09", ""),
      user ("u8", "Eleve", "Noir", "Zoé", "2012-02-02", ""),
      NULL });
  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);

  assert_matched (plan, "S1", "u1", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_matched (plan, "S2", "u2", JN_RULE_VARIANT_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_state (plan, "S3", JN_PLAN_STATE_AMBIGUOUS, 2);
  assert_state (plan, "S4", JN_PLAN_STATE_AMBIGUOUS, 2);
  assert_matched (plan, "S5", "u5", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_matched (plan, "S6", "u6", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_state (plan, "S7", JN_PLAN_STATE_UNMATCHED, 0);
  assert_state (plan, "S8", JN_PLAN_STATE_UNMATCHED, 0);
}

static void
test_unchanged_and_replace (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(JnPlan) complete = NULL;

  fixture_setup (fixture,
    "<Eleves>"
    "<Eleve Nom=\"MOREAU\" Prenom=\"Inès\" DateNaissance=\"2012-01-10\" IDPN=\"KEEP\"/>"
    "<Eleve Nom=\"FABRE\" Prenom=\"Hugo\" DateNaissance=\"2012-02-10\" IDPN=\"NEWID\"/>"
    "</Eleves>",
    (char *[]) {
      /* holds the file's id: unchanged even though the names differ now */
      user ("u1", "Eleve", "Moreau-Vidal", "Inès", NULL,
            "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"KEEP\"}]"),
      user ("u2", "Eleve", "Fabre", "Hugo", "2012-02-10",
            "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"OLDID\"},{\"uai\":\"0999999X\",\"value\":\"OTHER\"}]"),
      user ("u3", "Eleve", "Gone", "Ann", "2010-01-01",
            "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"STALE\"}]"),
      user ("u4", "Enseignant", "Parti", "Paul", NULL,
            "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"STALE2\"}]"),
      NULL });

  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);
  assert_matched (plan, "KEEP", "u1", JN_RULE_UNCHANGED, JN_PLAN_ACTION_UNCHANGED);
  assert_matched (plan, "NEWID", "u2", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_REPLACE);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, c)), ==, 0);

  /* Complete mode clears the identifiers the file no longer has, category by category */
  complete = match (fixture, JN_IMPORT_MODE_COMPLETE);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (complete, JN_CATEGORY_STUDENT)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (complete, JN_CATEGORY_TEACHER)), ==, 1);
  {
    g_autoptr(JnPlanItem) clear = g_list_model_get_item (jn_plan_get_clears (complete, JN_CATEGORY_STUDENT), 0);

    g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (clear)), ==, "u3");
    g_assert_cmpstr (jn_plan_item_get_pronote_id (clear), ==, pn ("STALE"));
  }
}

static void
test_staff (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;

  fixture_setup (fixture,
    "<Professeurs>"
    "<Professeur Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"T1\"/>"                          /* unique */
    "<Professeur Nom=\"BERNARD\" Prenom=\"Luc\" IDPN=\"T2\"/>"                            /* 2 in ENT */
    "<Professeur Nom=\"SIMON\" Prenom=\"Eva\" DateNaissance=\"1980-01-01\" IDPN=\"T3\"/>" /* dates */
    "<Professeur Nom=\"LAURENT\" Prenom=\"Marc\" IDPN=\"T4\"/>"                           /* 2 in file */
    "<Professeur Nom=\"LAURENT\" Prenom=\"Marc\" IDPN=\"T5\"/>"
    "<Professeur Nom=\"DE LA TOUR\" Prenom=\"Anne\" IDPN=\"T6\"/>"                        /* variant */
    "</Professeurs>"
    "<Personnels><Personnel Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"P1\"/></Personnels>",
    (char *[]) {
      user ("t1", "Enseignant", "Martin", "Claire", NULL, ""),
      user ("t2", "Enseignant", "Bernard", "Luc", NULL, ""),
      user ("t2b", "Enseignant", "Bernard", "Luc", "1975-01-01", ""),
      user ("t3", "Enseignant", "Simon", "Eva", "1980-01-01", ""),
      user ("t3b", "Enseignant", "Simon", "Eva", "1990-01-01", ""),
      user ("t4", "Enseignant", "Laurent", "Marc", NULL, ""),
      user ("t6", "Enseignant", "La Tour", "Anne", NULL, ""),
      user ("p1", "Non enseignant", "Martin", "Claire", NULL, ""),
      NULL });
  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);

  assert_matched (plan, "T1", "t1", JN_RULE_NAMES_UNIQUE, JN_PLAN_ACTION_SET);
  assert_state (plan, "T2", JN_PLAN_STATE_AMBIGUOUS, 2);
  assert_matched (plan, "T3", "t3", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_state (plan, "T4", JN_PLAN_STATE_AMBIGUOUS, 1);
  assert_state (plan, "T5", JN_PLAN_STATE_AMBIGUOUS, 1);
  assert_state (plan, "T6", JN_PLAN_STATE_AMBIGUOUS, 1);
  /* Categories never mix: the staff member matches the staff account */
  assert_matched (plan, "P1", "p1", JN_RULE_NAMES_UNIQUE, JN_PLAN_ACTION_SET);
}

static void
test_relatives (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;

  fixture_setup (fixture,
    "<Eleves>"
    "<Eleve Nom=\"PERRIN\" Prenom=\"Lou\" DateNaissance=\"2013-06-21\" IDPN=\"S1\">"
    "  <Responsable Ident=\"1\" Nom=\"PERRIN\" Prenom=\"Paul\" Civilite=\"M.\" IDPN=\"R1\"/>"
    "  <Responsable Ident=\"3\" Nom=\"PERRIN\" Prenom=\"Anne\" Civilite=\"M,Mme\" IDPN=\"R3\"/></Eleve>"
    "<Eleve Nom=\"PERRIN\" Prenom=\"Noé\" DateNaissance=\"2015-02-28\" IDPN=\"S2\">"
    "  <Responsable Ident=\"1\" Nom=\"PERRIN\" Prenom=\"Paul\" Civilite=\"M.\" IDPN=\"R1\"/></Eleve>"
    "<Eleve Nom=\"VIDAL\" Prenom=\"Sam\" DateNaissance=\"2013-01-01\" IDPN=\"S3\">"
    "  <Responsable Ident=\"2\" Nom=\"VIDAL\" Prenom=\"Rose\" Civilite=\"Mme\" IDPN=\"R2\"/></Eleve>"
    "</Eleves>",
    (char *[]) {
      user ("s1", "Eleve", "Perrin", "Lou", "2013-06-21", ""),
      user ("s2", "Eleve", "Perrin", "Noé", "2015-02-28", ""),
      user ("s3", "Eleve", "Vidal", "Sam", "2012-12-31", ""),   /* child not matched */
      user ("r1", "Parent", "Perrin", "Paul", NULL, "\"children\":[{\"value\":\"s1\"},{\"value\":\"s2\"}]"),
      user ("r1b", "Parent", "Perrin", "Paul", NULL, "\"children\":[{\"value\":\"sX\"}]"), /* homonym */
      user ("r3", "Parent", "Perrin", "Anne", NULL, "\"children\":[{\"value\":\"s1\"}]"),
      user ("r2", "Parent", "Vidal", "Rose", NULL, "\"children\":[{\"value\":\"s3\"}]"),
      NULL });
  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);

  assert_matched (plan, "R1", "r1", JN_RULE_NAMES_CHILD, JN_PLAN_ACTION_SET);
  /* A couple record is two people: never one of them silently */
  assert_state (plan, "R3", JN_PLAN_STATE_AMBIGUOUS, 2);
  /* Names alone never match a parent */
  assert_state (plan, "R2", JN_PLAN_STATE_UNMATCHED, 0);
}

static void
test_other_establishment (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;
  g_autofree char *other = NULL;

  other = g_strdup ("{\"id\":\"x1\",\"userType\":\"Eleve\",\"name\":{\"familyName\":\"Roy\",\"givenName\":\"Ana\"},"
                    "\"" EXT "\":{\"birthDate\":\"2012-01-01\",\"structures\":[\"0999999X\"]}}");
  fixture_setup (fixture,
    "<Eleves><Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"S1\"/></Eleves>",
    (char *[]) { g_steal_pointer (&other), NULL });
  plan = match (fixture, JN_IMPORT_MODE_COMPLETE);

  assert_state (plan, "S1", JN_PLAN_STATE_UNMATCHED, 0);
  g_assert_cmpint (jn_plan_item_get_cause (item_of (plan, "S1")), ==, JN_PLAN_CAUSE_OTHER_ESTABLISHMENT);
}

static void
test_decisions (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) decisions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnPlan) plan = NULL;
  JnPlan *refused;

  fixture_setup (fixture,
    "<Eleves>"
    "<Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"S1\"/>"
    "<Eleve Nom=\"ROI\" Prenom=\"Anna\" DateNaissance=\"2012-01-01\" IDPN=\"S2\"/>"
    "<Eleve Nom=\"LUC\" Prenom=\"Max\" DateNaissance=\"2012-01-01\" IDPN=\"S3\"/>"
    "</Eleves>",
    (char *[]) {
      user ("u1", "Eleve", "Roy", "Ana", "2012-01-01", ""),
      user ("u2", "Eleve", "Roi", "Ana", "2012-01-01", ""),
      user ("t1", "Enseignant", "Luc", "Max", NULL, ""),
      NULL });

  /* Valid: a manual match, and "do not import" */
  g_hash_table_insert (decisions, (gpointer)pn ("S2"), "u2");
  g_hash_table_insert (decisions, (gpointer)pn ("S3"), NULL);
  plan = jn_matcher_match (fixture->matcher, fixture->export, JN_IMPORT_MODE_PARTIAL, decisions, &error);
  g_assert_no_error (error);
  assert_matched (plan, "S1", "u1", JN_RULE_NAMES_BIRTH_DATE, JN_PLAN_ACTION_SET);
  assert_matched (plan, "S2", "u2", JN_RULE_MANUAL, JN_PLAN_ACTION_SET);
  assert_state (plan, "S3", JN_PLAN_STATE_UNMATCHED, 0);
  g_assert_true (jn_plan_item_get_skipped (item_of (plan, "S3")));

  /* Invalid: taken, wrong category, missing user, unknown identifier */
  g_hash_table_remove_all (decisions);
  g_hash_table_insert (decisions, (gpointer)pn ("S2"), "u1");
  g_hash_table_insert (decisions, (gpointer)pn ("S3"), "t1");
  g_hash_table_insert (decisions, (gpointer)pn ("NOPE"), "u2");
  g_hash_table_insert (decisions, (gpointer)pn ("S1"), "ghost");
  refused = jn_matcher_match (fixture->matcher, fixture->export, JN_IMPORT_MODE_PARTIAL, decisions, &error);
  g_assert_null (refused);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
  g_assert_nonnull (strstr (error->message, pn ("NOPE")));
  g_assert_nonnull (strstr (error->message, "“ghost”"));
  {
    g_autofree char *s3 = g_strdup_printf ("%s: the ENT user “t1” is not in the category", pn ("S3"));
    g_autofree char *s2 = g_strdup_printf ("%s:", pn ("S2"));

    g_assert_nonnull (strstr (error->message, s3));
    g_assert_null (strstr (error->message, s2));   /* u1 is freed: S1 is decided too */
  }
}

static void
test_suggestions (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(GArray) suggestions = NULL;
  g_autofree char *reasons = NULL;
  JnPerson *person;

  fixture_setup (fixture,
    "<Eleves><Eleve Nom=\"DUPONT\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\" IDPN=\"S1\"/></Eleves>",
    (char *[]) {
      user ("u1", "Eleve", "Dupond", "Léa", "2011-02-03", ""),
      user ("u2", "Eleve", "Dupont", "Lea", "2010-02-03", ""),
      user ("u3", "Eleve", "Lefebvre", "Léa", "2011-02-03", ""),
      user ("t1", "Enseignant", "Dupont", "Léa", "2011-02-03", ""),
      NULL });
  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);
  /* One letter away, the same birth date, nobody else: issue H matches it */
  assert_matched (plan, "S1", "u1", JN_RULE_TYPO_BIRTH_DATE, JN_PLAN_ACTION_SET);

  person = jn_plan_item_get_person (item_of (plan, "S1"));
  suggestions = jn_matcher_suggest (fixture->matcher, person, plan, 5);
  g_assert_cmpuint (suggestions->len, ==, 2);
  g_assert_cmpstr (jn_ent_user_get_id (g_array_index (suggestions, JnSuggestion, 0).user), ==, "u1");
  g_assert_cmpstr (jn_ent_user_get_id (g_array_index (suggestions, JnSuggestion, 1).user), ==, "u2");
  g_assert_true (g_array_index (suggestions, JnSuggestion, 0).reasons & JN_REASON_SAME_BIRTH_DATE);
  g_assert_true (g_array_index (suggestions, JnSuggestion, 0).reasons & JN_REASON_ONE_LETTER);
  g_assert_false (g_array_index (suggestions, JnSuggestion, 0).reasons & JN_REASON_CLOSE_SPELLING);
  g_assert_true (g_array_index (suggestions, JnSuggestion, 1).reasons & JN_REASON_ACCENTS_OR_CASE);
  g_assert_true (g_array_index (suggestions, JnSuggestion, 1).reasons & JN_REASON_OTHER_BIRTH_DATE);
  reasons = jn_reasons_to_string (g_array_index (suggestions, JnSuggestion, 1).reasons);
  g_assert_cmpstr (reasons, ==, "names differ by accents or case, different birth date");
}

/* Issue H's reasons, in words and with the names */
static void
test_h_reasons (Fixture *fixture, gconstpointer data)
{
  static const struct { const char *pronote_id, *ent_id; JnReasons reason; const char *text; } cases[] = {
    { "T1", "t1", JN_REASON_GIVEN_NAME_CUT, "given name cut: JEAN FRANC / Jean-François, same birth date" },
    { "S1", "u1", JN_REASON_ONE_LETTER, "one letter differs: DUPOND / Dupont, same birth date" },
    { "S2", "u2", JN_REASON_ONE_LETTER, "one letter differs: Mathlide / Mathilde, same birth date" },
    { "R2", "r2", JN_REASON_OTHER_FAMILY_NAME, "mother of PERRIN Lou, another family name" },
    { "R1", "r1", JN_REASON_CHILD_IN_COMMON, "same names, a child in common" },
  };
  g_autoptr(JnPlan) plan = NULL;

  fixture_setup (fixture,
    "<Professeurs><Professeur Nom=\"DUPUIS\" Prenom=\"JEAN FRANC\" DateNaissance=\"1975-03-04\" IDPN=\"T1\"/></Professeurs>"
    "<Eleves><Eleve Nom=\"DUPOND\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\" IDPN=\"S1\"/>"
    "<Eleve Nom=\"FAURE\" Prenom=\"Mathlide\" DateNaissance=\"2011-02-03\" IDPN=\"S2\"/>"
    "<Eleve Nom=\"PERRIN\" Prenom=\"Lou\" DateNaissance=\"2013-06-21\" IDPN=\"S3\">"
    "<Responsable Ident=\"1\" Nom=\"PERRIN\" Prenom=\"Paul\" Civilite=\"M.\" RespLegal=\"1\" IDPN=\"R1\"/>"
    "<Responsable Ident=\"2\" Nom=\"PERRIN\" Prenom=\"Rose\" Civilite=\"Mme\" RespLegal=\"2\" IDPN=\"R2\"/>"
    "</Eleve></Eleves>",
    (char *[]) {
      user ("t1", "Enseignant", "Dupuis", "Jean-François", "1975-03-04", ""),
      user ("u1", "Eleve", "Dupont", "Léa", "2011-02-03", ""),
      user ("u2", "Eleve", "Faure", "Mathilde", "2011-02-03", ""),
      user ("s3", "Eleve", "Perrin", "Lou", "2013-06-21", ""),
      user ("r1", "Parent", "PERRIN", "Paul", NULL, "\"children\":[{\"value\":\"s3\"}]"),
      user ("r2", "Parent", "Vidal", "Rose", NULL, "\"children\":[{\"value\":\"s3\"}]"),
      NULL });
  plan = match (fixture, JN_IMPORT_MODE_PARTIAL);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      JnPerson *person = jn_plan_item_get_person (item_of (plan, cases[c].pronote_id));
      JnEntUser *ent_user = jn_directory_lookup (fixture->directory, cases[c].ent_id);
      g_autoptr(GArray) suggestions = jn_matcher_suggest (fixture->matcher, person, plan, 5);
      g_autofree char *text = jn_matcher_explain (fixture->matcher, person, ent_user, plan);
      gboolean found = FALSE;

      g_test_message ("case %u: %s", c, cases[c].text);
      /* The account is suggested, for that reason */
      for (guint i = 0; i < suggestions->len; i++)
        {
          JnSuggestion *suggestion = &g_array_index (suggestions, JnSuggestion, i);

          if (suggestion->user == ent_user)
            {
              found = TRUE;
              g_assert_true (suggestion->reasons & cases[c].reason);
            }
        }
      g_assert_true (found);
      g_assert_cmpstr (text, ==, cases[c].text);
    }
}

static void
test_deterministic (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JnPlan) a = NULL;
  g_autoptr(JnPlan) b = NULL;
  g_autoptr(JsonNode) ja = NULL;
  g_autoptr(JsonNode) jb = NULL;

  fixture_setup (fixture,
    "<Eleves>"
    "<Eleve Nom=\"PETIT\" Prenom=\"Jules\" DateNaissance=\"2011-05-06\" IDPN=\"S3\"/>"
    "<Eleve Nom=\"PETIT\" Prenom=\"Jules\" DateNaissance=\"2011-05-06\" IDPN=\"S4\"/>"
    "</Eleves>",
    (char *[]) {
      user ("u4", "Eleve", "Petit", "Jules", "2011-05-06", ""),
      user ("u3", "Eleve", "Petit", "Jules", "2011-05-06", ""),
      NULL });

  a = match (fixture, JN_IMPORT_MODE_COMPLETE);
  b = match (fixture, JN_IMPORT_MODE_COMPLETE);
  ja = jn_plan_to_json (a);
  jb = jn_plan_to_json (b);
  g_assert_true (json_node_equal (ja, jb));
}

/* ---- One identifier, one person (table-driven) ---- */

#define X "KVX8NTH4DPQ3SYU7"
#define X_LOWER "kvx8nth4dpq3syu7"

typedef struct
{
  const char *id, *type, *family, *given, *birth_date, *extra;
} UserSpec;

typedef struct
{
  JnCategory   category;
  const char  *pronote_id;   /* through pn() */
  JnPlanState  state;
  const char  *cause;        /* or, when matched, the ENT id */
  const char  *rule;         /* when matched */
} Expect;

typedef struct
{
  const char   *name;
  const char   *records;
  UserSpec      users[5];
  JnImportMode  mode;
  gboolean      incomplete;  /* the directory looked truncated */
  Expect        expect[5];
  int           n_clears;    /* -1: not checked */
} MatchCase;

#define HOLDS(value) "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"" value "\"}]"
#define HOLDS_ELSEWHERE(value) "\"pronoteIds\":[{\"uai\":\"0999999X\",\"value\":\"" value "\"}]"
#define ROY_ANA(id) "<Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"" id "\"/>"

static const MatchCase match_cases[] = {
  { "a student and her parent share an identifier",
    "<Eleves><Eleve Nom=\"PERRIN\" Prenom=\"Lou\" DateNaissance=\"2013-06-21\" IDPN=\"X1\">"
    "<Responsable Ident=\"1\" Nom=\"PERRIN\" Prenom=\"Paul\" Civilite=\"M.\" IDPN=\"X1\"/></Eleve></Eleves>",
    { { "s1", "Eleve", "Perrin", "Lou", "2013-06-21", "" },
      { "r1", "Parent", "Perrin", "Paul", NULL, "\"children\":[{\"value\":\"s1\"}]" } },
    JN_IMPORT_MODE_COMPLETE, FALSE,
    { { JN_CATEGORY_STUDENT, "X1", JN_PLAN_STATE_AMBIGUOUS, "duplicate-in-export" },
      { JN_CATEGORY_RELATIVE, "X1", JN_PLAN_STATE_UNMATCHED, "duplicate-in-export" } }, 0 },
  { "a teacher and a student share an identifier",
    "<Professeurs><Professeur Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"X2\"/></Professeurs>"
    "<Eleves>" ROY_ANA ("X2") "</Eleves>",
    { { "t1", "Enseignant", "Martin", "Claire", NULL, "" },
      { "u1", "Eleve", "Roy", "Ana", "2012-01-01", "" } },
    JN_IMPORT_MODE_PARTIAL, FALSE,
    { { JN_CATEGORY_TEACHER, "X2", JN_PLAN_STATE_AMBIGUOUS, "duplicate-in-export" },
      { JN_CATEGORY_STUDENT, "X2", JN_PLAN_STATE_AMBIGUOUS, "duplicate-in-export" } }, -1 },
  { "one identifier in two cases (teacher, staff)",
    "<Professeurs><Professeur Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"" X "\"/></Professeurs>"
    "<Personnels><Personnel Nom=\"VIDAL\" Prenom=\"Rose\" IDPN=\"" X_LOWER "\"/></Personnels>",
    { { "t1", "Enseignant", "Martin", "Claire", NULL, "" },
      { "p1", "Non enseignant", "Vidal", "Rose", NULL, "" } },
    JN_IMPORT_MODE_PARTIAL, FALSE,
    { { JN_CATEGORY_TEACHER, X, JN_PLAN_STATE_AMBIGUOUS, "duplicate-in-export" },
      { JN_CATEGORY_STAFF, X_LOWER, JN_PLAN_STATE_UNMATCHED, "invalid-identifier" } }, -1 },
  { "identifiers PRONOTE does not write",
    "<Eleves>" ROY_ANA ("23456789ABCDEFG")
    "<Eleve Nom=\"ROI\" Prenom=\"Anna\" DateNaissance=\"2012-01-02\" IDPN=\"AAAAAAAAAAAAAAAI\"/>"
    "<Eleve Nom=\"LUC\" Prenom=\"Max\" DateNaissance=\"2012-01-03\" IDPN=\"" X_LOWER "\"/>"
    "<Eleve Nom=\"PETIT\" Prenom=\"Tom\" DateNaissance=\"2012-01-04\" IDPN=\"KVX8NTH4-PQ3SYU7\"/></Eleves>",
    { { "u1", "Eleve", "Roy", "Ana", "2012-01-01", "" }, { "u2", "Eleve", "Roi", "Anna", "2012-01-02", "" },
      { "u3", "Eleve", "Luc", "Max", "2012-01-03", "" }, { "u4", "Eleve", "Petit", "Tom", "2012-01-04", "" } },
    JN_IMPORT_MODE_COMPLETE, FALSE,
    { { JN_CATEGORY_STUDENT, "23456789ABCDEFG", JN_PLAN_STATE_UNMATCHED, "invalid-identifier" },
      { JN_CATEGORY_STUDENT, "AAAAAAAAAAAAAAAI", JN_PLAN_STATE_UNMATCHED, "invalid-identifier" },
      { JN_CATEGORY_STUDENT, X_LOWER, JN_PLAN_STATE_UNMATCHED, "invalid-identifier" },
      { JN_CATEGORY_STUDENT, "KVX8NTH4-PQ3SYU7", JN_PLAN_STATE_UNMATCHED, "invalid-identifier" } }, 0 },
  { "an identifier two ENT accounts hold is not given to a third",
    "<Eleves>" ROY_ANA ("X5") "</Eleves>",
    { { "u1", "Eleve", "Roy", "Ana", "2012-01-01", "" }, { "h1", "Eleve", "Blanc", "Tom", NULL, HOLDS ("X5") },
      { "h2", "Eleve", "Noir", "Zoé", NULL, HOLDS ("X5") } },
    JN_IMPORT_MODE_PARTIAL, FALSE,
    { { JN_CATEGORY_STUDENT, "X5", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } }, -1 },
  { "the ENT holds the identifier in small letters",
    "<Eleves>" ROY_ANA (X) "</Eleves>",
    { { "u1", "Eleve", "Roy", "Ana", "2012-01-01", "" }, { "h1", "Eleve", "Roy", "Anna", NULL, HOLDS (X_LOWER) } },
    JN_IMPORT_MODE_PARTIAL, FALSE,
    { { JN_CATEGORY_STUDENT, X, JN_PLAN_STATE_MATCHED, "h1", JN_RULE_ID_VARIANT } }, -1 },
  { "the ENT holds the identifier with spaces around",
    "<Eleves>" ROY_ANA (X) "</Eleves>",
    { { "u1", "Eleve", "Roy", "Ana", "2012-01-01", "" }, { "h1", "Eleve", "Roy", "Anna", NULL, HOLDS (" " X " ") } },
    JN_IMPORT_MODE_COMPLETE, FALSE,
    { { JN_CATEGORY_STUDENT, X, JN_PLAN_STATE_MATCHED, "h1", JN_RULE_ID_VARIANT } }, 0 },
  { "another establishment's identifier is independent",
    "<Eleves>" ROY_ANA ("X8") "</Eleves>",
    { { "u1", "Eleve", "Roy", "Ana", "2012-01-01", HOLDS_ELSEWHERE ("X8") },
      { "u2", "Eleve", "Blanc", "Tom", NULL, HOLDS_ELSEWHERE ("X8") } },
    JN_IMPORT_MODE_COMPLETE, FALSE,
    { { JN_CATEGORY_STUDENT, "X8", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_NAMES_BIRTH_DATE } }, 0 },
  { "names alone never match in a directory that looked truncated",
    "<Professeurs><Professeur Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"T1\"/></Professeurs>",
    { { "t1", "Enseignant", "Martin", "Claire", NULL, "" }, { "u3", "Eleve", "Gone", "Ann", NULL, HOLDS ("STALE") } },
    JN_IMPORT_MODE_COMPLETE, TRUE,
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_AMBIGUOUS, "weak-evidence" } }, 0 },
  { "the same, whole: names-unique, and the stale identifier cleared",
    "<Professeurs><Professeur Nom=\"MARTIN\" Prenom=\"Claire\" IDPN=\"T1\"/></Professeurs>",
    { { "t1", "Enseignant", "Martin", "Claire", NULL, "" }, { "u3", "Eleve", "Gone", "Ann", NULL, HOLDS ("STALE") } },
    JN_IMPORT_MODE_COMPLETE, FALSE,
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_MATCHED, "t1", JN_RULE_NAMES_UNIQUE } }, 1 },
};

static JnPlanItem *
find_item (JnPlan     *plan,
           JnCategory  category,
           const char *pronote_id)
{
  GListModel *items = jn_plan_get_items (plan, category);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (jn_plan_item_get_pronote_id (item), pn (pronote_id)) == 0)
        return item;   /* the plan holds its own reference */
    }

  g_error ("%s: not in %s", pronote_id, jn_category_to_key (category));
  return NULL;
}

static char **
users_of (const UserSpec *specs,
          guint           n)
{
  char **users = g_new0 (char *, n + 1);

  for (guint i = 0; i < n && specs[i].id != NULL; i++)
    users[i] = user (specs[i].id, specs[i].type, specs[i].family, specs[i].given,
                     specs[i].birth_date, specs[i].extra);

  return users;
}

static void
test_one_identifier (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (match_cases); c++)
    {
      const MatchCase *tc = &match_cases[c];
      g_autofree char **users = users_of (tc->users, G_N_ELEMENTS (tc->users));
      Fixture fixture = { 0 };
      g_autoptr(JnPlan) plan = NULL;
      g_autoptr(JsonNode) json = NULL;
      g_autofree char *text = NULL;
      guint n_clears = 0;

      g_test_message ("case %u: %s", c, tc->name);
      fixture_setup (&fixture, tc->records, users);
      if (tc->incomplete)
        {
          jn_directory_set_complete (fixture.directory, FALSE, "a test says so");
        }
      plan = match (&fixture, tc->mode);

      for (guint e = 0; e < G_N_ELEMENTS (tc->expect) && tc->expect[e].pronote_id != NULL; e++)
        {
          const Expect *x = &tc->expect[e];
          JnPlanItem *item = find_item (plan, x->category, x->pronote_id);

          if (jn_plan_item_get_state (item) != x->state)
            g_error ("%s: %s is in state %d, expected %d", tc->name, x->pronote_id,
                     jn_plan_item_get_state (item), x->state);
          if (x->state == JN_PLAN_STATE_MATCHED)
            {
              g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (item)), ==, x->cause);
              g_assert_cmpstr (jn_plan_item_get_rule (item), ==, x->rule);
            }
          else
            {
              g_assert_cmpstr (jn_plan_cause_to_string (jn_plan_item_get_cause (item)), ==, x->cause);
            }
        }

      for (guint k = 0; k < JN_N_CATEGORIES; k++)
        n_clears += g_list_model_get_n_items (jn_plan_get_clears (plan, k));
      if (tc->n_clears >= 0)
        g_assert_cmpuint (n_clears, ==, (guint)tc->n_clears);

      /* cli.md: every record not matched says why */
      json = jn_plan_to_json (plan);
      text = json_to_string (json, FALSE);
      if (tc->expect[0].state != JN_PLAN_STATE_MATCHED)
        g_assert_nonnull (strstr (text, tc->expect[0].cause));

      fixture_teardown (&fixture, NULL);
    }
}

typedef struct
{
  const char   *name;
  const char   *decisions[3][2];    /* pronote id (through pn()) → ENT id or NULL */
  JnImportMode  mode;
  const char   *error;              /* in the message, or NULL: accepted */
} DecisionCase;

/* D1 is held by h1 already (unchanged); D3 is a student's and a teacher's; the staff
 * member's identifier is malformed */
static const DecisionCase decision_cases[] = {
  { "a decision for an identifier two records share",
    { { "D3", "u3" } }, JN_IMPORT_MODE_PARTIAL, "several records of the export have this identifier" },
  { "a decision for a malformed identifier",
    { { X_LOWER, "p1" } }, JN_IMPORT_MODE_PARTIAL, "not a PRONOTE identifier" },
  { "partial mode: the holder would keep the identifier",
    { { "D1", "u2" } }, JN_IMPORT_MODE_PARTIAL, "“h1” already holds this identifier" },
  { "complete mode: the holder is cleared, accepted",
    { { "D1", "u2" } }, JN_IMPORT_MODE_COMPLETE, NULL },
  { "two decisions give one account",
    { { "D2", "u1" }, { "D4", "u1" } }, JN_IMPORT_MODE_PARTIAL, "is also chosen for" },
  { "an account already matched to another record",
    { { "D2", "h1" } }, JN_IMPORT_MODE_PARTIAL, "is already matched to" },
  { "an ENT id that does not exist",
    { { "D2", "nobody" } }, JN_IMPORT_MODE_PARTIAL, "the ENT has no user “nobody”" },
  { "an account of another profile",
    { { "D2", "t1" } }, JN_IMPORT_MODE_PARTIAL, "is not in the category" },
  { "an account of another establishment only",
    { { "D2", "x1" } }, JN_IMPORT_MODE_PARTIAL, "does not belong to establishment" },
  { "an identifier with spaces around",
    { { " " X " ", "u1" } }, JN_IMPORT_MODE_PARTIAL, "not a PRONOTE identifier" },
  { "\"do not import\" a shared identifier is harmless",
    { { "D3", NULL } }, JN_IMPORT_MODE_PARTIAL, NULL },
};

static void
test_one_identifier_decisions (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (decision_cases); c++)
    {
      const DecisionCase *tc = &decision_cases[c];
      g_autoptr(GHashTable) decisions = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GError) error = NULL;
      g_autoptr(JnPlan) plan = NULL;
      Fixture fixture = { 0 };

      g_test_message ("case %u: %s", c, tc->name);
      fixture_setup (&fixture,
        "<Professeurs><Professeur Nom=\"LUC\" Prenom=\"Max\" IDPN=\"D3\"/></Professeurs>"
        "<Eleves>"
        "<Eleve Nom=\"ROY\" Prenom=\"Ana\" DateNaissance=\"2012-01-01\" IDPN=\"D1\"/>"
        "<Eleve Nom=\"ROI\" Prenom=\"Anna\" DateNaissance=\"2012-01-01\" IDPN=\"D2\"/>"
        "<Eleve Nom=\"LUC\" Prenom=\"Max\" DateNaissance=\"2012-05-05\" IDPN=\"D3\"/>"
        "<Eleve Nom=\"DUPONT\" Prenom=\"Léa\" DateNaissance=\"2012-06-06\" IDPN=\"D4\"/>"
        "</Eleves>"
        "<Personnels><Personnel Nom=\"VIDAL\" Prenom=\"Rose\" IDPN=\"" X_LOWER "\"/></Personnels>",
        (char *[]) {
          user ("h1", "Eleve", "Roy-Blanc", "Ana", NULL, HOLDS ("D1")),
          user ("u1", "Eleve", "Dupond", "Lea", "2011-01-01", ""),
          user ("u2", "Eleve", "Roy", "Ana", "2012-01-01", ""),
          user ("u3", "Eleve", "Luc", "Max", "2012-05-05", ""),
          user ("t1", "Enseignant", "Luc", "Max", NULL, ""),
          user ("p1", "Non enseignant", "Vidal", "Rose", NULL, ""),
          g_strdup ("{\"id\":\"x1\",\"userType\":\"Eleve\",\"name\":{\"familyName\":\"Roi\",\"givenName\":\"Anna\"},"
                    "\"" EXT "\":{\"birthDate\":\"2012-01-01\",\"structures\":[\"0999999X\"]}}"),
          NULL });

      for (guint d = 0; d < G_N_ELEMENTS (tc->decisions) && tc->decisions[d][0] != NULL; d++)
        g_hash_table_insert (decisions, (gpointer)pn (tc->decisions[d][0]), (gpointer)tc->decisions[d][1]);

      plan = jn_matcher_match (fixture.matcher, fixture.export, tc->mode, decisions, &error);
      if (tc->error != NULL)
        {
          g_assert_null (plan);
          g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION);
          if (strstr (error->message, tc->error) == NULL)
            g_error ("%s: “%s” does not say “%s”", tc->name, error->message, tc->error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_nonnull (plan);
        }

      /* Whatever the decisions, no account is matched twice and no shared or malformed
       * identifier is matched */
      if (plan != NULL)
        {
          g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);

          for (guint k = 0; k < JN_N_CATEGORIES; k++)
            {
              GListModel *items = jn_plan_get_items (plan, k);

              for (guint i = 0; i < g_list_model_get_n_items (items); i++)
                {
                  g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

                  if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED)
                    continue;
                  g_assert_true (g_hash_table_add (taken, (gpointer)jn_ent_user_get_id (jn_plan_item_get_user (item))));
                  g_assert_true (jn_pronote_id_is_wellformed (jn_plan_item_get_pronote_id (item)));
                  g_assert_cmpstr (jn_plan_item_get_pronote_id (item), !=, pn ("D3"));
                }
            }
          if (tc->mode == JN_IMPORT_MODE_COMPLETE)
            g_assert_cmpuint (g_list_model_get_n_items (jn_plan_get_clears (plan, JN_CATEGORY_STUDENT)), ==, 1);
        }

      fixture_teardown (&fixture, NULL);
    }
}

/* A directory that cannot be the establishment's whole is refused */
typedef struct
{
  const char *name;
  guint       n_students;     /* in the export */
  guint       n_accounts;     /* student accounts of the UAI */
  const char *other_uai;      /* the accounts belong to this UAI instead */
  const char *error;          /* or NULL: accepted */
} SizeCase;

static const SizeCase size_cases[] = {
  { "no account of the establishment, all of another", 12, 12, "0999999X", "no account of establishment" },
  { "an empty directory", 3, 0, NULL, "no account of establishment" },
  { "fewer than half", 40, 19, NULL, "looks incomplete" },
  { "half is enough", 40, 20, NULL, NULL },
  { "a small export is not judged", 9, 1, NULL, NULL },
};

static void
test_small_directory (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (size_cases); c++)
    {
      const SizeCase *tc = &size_cases[c];
      g_autoptr(GString) records = g_string_new ("<Eleves>");
      g_autoptr(GPtrArray) users = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      Fixture fixture = { 0 };
      gboolean ok;

      g_test_message ("case %u: %s", c, tc->name);
      for (guint i = 0; i < tc->n_students; i++)
        g_string_append_printf (records, "<Eleve Nom=\"E%c%c\" Prenom=\"Zoé\" DateNaissance=\"2012-01-01\" IDPN=\"S%02u\"/>",
                                'A' + i / 26, 'A' + i % 26, i);
      g_string_append (records, "</Eleves>");
      for (guint i = 0; i < tc->n_accounts; i++)
        {
          g_autofree char *id = g_strdup_printf ("s%u", i);
          char *json = user (id, "Eleve", "E", "Zoé", "2012-01-01", "");

          if (tc->other_uai != NULL)
            {
              char *other = NULL;
              g_auto(GStrv) parts = g_strsplit (json, UAI, -1);

              other = g_strjoinv (tc->other_uai, parts);
              g_free (json);
              json = other;
            }
          g_ptr_array_add (users, json);
        }
      g_ptr_array_add (users, NULL);
      fixture_setup (&fixture, records->str, (char **)users->pdata);

      ok = jn_matcher_check_directory (fixture.directory, UAI, fixture.export, &error);
      if (tc->error != NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
          g_assert_nonnull (strstr (error->message, tc->error));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      fixture_teardown (&fixture, NULL);
    }
}


/* ---- Issue H: cut given names, one-letter typos, mothers under another family name ---- */

typedef struct
{
  const char   *name;
  const char   *records;
  UserSpec      users[8];
  Expect        expect[4];
} HCase;

#define KID(id) "\"children\":[{\"value\":\"" id "\"}]"
#define LOU_PERRIN(id, relatives) \
  "<Eleve Nom=\"PERRIN\" Prenom=\"Lou\" DateNaissance=\"2013-06-21\" IDPN=\"" id "\">" relatives "</Eleve>"
#define MUM(family, given, id) \
  "<Responsable Ident=\"" id "\" Nom=\"" family "\" Prenom=\"" given "\" Civilite=\"Mme\" RespLegal=\"1\" IDPN=\"" id "\"/>"
#define DAD(family, given, id) \
  "<Responsable Ident=\"" id "\" Nom=\"" family "\" Prenom=\"" given "\" Civilite=\"M.\" RespLegal=\"2\" IDPN=\"" id "\"/>"
#define S_LOU { "s1", "Eleve", "Perrin", "Lou", "2013-06-21", "" }
#define TEACHER(family, given, birth, id) \
  "<Professeurs><Professeur Nom=\"" family "\" Prenom=\"" given "\" DateNaissance=\"" birth "\" IDPN=\"" id "\"/></Professeurs>"
#define STUDENT(family, given, birth, id) \
  "<Eleve Nom=\"" family "\" Prenom=\"" given "\" DateNaissance=\"" birth "\" IDPN=\"" id "\"/>"

static const HCase h_cases[] = {
  /* class 1: cut, first part, initial */
  { "a given name cut at ten letters",
    TEACHER ("DUPUIS", "JEAN FRANC", "1975-03-04", "T1"),
    { { "t1", "Enseignant", "Dupuis", "Jean-François", "1975-03-04", "" },
      { "t2", "Enseignant", "Dupuis", "Jean", "1975-03-05", "" } },
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_MATCHED, "t1", JN_RULE_CUT_BIRTH_DATE } } },
  { "the ENT has the cut, PRONOTE the whole name",
    TEACHER ("DUPUIS", "Marie-Christine", "1975-03-04", "T1"),
    { { "t1", "Enseignant", "Dupuis", "MARIE CHRI", "1975-03-04", "" } },
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_MATCHED, "t1", JN_RULE_CUT_BIRTH_DATE } } },
  { "the first part of a compound given name (three letters)",
    "<Eleves>" STUDENT ("ROUX", "Léo", "2012-07-08", "S1") "</Eleves>",
    { { "u1", "Eleve", "Roux", "Léo-Paul", "2012-07-08", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_CUT_BIRTH_DATE } } },
  { "initials: J-Pierre, M.Hélène, M- Claude",
    "<Personnels><Personnel Nom=\"BLANC\" Prenom=\"J-Pierre\" DateNaissance=\"1970-01-01\" IDPN=\"P1\"/>"
    "<Personnel Nom=\"NOIR\" Prenom=\"M.Hélène\" DateNaissance=\"1971-01-01\" IDPN=\"P2\"/>"
    "<Personnel Nom=\"GRIS\" Prenom=\"M- Claude\" DateNaissance=\"1972-01-01\" IDPN=\"P3\"/></Personnels>",
    { { "p1", "Non enseignant", "Blanc", "Jean-Pierre", "1970-01-01", "" },
      { "p2", "Non enseignant", "Noir", "Marie-Hélène", "1971-01-01", "" },
      { "p3", "Non enseignant", "Gris", "Marie Claude", "1972-01-01", "" } },
    { { JN_CATEGORY_STAFF, "P1", JN_PLAN_STATE_MATCHED, "p1", JN_RULE_CUT_BIRTH_DATE },
      { JN_CATEGORY_STAFF, "P2", JN_PLAN_STATE_MATCHED, "p2", JN_RULE_CUT_BIRTH_DATE },
      { JN_CATEGORY_STAFF, "P3", JN_PLAN_STATE_MATCHED, "p3", JN_RULE_CUT_BIRTH_DATE } } },
  /* class 2: each kind of typo, family and given */
  { "family typos: a letter missing, added, replaced",
    "<Eleves>" STUDENT ("DUPNT", "Léa", "2011-02-03", "S1") STUDENT ("LEFEBVRRE", "Tom", "2011-02-04", "S2")
    STUDENT ("GARNIEZ", "Eva", "2011-02-05", "S3") "</Eleves>",
    { { "u1", "Eleve", "Dupont", "Léa", "2011-02-03", "" },
      { "u2", "Eleve", "Lefebvre", "Tom", "2011-02-04", "" },
      { "u3", "Eleve", "Garnier", "Eva", "2011-02-05", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_TYPO_BIRTH_DATE },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_MATCHED, "u2", JN_RULE_TYPO_BIRTH_DATE },
      { JN_CATEGORY_STUDENT, "S3", JN_PLAN_STATE_MATCHED, "u3", JN_RULE_TYPO_BIRTH_DATE } } },
  { "given typos: two letters swapped, one replaced",
    "<Eleves>" STUDENT ("FAURE", "Mathlide", "2011-02-03", "S1") STUDENT ("MOREL", "Clemnet", "2011-02-03", "S2")
    "</Eleves>" TEACHER ("BRUN", "Stephane", "1980-05-05", "T1"),
    { { "u1", "Eleve", "Faure", "Mathilde", "2011-02-03", "" },
      { "u2", "Eleve", "Morel", "Clément", "2011-02-03", "" },
      { "t1", "Enseignant", "Brun", "Stéphanie", "1980-05-05", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_TYPO_BIRTH_DATE },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_MATCHED, "u2", JN_RULE_TYPO_BIRTH_DATE },
      { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_MATCHED, "t1", JN_RULE_TYPO_BIRTH_DATE } } },
  { "relatives: a typo and a cut, through the matched child",
    "<Eleves>" LOU_PERRIN ("S1", DAD ("PERIRN", "Paul", "R1") MUM ("PERRIN", "ANNE SOPHI", "R2")) "</Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Paul", NULL, KID ("s1") },
      { "r2", "Parent", "Perrin", "Anne-Sophie", NULL, KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_MATCHED, "r1", JN_RULE_TYPO_CHILD },
      { JN_CATEGORY_RELATIVE, "R2", JN_PLAN_STATE_MATCHED, "r2", JN_RULE_CUT_CHILD } } },
  /* class 3 */
  { "a mother under her maiden name",
    "<Eleves>" LOU_PERRIN ("S1", DAD ("PERRIN", "Paul", "R1") MUM ("PERRIN", "Rose", "R2")) "</Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Paul", NULL, KID ("s1") },
      { "r2", "Parent", "Vidal", "Rose", NULL, KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_MATCHED, "r1", JN_RULE_NAMES_CHILD },
      { JN_CATEGORY_RELATIVE, "R2", JN_PLAN_STATE_MATCHED, "r2", JN_RULE_OTHER_FAMILY_CHILD } } },
  /* class 4 */
  { "a parent found once her child's typo is",
    "<Eleves><Eleve Nom=\"PERIN\" Prenom=\"Lou\" DateNaissance=\"2013-06-21\" IDPN=\"S1\">"
    MUM ("PERRIN", "Rose", "R1") "</Eleve></Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Rose", NULL, KID ("s1") } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "s1", JN_RULE_TYPO_BIRTH_DATE },
      { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_MATCHED, "r1", JN_RULE_NAMES_CHILD } } },
  /* traps */
  { "two relatives of the child fit (ENT)",
    "<Eleves>" LOU_PERRIN ("S1", MUM ("PERRIN", "Rose", "R1")) "</Eleves>",
    { S_LOU, { "r1", "Parent", "Vidal", "Rose", NULL, KID ("s1") },
      { "r2", "Parent", "Morel", "Rose", NULL, KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "two relatives of the child fit (export, not a legal guardian)",
    "<Eleves>" LOU_PERRIN ("S1", MUM ("PERRIN", "Camille", "R1")
    "<Responsable Ident=\"R2\" Nom=\"LEROY\" Prenom=\"Camille\" Civilite=\"M.\" RespLegal=\"0\" IDPN=\"R2\"/>")
    "</Eleves>",
    { S_LOU, { "r1", "Parent", "Vidal", "Camille", NULL, KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_UNMATCHED, "no-account" },
      { JN_CATEGORY_RELATIVE, "R2", JN_PLAN_STATE_UNMATCHED, "not-guardian" } } },
  { "twins sharing an initial or a first part",
    "<Eleves>" STUDENT ("PETIT", "J.", "2011-05-06", "S1") STUDENT ("PETIT", "ANNE", "2011-05-06", "S2") "</Eleves>",
    { { "u1", "Eleve", "Petit", "Jules", "2011-05-06", "" }, { "u2", "Eleve", "Petit", "Jade", "2011-05-06", "" },
      { "u3", "Eleve", "Petit", "Anne-Sophie", "2011-05-06", "" }, { "u4", "Eleve", "Petit", "Anne-Laure", "2011-05-06", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_UNMATCHED, "no-account" },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } } },
  { "MARTIN and MARTINS born the same day, one account",
    "<Eleves>" STUDENT ("MARTIN", "Lucas", "2012-01-01", "S1") STUDENT ("MARTINS", "Lucas", "2012-01-01", "S2") "</Eleves>",
    { { "u1", "Eleve", "Martin", "Lucas", "2012-01-01", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_NAMES_BIRTH_DATE },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } } },
  { "LEA is not LENA: four letters are too few for a typo",
    "<Eleves>" STUDENT ("ROUX", "LEA", "2011-07-08", "S1") "</Eleves>",
    { { "u1", "Eleve", "Roux", "Léna", "2011-07-08", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "a cut fitting two accounts",
    TEACHER ("DUPUIS", "MARIE LAUR", "1975-03-04", "T1"),
    { { "t1", "Enseignant", "Dupuis", "Marie-Laurence", "1975-03-04", "" },
      { "t2", "Enseignant", "Dupuis", "Marie-Laure", "1975-03-04", "" } },
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } } },
  { "a typo and another birth date",
    "<Eleves>" STUDENT ("DUPOND", "Léa", "2011-02-03", "S1") "</Eleves>",
    { { "u1", "Eleve", "Dupont", "Léa", "2011-02-04", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "no birth date: names alone are not enough for a variant",
    "<Professeurs><Professeur Nom=\"DUPOND\" Prenom=\"Luc\" IDPN=\"T1\"/>"
    "<Professeur Nom=\"BLANC\" Prenom=\"J-Pierre\" DateNaissance=\"1970-01-01\" IDPN=\"T2\"/></Professeurs>",
    { { "t1", "Enseignant", "Dupont", "Luc", NULL, "" }, { "t2", "Enseignant", "Blanc", "Jean-Pierre", NULL, "" } },
    { { JN_CATEGORY_TEACHER, "T1", JN_PLAN_STATE_UNMATCHED, "no-account" },
      { JN_CATEGORY_TEACHER, "T2", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "the variant's account already matched: ambiguous",
    "<Eleves>" STUDENT ("DUPONT", "Léa", "2011-02-03", "S1") STUDENT ("DUPOND", "Léa", "2011-02-03", "S2") "</Eleves>",
    { { "u1", "Eleve", "Dupont", "Léa", "2011-02-03", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_MATCHED, "u1", JN_RULE_NAMES_BIRTH_DATE },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } } },
  { "two records, one variant account",
    "<Eleves>" STUDENT ("DUPONDT", "Léa", "2011-02-03", "S1") STUDENT ("DUPOND", "Léa", "2011-02-03", "S2") "</Eleves>",
    { { "u1", "Eleve", "Dupont", "Léa", "2011-02-03", "" } },
    { { JN_CATEGORY_STUDENT, "S1", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" },
      { JN_CATEGORY_STUDENT, "S2", JN_PLAN_STATE_AMBIGUOUS, "several-accounts" } } },
  { "a couple, and a mother without the child link",
    "<Eleves>" LOU_PERRIN ("S1", "<Responsable Ident=\"R1\" Nom=\"PERIRN\" Prenom=\"Paul\" Civilite=\"M,Mme\" RespLegal=\"1\" IDPN=\"R1\"/>")
    "<Eleve Nom=\"VIDAL\" Prenom=\"Sam\" DateNaissance=\"2013-01-01\" IDPN=\"S2\">" MUM ("VIDAL", "Rose", "R2") "</Eleve></Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Paul", NULL, KID ("s1") },
      { "s2", "Eleve", "Vidal", "Sam", "2012-12-31", "" }, { "r2", "Parent", "Morel", "Rose", NULL, KID ("s2") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_UNMATCHED, "couple" },
      { JN_CATEGORY_RELATIVE, "R2", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "RespLegal 0, and a father under another family name",
    "<Eleves>" LOU_PERRIN ("S1", "<Responsable Ident=\"R1\" Nom=\"PERIRN\" Prenom=\"Paul\" Civilite=\"M.\" RespLegal=\"0\" IDPN=\"R1\"/>"
    DAD ("PERRIN", "Marc", "R2")) "</Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Paul", NULL, KID ("s1") },
      { "r2", "Parent", "Leroy", "Marc", NULL, KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_UNMATCHED, "not-guardian" },
      { JN_CATEGORY_RELATIVE, "R2", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
  { "a relative's variant with another birth date",
    "<Eleves>" LOU_PERRIN ("S1", "<Responsable Ident=\"R1\" Nom=\"PERRIN\" Prenom=\"ANNE SOPHI\" Civilite=\"Mme\" "
    "RespLegal=\"1\" DateNaissance=\"1980-01-01\" IDPN=\"R1\"/>") "</Eleves>",
    { S_LOU, { "r1", "Parent", "Perrin", "Anne-Sophie", "1981-01-01", KID ("s1") } },
    { { JN_CATEGORY_RELATIVE, "R1", JN_PLAN_STATE_UNMATCHED, "no-account" } } },
};

static void
test_h_rules (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (h_cases); c++)
    {
      const HCase *tc = &h_cases[c];
      g_autofree char **users = users_of (tc->users, G_N_ELEMENTS (tc->users));
      Fixture fixture = { 0 };
      g_autoptr(JnPlan) plan = NULL;

      g_test_message ("case %u: %s", c, tc->name);
      fixture_setup (&fixture, tc->records, users);
      plan = match (&fixture, JN_IMPORT_MODE_PARTIAL);

      for (guint e = 0; e < G_N_ELEMENTS (tc->expect) && tc->expect[e].pronote_id != NULL; e++)
        {
          const Expect *x = &tc->expect[e];
          JnPlanItem *item = find_item (plan, x->category, x->pronote_id);

          if (jn_plan_item_get_state (item) != x->state)
            g_error ("%s: %s is in state %d, expected %d", tc->name, x->pronote_id,
                     jn_plan_item_get_state (item), x->state);
          if (x->state == JN_PLAN_STATE_MATCHED)
            {
              g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (item)), ==, x->cause);
              g_assert_cmpstr (jn_plan_item_get_rule (item), ==, x->rule);
            }
          else
            g_assert_cmpstr (jn_plan_cause_to_string (jn_plan_item_get_cause (item)), ==, x->cause);
        }

      fixture_teardown (&fixture, NULL);
    }
}

/* The account holding a record's identifier is believed ("unchanged") only when nothing
 * else contradicts it: a birth date that differs, or no name alike, means someone else
 * holds it (an earlier wrong match): the record is matched by the other rules, the holder
 * cleared in complete mode; without another fit, the holder is only a candidate. */
static void
test_contradicted_holder (void)
{
  static const struct
  {
    const char *name;
    const char *holder_family, *holder_given, *holder_birth;
    gboolean    true_account;   /* the record's own account exists (t1) */
    JnPlanState state;          /* of the record KVX */
    const char *ent_id;         /* when matched */
    const char *rule;
    guint       n_clears;       /* complete mode */
  } cases[] = {
    /* Not contradicted: unchanged, as before */
    { "same-person", "Martin", "Claire", "2011-03-04", FALSE, JN_PLAN_STATE_MATCHED, "t2", JN_RULE_UNCHANGED, 0 },
    { "married-name", "Durand", "Claire", "2011-03-04", FALSE, JN_PLAN_STATE_MATCHED, "t2", JN_RULE_UNCHANGED, 0 },
    { "no-birth-date-in-ent", "Martin", "Claire", NULL, FALSE, JN_PLAN_STATE_MATCHED, "t2", JN_RULE_UNCHANGED, 0 },
    { "typo-in-family", "Martinn", "Paul", NULL, FALSE, JN_PLAN_STATE_MATCHED, "t2", JN_RULE_UNCHANGED, 0 },
    /* Contradicted: someone else holds Claire's identifier */
    { "other-person-true-account", "Durand", "Paul", NULL, TRUE, JN_PLAN_STATE_MATCHED, "t1", JN_RULE_NAMES_BIRTH_DATE, 1 },
    { "other-birth-date-true-account", "Martin", "Claire", "1980-01-01", TRUE, JN_PLAN_STATE_MATCHED, "t1", JN_RULE_NAMES_BIRTH_DATE, 1 },
    { "other-person-alone", "Durand", "Paul", NULL, FALSE, JN_PLAN_STATE_AMBIGUOUS, NULL, NULL, 0 },
    { "other-birth-date-alone", "Martin", "Claire", "1980-01-01", FALSE, JN_PLAN_STATE_AMBIGUOUS, NULL, NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture fixture = { 0 };
      g_autoptr(JnPlan) partial = NULL;
      g_autoptr(JnPlan) complete = NULL;
      JnPlanItem *item;
      guint n_clears = 0;

      g_test_message ("case %s", cases[i].name);
      fixture_setup (&fixture,
        "<Eleves><Eleve Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"2011-03-04\" IDPN=\"KVX\"/></Eleves>",
        (char *[]) {
          user ("t2", "Eleve", cases[i].holder_family, cases[i].holder_given, cases[i].holder_birth,
                "\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"KVX\"}]"),
          cases[i].true_account ? user ("t1", "Eleve", "Martin", "Claire", "2011-03-04", "") : NULL,
          NULL });

      partial = match (&fixture, JN_IMPORT_MODE_PARTIAL);
      item = item_of (partial, "KVX");
      if (jn_plan_item_get_state (item) != cases[i].state)
        g_error ("%s: state %d, expected %d", cases[i].name, jn_plan_item_get_state (item), cases[i].state);
      if (cases[i].state == JN_PLAN_STATE_MATCHED)
        {
          g_assert_cmpstr (jn_ent_user_get_id (jn_plan_item_get_user (item)), ==, cases[i].ent_id);
          g_assert_cmpstr (jn_plan_item_get_rule (item), ==, cases[i].rule);
        }
      else
        {
          /* The holder is shown to the admin, never taken */
          g_assert_cmpuint (jn_plan_item_get_candidates (item)->len, ==, 1);
          g_assert_cmpstr (jn_ent_user_get_id (g_ptr_array_index (jn_plan_item_get_candidates (item), 0)), ==, "t2");
        }

      complete = match (&fixture, JN_IMPORT_MODE_COMPLETE);
      for (guint c = 0; c < JN_N_CATEGORIES; c++)
        n_clears += g_list_model_get_n_items (jn_plan_get_clears (complete, c));
      if (n_clears != cases[i].n_clears)
        g_error ("%s: %u clears, expected %u", cases[i].name, n_clears, cases[i].n_clears);
      fixture_teardown (&fixture, NULL);
    }
}

/* ---- issue G: the causes the export and the directory tell ---- */

static void
test_causes (void)
{
  static const struct
  {
    const char *pronote_id;
    const char *cause;
  } expect[] = {
    /* RespLegal="0": the export says this contact is not a legal guardian */
    { "R1", "not-guardian" },
    /* No RespLegal at all: nothing is known, no account is close */
    { "R2", "no-account" },
    /* The same names and birth date twice, one account: one person entered twice */
    { "S2", "duplicate-in-export" },
    { "S3", "duplicate-in-export" },
  };
  Fixture fixture = { 0 };
  g_autoptr(JnPlan) plan = NULL;

  fixture_setup (&fixture,
    "<Eleves>"
    "<Eleve Nom=\"DUPONT\" Prenom=\"Léa\" DateNaissance=\"2011-02-03\" IDPN=\"S1\">"
    "<Responsable Ident=\"1\" RespLegal=\"0\" Nom=\"DUPONT\" Prenom=\"Marc\" IDPN=\"R1\"/>"
    "<Responsable Ident=\"2\" Nom=\"DUPONT\" Prenom=\"Anne\" IDPN=\"R2\"/></Eleve>"
    "<Eleve Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"2011-03-04\" IDPN=\"S2\"/>"
    "<Eleve Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"2011-03-04\" IDPN=\"S3\"/>"
    "</Eleves>",
    (char *[]) {
      user ("s1", "Eleve", "Dupont", "Léa", "2011-02-03", ""),
      user ("s2", "Eleve", "Martin", "Claire", "2011-03-04", ""),
      NULL });

  plan = match (&fixture, JN_IMPORT_MODE_PARTIAL);
  g_assert_cmpint (jn_plan_item_get_state (item_of (plan, "S1")), ==, JN_PLAN_STATE_MATCHED);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      JnPlanItem *item = item_of (plan, expect[i].pronote_id);
      const char *cause = jn_plan_cause_to_string (jn_plan_item_get_cause (item));

      g_assert_cmpint (jn_plan_item_get_state (item), !=, JN_PLAN_STATE_MATCHED);
      if (g_strcmp0 (cause, expect[i].cause) != 0)
        g_error ("%s: cause %s, expected %s", expect[i].pronote_id, cause, expect[i].cause);
    }
  fixture_teardown (&fixture, NULL);
}

/* ---- suggestions against a brute force, on a generated establishment ---- */

static const char *gen_families[] = {
  "Dupont", "Dupond", "DUPONT", "Lefèvre", "Lefevre", "Lefebvre", "Garcia Lopez", "Garcia",
  "De La Tour", "Tour", "N'Diaye", "Ndiaye", "Moreau", "Moreaux", "Petit", "Petitjean",
  "Martin", "Martins", "Bernard", "Vidal",
};
static const char *gen_givens[] = {
  "Léa", "Lea", "Marie", "Marie-Claire", "Marie Claire", "Jean", "Jean-François", "JEAN FRANC",
  "Mathilde", "Mathlide", "Tom", "Thomas", "Zoé", "Paul", "Rose",
};
static const char *gen_dates[] = {
  "2011-02-03", "2011-02-04", "2010-12-31", "2012-06-21", "2011-09-09", NULL,
};

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

/* The brute force of the old jn_matcher_suggest(): a child of the record's among the ENT
 * user's children, by compact names */
static gboolean
brute_child_in_common (JnDirectory *directory,
                       JnPerson    *person,
                       JnEntUser   *user)
{
  const char * const *children = jn_ent_user_get_children (user);
  GPtrArray *record_children = jn_person_get_children (person);

  for (guint k = 0; children != NULL && children[k] != NULL; k++)
    {
      JnEntUser *child = jn_directory_lookup (directory, children[k]);
      g_autofree char *family = NULL;
      g_autofree char *given = NULL;

      if (child == NULL)
        continue;
      family = jn_names_compact (jn_ent_user_get_family_name (child));
      given = jn_names_compact (jn_ent_user_get_given_name (child));
      for (guint i = 0; i < record_children->len; i++)
        {
          JnPerson *mine = g_ptr_array_index (record_children, i);
          g_autofree char *my_family = jn_names_compact (jn_person_get_family_name (mine));
          g_autofree char *my_given = jn_names_compact (jn_person_get_given_name (mine));

          if (g_str_equal (family, my_family) && g_str_equal (given, my_given))
            return TRUE;
        }
    }

  return FALSE;
}

/* The old cheap cut, on every user: what a suggestion must pass */
static gboolean
brute_passes_cut (JnDirectory *directory,
                  JnPerson    *person,
                  JnEntUser   *user)
{
  JnNameKey rf, rg, uf, ug;
  gboolean pass;

  jn_name_key_init_family (&rf, jn_person_get_family_name (person));
  jn_name_key_init_given (&rg, jn_person_get_given_name (person));
  jn_name_key_init_family (&uf, jn_ent_user_get_family_name (user));
  jn_name_key_init_given (&ug, jn_ent_user_get_given_name (user));
  pass = jn_names_similarity (rf.compact, uf.compact) >= 0.75 ||
         jn_names_similarity (rf.first, uf.first) >= 0.75 ||
         (jn_person_get_category (person) == JN_CATEGORY_RELATIVE &&
          (jn_names_match_given (&rg, &ug) != JN_NAME_MATCH_NONE || jn_names_given_cut (&rg, &ug)) &&
          brute_child_in_common (directory, person, user));
  jn_name_key_clear (&rf);
  jn_name_key_clear (&rg);
  jn_name_key_clear (&uf);
  jn_name_key_clear (&ug);

  return pass;
}

/* The old marking: a scan of the category's items for each suggestion */
static gboolean
brute_taken (JnPlan    *plan,
             JnPerson  *person,
             JnEntUser *user)
{
  GListModel *items = jn_plan_get_items (plan, jn_person_get_category (person));

  for (guint k = 0; k < g_list_model_get_n_items (items); k++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, k);

      if (jn_plan_item_get_user (item) == user && jn_plan_item_get_person (item) != person &&
          jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED)
        return TRUE;
    }

  return FALSE;
}

static gboolean
in_suggestions (GArray    *suggestions,
                JnEntUser *user)
{
  for (guint i = 0; i < suggestions->len; i++)
    if (g_array_index (suggestions, JnSuggestion, i).user == user)
      return TRUE;
  return FALSE;
}

/* The ranking with a plan is the ranking without one, plus "already taken" exactly where
 * a scan of the plan finds it; best first, ties by id; every suggestion passes the old cut
 * and no user passing it with the same names and birth date is missing */
static void
test_suggestions_brute_force (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261129);
  g_autoptr(GPtrArray) users = g_ptr_array_new ();
  g_autoptr(GString) records = g_string_new ("<Eleves>");
  g_autoptr(JnPlan) plan = NULL;
  guint n_checked = 0, n_taken = 0, n_child = 0, n_other_family = 0;

  for (guint i = 0; i < 140; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", i);
      g_autofree char *extra = i % 9 == 0 ? g_strdup_printf ("\"pronoteIds\":[{\"uai\":\"" UAI "\",\"value\":\"H%u\"}]", i)
                                          : g_strdup ("");

      g_ptr_array_add (users, user (id, "Eleve", PICK (rand, gen_families), PICK (rand, gen_givens),
                                    gen_dates[g_rand_int_range (rand, 0, G_N_ELEMENTS (gen_dates) - 1)], extra));
    }
  for (guint i = 0; i < 70; i++)
    {
      g_autofree char *id = g_strdup_printf ("r%u", i);
      g_autofree char *children = g_strdup_printf ("\"children\":[{\"value\":\"s%u\"},{\"value\":\"s%u\"}]",
                                                   g_rand_int_range (rand, 0, 140), g_rand_int_range (rand, 0, 140));

      g_ptr_array_add (users, user (id, "Parent", PICK (rand, gen_families), PICK (rand, gen_givens), NULL, children));
    }
  /* Mothers under another family name, their given name cut in the file: found through
   * the child only */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *child = g_strdup_printf ("c%u", i);
      g_autofree char *parent = g_strdup_printf ("m%u", i);
      g_autofree char *children = g_strdup_printf ("\"children\":[{\"value\":\"c%u\"}]", i);

      g_ptr_array_add (users, user (child, "Eleve", "Perrin", gen_givens[i], "2013-06-21", ""));
      g_ptr_array_add (users, user (parent, "Parent", "Vidal", "Jean-François", NULL, children));
      g_string_append_printf (records, "<Eleve Nom=\"PERRIN\" Prenom=\"%s\" DateNaissance=\"2013-06-21\" IDPN=\"C%u\">"
                              "<Responsable Ident=\"%u\" Nom=\"BLANC\" Prenom=\"JEAN FRANC\" Civilite=\"Mme\" "
                              "RespLegal=\"1\" IDPN=\"M%u\"/></Eleve>", gen_givens[i], i, 100 + i, i);
    }
  g_ptr_array_add (users, NULL);

  for (guint i = 0; i < 110; i++)
    {
      const char *date = PICK (rand, gen_dates);

      g_string_append_printf (records, "<Eleve Nom=\"%s\" Prenom=\"%s\"%s%s%s IDPN=\"S%u\">",
                              PICK (rand, gen_families), PICK (rand, gen_givens),
                              date ? " DateNaissance=\"" : "", date ? date : "", date ? "\"" : "", i);
      for (guint k = 0; k < 2; k++)
        {
          guint r = g_rand_int_range (rand, 0, 60);

          g_string_append_printf (records, "<Responsable Ident=\"%u\" Nom=\"%s\" Prenom=\"%s\" Civilite=\"%s\" RespLegal=\"%u\" IDPN=\"R%u\"/>",
                                  r, gen_families[r % G_N_ELEMENTS (gen_families)],
                                  gen_givens[(r * 7) % G_N_ELEMENTS (gen_givens)], r % 2 ? "Mme" : "M.",
                                  1 + k, r);
        }
      g_string_append (records, "</Eleve>");
    }
  g_string_append (records, "</Eleves>");

  fixture_setup (fixture, records->str, (char **)users->pdata);
  plan = match (fixture, JN_IMPORT_MODE_COMPLETE);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          JnPerson *person = jn_plan_item_get_person (item);
          g_autoptr(GArray) all = jn_matcher_suggest (fixture->matcher, person, NULL, 0);
          g_autoptr(GArray) with_plan = jn_matcher_suggest (fixture->matcher, person, plan, 0);
          g_autoptr(GArray) top = jn_matcher_suggest (fixture->matcher, person, plan, 5);
          GListModel *ent_users = jn_directory_get_users (fixture->directory);

          g_assert_cmpuint (all->len, ==, with_plan->len);
          g_assert_cmpuint (top->len, ==, MIN (5, with_plan->len));
          for (guint k = 0; k < with_plan->len; k++)
            {
              JnSuggestion *a = &g_array_index (all, JnSuggestion, k);
              JnSuggestion *b = &g_array_index (with_plan, JnSuggestion, k);
              gboolean taken = brute_taken (plan, person, b->user);

              g_assert_true (a->user == b->user);
              g_assert_cmpfloat (a->score, ==, b->score);
              g_assert_cmpuint (a->reasons & ~JN_REASON_ALREADY_TAKEN, ==, b->reasons & ~JN_REASON_ALREADY_TAKEN);
              g_assert_false (a->reasons & JN_REASON_ALREADY_TAKEN);
              g_assert_cmpint (!!(b->reasons & JN_REASON_ALREADY_TAKEN), ==, taken);
              n_taken += taken;
              if (k < top->len)
                {
                  g_assert_true (g_array_index (top, JnSuggestion, k).user == b->user);
                  g_assert_cmpuint (g_array_index (top, JnSuggestion, k).reasons, ==, b->reasons);
                }
              if (k > 0)
                {
                  JnSuggestion *prev = &g_array_index (with_plan, JnSuggestion, k - 1);

                  g_assert_true (prev->score > b->score ||
                                 (prev->score == b->score &&
                                  strcmp (jn_ent_user_get_id (prev->user), jn_ent_user_get_id (b->user)) < 0));
                }
              g_assert_true (brute_passes_cut (fixture->directory, person, b->user));
              if (c == JN_CATEGORY_RELATIVE)
                {
                  gboolean child = brute_child_in_common (fixture->directory, person, b->user);

                  g_assert_cmpint (!!(b->reasons & JN_REASON_CHILD_IN_COMMON), ==, child);
                  n_child += child;
                }
            }

          /* Nobody with the very names and birth date is left out, nor a relative of a
           * child in common whose given name fits */
          for (guint u = 0; u < g_list_model_get_n_items (ent_users); u++)
            {
              g_autoptr(JnEntUser) ent_user = g_list_model_get_item (ent_users, u);
              JnCategory category;
              g_autofree char *pf = jn_names_compact (jn_person_get_family_name (person));
              g_autofree char *pg = jn_names_compact (jn_person_get_given_name (person));
              g_autofree char *uf = jn_names_compact (jn_ent_user_get_family_name (ent_user));
              g_autofree char *ug = jn_names_compact (jn_ent_user_get_given_name (ent_user));

              if (!jn_ent_user_get_category (ent_user, &category) || category != c)
                continue;
              if (g_str_equal (pf, uf) && g_str_equal (pg, ug) &&
                  g_strcmp0 (jn_person_get_birth_date (person), jn_ent_user_get_birth_date (ent_user)) == 0)
                g_assert_true (in_suggestions (all, ent_user));
              if (c == JN_CATEGORY_RELATIVE && brute_passes_cut (fixture->directory, person, ent_user) &&
                  brute_child_in_common (fixture->directory, person, ent_user))
                {
                  g_assert_true (in_suggestions (all, ent_user));
                  n_other_family += jn_names_similarity (pf, uf) < 0.75;
                }
            }
          n_checked++;
        }
    }

  /* The case exercises what it checks */
  g_test_message ("%u records, %u taken, %u children in common, %u under another name",
                  n_checked, n_taken, n_child, n_other_family);
  g_assert_cmpuint (n_checked, >=, 150);
  g_assert_cmpuint (n_taken, >, 0);
  g_assert_cmpuint (n_child, >, 0);
  g_assert_cmpuint (n_other_family, >=, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, NULL, func, fixture_teardown)
  ADD ("/matcher/students", test_students);
  ADD ("/matcher/unchanged-replace-clear", test_unchanged_and_replace);
  ADD ("/matcher/staff", test_staff);
  ADD ("/matcher/relatives", test_relatives);
  ADD ("/matcher/other-establishment", test_other_establishment);
  ADD ("/matcher/decisions", test_decisions);
  ADD ("/matcher/suggestions", test_suggestions);
  ADD ("/matcher/h-reasons", test_h_reasons);
  ADD ("/matcher/deterministic", test_deterministic);
#undef ADD
  g_test_add_func ("/matcher/one-identifier-one-person", test_one_identifier);
  g_test_add_func ("/matcher/one-identifier-decisions", test_one_identifier_decisions);
  g_test_add_func ("/matcher/small-directory", test_small_directory);
  g_test_add_func ("/matcher/h-rules", test_h_rules);
  g_test_add_func ("/matcher/contradicted-holder", test_contradicted_holder);
  g_test_add_func ("/matcher/causes", test_causes);
  g_test_add ("/matcher/suggestions-brute-force", Fixture, NULL, NULL, test_suggestions_brute_force, fixture_teardown);

  return g_test_run ();
}
