/* test-user-index.c: the single-user editor's core: the index's search and holders, the
 * checks, the save through the journal (on a snapshot file ENT), and the search time on
 * 12,000 accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-file-ent.h"
#include "jn-push.h"
#include "jn-user-edit.h"

#include "journal-edit.h"

#define UAI "0312609T"
#define OTHER_UAI "0750001A"
#define EXT JN_DEFAULT_EXTENSION_URN

#define ID_A "HUP2NFZQRYAD7EXS"
#define ID_B "Z9KXW4P7QRT2HMNE"
#define ID_C "KVX8NTH4DPQ3SYU7"

static void
append_user (GString    *json,
             const char *id,
             const char *family,
             const char *given,
             const char *type,
             const char *uai,
             const char *value)
{
  if (json->len > 1)
    g_string_append_c (json, ',');
  g_string_append_printf (json,
                          "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"%s\"],"
                          "\"id\":\"%s\",\"userName\":\"%s\","
                          "\"name\":{\"familyName\":\"%s\",\"givenName\":\"%s\"},"
                          "\"userType\":\"%s\",\"active\":true,\"%s\":{\"structures\":[\"%s\"]",
                          EXT, id, id, family, given, type, EXT, UAI);
  if (value != NULL)
    g_string_append_printf (json, ",\"pronoteIds\":[{\"uai\":\"%s\",\"value\":\"%s\"}]", uai, value);
  g_string_append (json, "}}");
}

static char *
small_users (void)
{
  GString *json = g_string_new ("[");

  append_user (json, "u-lea", "Durand", "Léa", "Eleve", UAI, NULL);
  append_user (json, "u-leo", "Dürand", "Léo", "Eleve", UAI, ID_A);
  append_user (json, "u-garcia", "Garcia-Lopez", "Inès", "Personnel", UAI, NULL);
  append_user (json, "u-prof", "Martin", "Claire", "Enseignant", OTHER_UAI, ID_B);
  append_user (json, "u-parent", "Roy", "Marc", "Responsable", UAI, "z9kxw4p7qrt2hmnx");
  g_string_append (json, "]");
  return g_string_free (json, FALSE);
}

static JnDirectory *
directory_from (const char *users)
{
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                                           "\"totalResults\":0,\"Resources\":%s}", users);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  g_autoptr(GError) error = NULL;
  JnDirectory *directory = jn_directory_new (EXT);

  g_assert_nonnull (node);
  json_object_set_int_member (json_node_get_object (node), "totalResults",
                              json_array_get_length (json_object_get_array_member (json_node_get_object (node), "Resources")));
  g_assert_true (jn_directory_add_list_response (directory, node, "test", NULL, &error));
  g_assert_no_error (error);
  return directory;
}

static const char *
id_at (GPtrArray *users,
       guint      i)
{
  return jn_ent_user_get_id (g_ptr_array_index (users, i));
}

static void
test_search (void)
{
  g_autofree char *users = small_users ();
  g_autoptr(JnDirectory) directory = directory_from (users);
  g_autoptr(JnUserIndex) index = jn_user_index_new (directory);
  g_autoptr(GPtrArray) found = NULL;
  guint n;

  found = jn_user_index_search (index, "DURAND", 10, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (id_at (found, 0), ==, "u-lea");
  g_assert_cmpstr (id_at (found, 1), ==, "u-leo");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = jn_user_index_search (index, "leo dur", 10, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (id_at (found, 0), ==, "u-leo");
  g_clear_pointer (&found, g_ptr_array_unref);

  /* a part of a compound name; any profile; the limit and the count */
  found = jn_user_index_search (index, "lopez", 10, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (id_at (found, 0), ==, "u-garcia");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jn_user_index_search (index, "r", 1, &n);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpuint (n, ==, 5);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jn_user_index_search (index, "   ", 10, &n);
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* who holds it, for any establishment, in any case */
  found = jn_user_index_search (index, ID_B, 10, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (id_at (found, 0), ==, "u-prof");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jn_user_index_find_holders (index, "Z9KXW4P7QRT2HMNX", UAI);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (id_at (found, 0), ==, "u-parent");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jn_user_index_find_holders (index, ID_B, UAI);
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_checks (void)
{
  g_autofree char *users = small_users ();
  g_autoptr(JnDirectory) directory = directory_from (users);
  g_autoptr(JnUserIndex) index = jn_user_index_new (directory);
  JnEntUser *lea = jn_directory_lookup (directory, "u-lea");
  JnEntUser *leo = jn_directory_lookup (directory, "u-leo");

  for (guint pass = 0; pass < 2; pass++)
    {
      JnDirectory *d = pass == 0 ? directory : NULL;
      JnUserIndex *x = pass == 1 ? index : NULL;
      g_autoptr(JnUserEditCheck) ok = jn_user_edit_check (lea, UAI, " " ID_C " ", d, x);
      g_autoptr(JnUserEditCheck) invalid = jn_user_edit_check (lea, UAI, "abc-1", d, x);
      g_autoptr(JnUserEditCheck) unusual = jn_user_edit_check (lea, UAI, "ABC123", d, x);
      g_autoptr(JnUserEditCheck) held = jn_user_edit_check (lea, UAI, ID_A, d, x);
      g_autoptr(JnUserEditCheck) held_case = jn_user_edit_check (lea, UAI, "Z9KXW4P7QRT2HMNX", d, x);
      g_autoptr(JnUserEditCheck) other_uai = jn_user_edit_check (lea, UAI, ID_B, d, x);
      g_autoptr(JnUserEditCheck) replace = jn_user_edit_check (leo, UAI, ID_C, d, x);
      g_autoptr(JnUserEditCheck) same = jn_user_edit_check (leo, UAI, ID_A, d, x);
      g_autoptr(JnUserEditCheck) clear = jn_user_edit_check (leo, UAI, "", d, x);
      g_autoptr(JnUserEditCheck) clear_nothing = jn_user_edit_check (lea, UAI, NULL, d, x);

      g_assert_cmpint (ok->verdict, ==, JN_USER_EDIT_OK);
      g_assert_cmpstr (ok->value, ==, ID_C);
      g_assert_cmpint (invalid->verdict, ==, JN_USER_EDIT_REFUSED);
      g_assert_null (invalid->holder);
      g_assert_cmpint (unusual->verdict, ==, JN_USER_EDIT_CONFIRM);
      g_assert_true (unusual->unusual);
      g_assert_cmpint (held->verdict, ==, JN_USER_EDIT_REFUSED);
      g_assert_cmpstr (jn_ent_user_get_id (held->holder), ==, "u-leo");
      g_assert_nonnull (strstr (held->message, "DÜRAND Léo"));
      g_assert_cmpint (held_case->verdict, ==, JN_USER_EDIT_REFUSED);
      g_assert_cmpint (other_uai->verdict, ==, JN_USER_EDIT_OK);
      g_assert_cmpint (replace->verdict, ==, JN_USER_EDIT_CONFIRM);
      g_assert_true (replace->replaces);
      g_assert_nonnull (strstr (replace->message, ID_A));
      g_assert_cmpint (same->verdict, ==, JN_USER_EDIT_UNCHANGED);
      g_assert_cmpint (clear->verdict, ==, JN_USER_EDIT_CONFIRM);
      g_assert_null (clear->value);
      g_assert_cmpint (clear_nothing->verdict, ==, JN_USER_EDIT_UNCHANGED);
    }
}

/* An ENT that stores an identifier with spaces around it: the same identifier for the
 * push engine (which refuses to give it twice), so the same for the editor's checks and
 * "who holds it?", which name the holder before anything is sent */
static void
test_padded_holder (void)
{
  GString *json = g_string_new ("[");
  g_autofree char *users = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnUserIndex) index = NULL;
  g_autoptr(GPtrArray) found = NULL;

  append_user (json, "u-lea", "Durand", "Léa", "Eleve", UAI, NULL);
  append_user (json, "u-leo", "Dürand", "Léo", "Eleve", UAI, " " ID_A " ");
  g_string_append (json, "]");
  users = g_string_free (json, FALSE);
  directory = directory_from (users);
  index = jn_user_index_new (directory);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(JnUserEditCheck) held =
        jn_user_edit_check (jn_directory_lookup (directory, "u-lea"), UAI, ID_A,
                            pass == 0 ? directory : NULL, pass == 1 ? index : NULL);

      g_assert_cmpint (held->verdict, ==, JN_USER_EDIT_REFUSED);
      g_assert_nonnull (held->holder);
      g_assert_cmpstr (jn_ent_user_get_id (held->holder), ==, "u-leo");
    }

  found = jn_user_index_search (index, ID_A, 10, NULL);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (id_at (found, 0), ==, "u-leo");
}

/* ---- the save, on a snapshot file ---- */

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static JnPushReport *
save (JnStore     *store,
      JnEnt       *ent,
      JnEntUser   *user,
      const char  *value,
      gboolean     confirmed,
      JnEntUser  **after,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  jn_user_edit_save_async (store, ent, user, UAI, value, confirmed, NULL, save_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return jn_user_edit_save_finish (result, after, error);
}

static void
test_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-user-edit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "snapshot.json", NULL);
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *users = small_users ();
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                                           "\"totalResults\":5,\"Resources\":%s}", users);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnEntUser) after = NULL;
  g_autoptr(GPtrArray) imports = NULL;
  JnImportRecord *last;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  ent = JN_ENT (jn_file_ent_new (file, EXT, &error));
  g_assert_no_error (error);
  store = jn_store_open (store_dir, &error);
  g_assert_no_error (error);
  directory = jn_ent_read_directory (ent, UAI, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A replacement not confirmed: nothing written */
  report = save (store, ent, jn_directory_lookup (directory, "u-leo"), ID_C, FALSE, &after, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT);
  g_assert_null (report);
  g_assert_null (after);
  g_clear_error (&error);

  /* Held by someone else as the ENT holds it now (the caller's copy may be older) */
  report = save (store, ent, jn_directory_lookup (directory, "u-lea"), ID_A, FALSE, &after, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT);
  g_assert_nonnull (strstr (error->message, "DÜRAND Léo"));
  g_clear_error (&error);

  /* The same with the UAI in small letters (a setting typed so): the same establishment */
  {
    g_autoptr(GAsyncResult) result = NULL;

    jn_user_edit_save_async (store, ent, jn_directory_lookup (directory, "u-lea"), "0312609t", ID_A,
                             FALSE, NULL, save_done_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    report = jn_user_edit_save_finish (result, &after, &error);
    g_assert_error (error, JN_ERROR, JN_ERROR_ENT_CONFLICT);
    g_assert_null (report);
    g_clear_error (&error);
  }

  /* A step of an import being pushed in this process (the lock held on the face's store):
   * the save waits for it, nothing written */
  g_assert_true (jn_store_lock_target (store, jn_ent_describe (ent), UAI, &error));
  report = save (store, ent, jn_directory_lookup (directory, "u-lea"), ID_C, FALSE, &after, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_null (report);
  g_clear_error (&error);
  jn_store_unlock (store);

  /* Set, then the history says "single" */
  report = save (store, ent, jn_directory_lookup (directory, "u-lea"), ID_C, FALSE, &after, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_set, ==, 1);
  g_assert_cmpuint (report->failed->len, ==, 0);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (after, UAI), ==, ID_C);
  imports = jn_store_list_imports (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imports->len, ==, 1);
  last = g_ptr_array_index (imports, 0);
  g_assert_cmpstr (last->mode, ==, "single");
  g_assert_cmpuint (last->n_set, ==, 1);
  g_clear_pointer (&report, jn_push_report_free);
  g_clear_object (&after);

  /* Confirmed replacement and removal */
  report = save (store, ent, jn_directory_lookup (directory, "u-leo"), ID_B, TRUE, &after, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_replaced, ==, 1);
  g_clear_pointer (&report, jn_push_report_free);
  {
    /* the removal confirmed for the value the account holds now */
    g_autoptr(JnEntUser) replaced = g_steal_pointer (&after);

    report = save (store, ent, replaced, NULL, TRUE, &after, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_cleared, ==, 1);
  g_assert_null (jn_ent_user_get_pronote_id (after, UAI));
  g_assert_false (jn_store_is_locked (store));

  g_clear_object (&ent);
  g_clear_object (&store);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* The admin confirmed what the page showed; the ENT changed meanwhile (another window,
 * set-id, the ENT's own console): that confirmation does not cover replacing the value
 * the account holds now */
static void
test_save_stale_confirmation (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-user-edit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "snapshot.json", NULL);
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *users = small_users ();
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                                           "\"totalResults\":5,\"Resources\":%s}", users);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(JnDirectory) seen = NULL;
  g_autoptr(JnPushReport) report = NULL;
  g_autoptr(JnEntUser) after = NULL;
  g_autoptr(JnEntUser) now = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  ent = JN_ENT (jn_file_ent_new (file, EXT, &error));
  g_assert_no_error (error);
  store = jn_store_open (store_dir, &error);
  g_assert_no_error (error);
  /* What the editor's page shows: read before the changes below */
  seen = jn_ent_read_directory (ent, UAI, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Meanwhile: Léa gets ID_C, Léo's ID_A becomes ID_B */
  report = save (store, ent, jn_directory_lookup (seen, "u-lea"), ID_C, FALSE, &after, &error);
  g_assert_no_error (error);
  g_clear_pointer (&report, jn_push_report_free);
  g_clear_object (&after);
  report = save (store, ent, jn_directory_lookup (seen, "u-leo"), ID_B, TRUE, &after, &error);
  g_assert_no_error (error);
  g_clear_pointer (&report, jn_push_report_free);
  g_clear_object (&after);

  /* Léa had no identifier on the page: the admin confirmed an unusual value only */
  report = save (store, ent, jn_directory_lookup (seen, "u-lea"), "ABC12345", TRUE, &after, &error);
  g_assert_nonnull (error);
  g_assert_null (report);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_STALE);
  g_assert_nonnull (strstr (error->message, ID_C));
  /* the account as it is now, for the page */
  g_assert_nonnull (after);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (after, UAI), ==, ID_C);
  g_clear_object (&after);
  g_clear_error (&error);
  now = jn_ent_read_user (ent, "u-lea", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (now, UAI), ==, ID_C);
  g_clear_object (&now);

  /* Nothing to confirm on Léa's page: the same, the page then shows what she holds */
  report = save (store, ent, jn_directory_lookup (seen, "u-lea"), "KVX8NTH4DPQ3SYU9", FALSE, &after, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_STALE);
  g_assert_null (report);
  g_assert_nonnull (after);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (after, UAI), ==, ID_C);
  g_clear_object (&after);
  g_clear_error (&error);

  /* Léo's page said ID_A: replacing ID_A was confirmed, not replacing ID_B */
  report = save (store, ent, jn_directory_lookup (seen, "u-leo"), "KVX8NTH4DPQ3SYU9", TRUE, &after, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_STALE);
  g_assert_null (report);
  g_clear_object (&after);
  g_clear_error (&error);
  report = save (store, ent, jn_directory_lookup (seen, "u-leo"), NULL, TRUE, &after, &error);
  g_assert_error (error, JN_ERROR, JN_ERROR_ENT_STALE);
  g_assert_null (report);
  g_clear_object (&after);
  g_clear_error (&error);
  now = jn_ent_read_user (ent, "u-leo", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jn_ent_user_get_pronote_id (now, UAI), ==, ID_B);
  g_clear_object (&now);

  /* With the account as it is now, the same confirmation goes through */
  now = jn_ent_read_user (ent, "u-leo", NULL, &error);
  g_assert_no_error (error);
  report = save (store, ent, now, NULL, TRUE, &after, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_cleared, ==, 1);
  g_assert_false (jn_store_is_locked (store));

  g_clear_object (&ent);
  g_clear_object (&store);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* ---- 12,000 accounts ---- */

static const char *families[] = {
  "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
  "Moreau", "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
  "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
  "Bonnet", "François", "Martinez", "N'Diaye", "Nguyen", "Élaphe", "Da Silva", "Le Goff",
};
static const char *givens[] = {
  "Léa", "Emma", "Chloé", "Inès", "Jade", "Louise", "Lucas", "Hugo", "Nathan", "Enzo", "Louis",
  "Gabriel", "Aïssa", "Noé", "Zoé", "Jean-Baptiste", "Marie-Hélène", "Karim", "Yanis", "Manon",
};

/* ---- edits a kill left unfinished ---- */

static const char *
import_state (JnStore    *store,
              const char *id)
{
  static char state[32];
  g_autoptr(GError) error = NULL;
  g_autoptr(JnImportRecord) record = jn_store_get_import (store, id, &error);

  g_assert_no_error (error);
  g_strlcpy (state, record->state, sizeof state);
  return state;
}

static void
write_id (JnEnt      *ent,
          const char *user_id,
          const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEntUser) user = jn_ent_read_user (ent, user_id, NULL, &error);
  g_autoptr(JnEntUser) written = NULL;

  g_assert_no_error (error);
  written = jn_ent_write_pronote_id (ent, user, UAI, value, NULL, &error);
  g_assert_no_error (error);
}

static JnEntUser *
read_user (JnEnt      *ent,
           const char *user_id)
{
  g_autoptr(GError) error = NULL;
  JnEntUser *user = jn_ent_read_user (ent, user_id, NULL, &error);

  g_assert_no_error (error);
  return user;
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* A single edit a kill left unfinished is finished by the next one (or by the editor's
 * load), as a resumed push: each account read first, nothing landed twice, a change made
 * since never overwritten, an identifier someone else holds now never sent */
static void
test_interrupted_edits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-user-edit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "snapshot.json", NULL);
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *users = small_users ();
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                                           "\"totalResults\":5,\"Resources\":%s}", users);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JnEnt) ent = NULL;
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autofree char *not_sent = NULL, *landed = NULL, *changed = NULL, *held = NULL;
  g_autofree char *elsewhere = NULL, *later = NULL;
  const char *name;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  ent = JN_ENT (jn_file_ent_new (file, EXT, &error));
  g_assert_no_error (error);
  store = jn_store_open (store_dir, &error);
  g_assert_no_error (error);
  name = jn_ent_describe (ent);

  /* Killed before the write was sent */
  not_sent = journal_single_edit (store, name, UAI, "u-lea", JN_OP_SET, ID_C, NULL, FALSE);
  /* Killed after the write landed, before its answer was journalled */
  landed = journal_single_edit (store, name, UAI, "u-garcia", JN_OP_SET, ID_B, NULL, TRUE);
  write_id (ent, "u-garcia", ID_B);
  /* The account was changed in the ENT since (someone else fixed it) */
  changed = journal_single_edit (store, name, UAI, "u-leo", JN_OP_REPLACE, "M4NPQRSTUVWXYZ23",
                                 ID_A, TRUE);
  write_id (ent, "u-leo", "Q4NPQRSTUVWXYZ23");
  /* The value is held by another account now (u-lea, by the first edit) */
  held = journal_single_edit (store, name, UAI, "u-parent", JN_OP_REPLACE, ID_C,
                              "z9kxw4p7qrt2hmnx", FALSE);
  /* Another ENT's edit is not this one's to finish */
  elsewhere = journal_single_edit (store, "https://ent.example.org/scim/v2", UAI, "u-lea",
                                   JN_OP_SET, ID_A, NULL, FALSE);

  g_assert_true (jn_store_lock_target (store, name, UAI, &error));
  outcomes = jn_push_finish_edits (store, ent, UAI, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 4);

  /* Oldest first, each as it ended */
  g_assert_cmpstr (((JnOperation *)g_ptr_array_index (outcomes, 0))->ent_id, ==, "u-lea");
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (outcomes, 0))->state, ==, JN_OP_DONE);
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (outcomes, 1))->state, ==, JN_OP_DONE);
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (outcomes, 2))->state, ==, JN_OP_FAILED);
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (outcomes, 3))->state, ==, JN_OP_FAILED);
  g_assert_cmpint (((JnOperation *)g_ptr_array_index (outcomes, 3))->status, ==, 409);

  g_assert_cmpstr (import_state (store, not_sent), ==, "done");
  g_assert_cmpstr (import_state (store, landed), ==, "done");
  g_assert_cmpstr (import_state (store, changed), ==, "partial");
  g_assert_cmpstr (import_state (store, held), ==, "partial");
  g_assert_cmpstr (import_state (store, elsewhere), ==, "running");

  {
    g_autoptr(JnEntUser) lea = read_user (ent, "u-lea");
    g_autoptr(JnEntUser) garcia = read_user (ent, "u-garcia");
    g_autoptr(JnEntUser) leo = read_user (ent, "u-leo");
    g_autoptr(JnEntUser) parent = read_user (ent, "u-parent");

    g_assert_cmpstr (jn_ent_user_get_pronote_id (lea, UAI), ==, ID_C);
    /* landed once, not twice */
    g_assert_cmpstr (jn_ent_user_get_pronote_id (garcia, UAI), ==, ID_B);
    g_assert_cmpuint (jn_ent_user_count_pronote_ids (garcia, UAI), ==, 1);
    /* not overwritten */
    g_assert_cmpstr (jn_ent_user_get_pronote_id (leo, UAI), ==, "Q4NPQRSTUVWXYZ23");
    /* no second holder */
    g_assert_cmpstr (jn_ent_user_get_pronote_id (parent, UAI), ==, "z9kxw4p7qrt2hmnx");
  }

  /* Finished: not again */
  g_clear_pointer (&outcomes, g_ptr_array_unref);
  outcomes = jn_push_finish_edits (store, ent, UAI, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 0);
  jn_store_unlock (store);

  /* The editor's load finishes one and says so; the index shows its outcome */
  later = journal_single_edit (store, name, UAI, "u-garcia", JN_OP_REPLACE, "R7NPQRSTUVWXYZ23",
                               ID_B, TRUE);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) finished = NULL;
    g_autoptr(JnUserIndex) index = NULL;

    jn_user_index_load_async (store, ent, "0312609t", NULL, load_done_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    index = jn_user_index_load_finish (result, &finished, &error);
    g_assert_no_error (error);
    g_assert_nonnull (finished);
    g_assert_cmpuint (finished->len, ==, 1);
    g_assert_cmpint (((JnOperation *)g_ptr_array_index (finished, 0))->state, ==, JN_OP_DONE);
    g_assert_cmpstr (jn_ent_user_get_pronote_id (jn_user_index_lookup (index, "u-garcia"), UAI), ==,
                     "R7NPQRSTUVWXYZ23");
    g_assert_cmpstr (import_state (store, later), ==, "done");
    g_assert_false (jn_store_is_locked (store));
  }

  g_clear_object (&ent);
  g_clear_object (&store);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (cmd), ==, 0);
  }
}

static void
test_twelve_thousand (void)
{
  GString *json = g_string_new ("[");
  g_autofree char *users = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnUserIndex) index = NULL;
  const char *queries[] = { "m", "ma", "mar", "mart", "martin", "martin l", "e", "le", "lé", "a",
                            "da silva", "n'diaye", "jean", "zzz" };
  gint64 start;
  double build_ms, worst_ms = 0, total_ms = 0;
  GRand *rand = g_rand_new_with_seed (12000);

  for (guint i = 0; i < 12000; i++)
    {
      g_autofree char *id = g_strdup_printf ("u%05u", i);
      g_autofree char *family = g_strdup_printf ("%s%s", families[g_rand_int_range (rand, 0, G_N_ELEMENTS (families))],
                                                 i % 3 == 0 ? "" : i % 3 == 1 ? "-Fabre" : " Roy");
      g_autofree char *value = g_strdup_printf ("HUP2NFZQRY%06u", i);

      append_user (json, id, family, givens[g_rand_int_range (rand, 0, G_N_ELEMENTS (givens))],
                   i % 4 == 0 ? "Eleve" : i % 4 == 1 ? "Responsable" : i % 4 == 2 ? "Enseignant" : "Personnel",
                   UAI, i % 2 == 0 ? value : NULL);
    }
  g_string_append (json, "]");
  users = g_string_free (json, FALSE);
  g_rand_free (rand);
  directory = directory_from (users);
  g_assert_cmpuint (jn_directory_get_n_users (directory), ==, 12000);

  start = g_get_monotonic_time ();
  index = jn_user_index_new (directory);
  build_ms = (g_get_monotonic_time () - start) / 1000.0;

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(GPtrArray) found = NULL;
      double ms;
      guint n;

      start = g_get_monotonic_time ();
      found = jn_user_index_search (index, queries[q], 200, &n);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      worst_ms = MAX (worst_ms, ms);
      total_ms += ms;
      g_test_message ("search “%s”: %u found in %.2f ms", queries[q], n, ms);
    }
  {
    g_autoptr(GPtrArray) found = NULL;

    start = g_get_monotonic_time ();
    found = jn_user_index_search (index, "HUP2NFZQRY011998", 200, NULL);
    g_test_message ("identifier search: %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (id_at (found, 0), ==, "u11998");
  }

  g_test_message ("12,000 accounts: index built in %.1f ms; keystroke search worst %.2f ms, "
                  "mean %.2f ms", build_ms, worst_ms, total_ms / G_N_ELEMENTS (queries));
  /* Under the sanitizers everything is slower: the bound is the main loop's frame budget
   * only in an optimised build */
  g_assert_cmpfloat (worst_ms, <, 250);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/user-index/search", test_search);
  g_test_add_func ("/user-index/checks", test_checks);
  g_test_add_func ("/user-index/padded-holder", test_padded_holder);
  g_test_add_func ("/user-index/save", test_save);
  g_test_add_func ("/user-index/save-stale-confirmation", test_save_stale_confirmation);
  g_test_add_func ("/user-index/interrupted-edits", test_interrupted_edits);
  g_test_add_func ("/user-index/twelve-thousand", test_twelve_thousand);

  return g_test_run ();
}
