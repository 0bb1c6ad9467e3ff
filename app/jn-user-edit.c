/* jn-user-edit.c: the single-user editor's core: find an ENT account, check and save one
 * PRONOTE identifier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-search.h"
#include "jn-types.h"
#include "jn-user-edit.h"

/* ---- the index ---- */

typedef struct
{
  char *uai;
  char *value;          /* upper case */
} HeldId;

typedef struct
{
  JnEntUser *user;
  char      *family;    /* folded, hyphens as spaces */
  char      *given;
  char      *sort_key;  /* "family\tgiven" */
  HeldId    *ids;
  guint      n_ids;
} Entry;

struct _JnUserIndex
{
  gatomicrefcount  ref_count;
  JnDirectory     *directory;
  GArray          *entries;   /* Entry */
};

static void
entry_clear (Entry *entry)
{
  g_clear_object (&entry->user);
  g_clear_pointer (&entry->family, g_free);
  g_clear_pointer (&entry->given, g_free);
  g_clear_pointer (&entry->sort_key, g_free);
  for (guint k = 0; k < entry->n_ids; k++)
    {
      g_free (entry->ids[k].uai);
      g_free (entry->ids[k].value);
    }
  g_clear_pointer (&entry->ids, g_free);
  entry->n_ids = 0;
}

static void
entry_init (Entry     *entry,
            JnEntUser *user)
{
  g_autoptr(JsonArray) held = jn_ent_user_pronote_ids_to_json (user);
  guint n_held = held != NULL ? json_array_get_length (held) : 0;

  entry->user = g_object_ref (user);
  entry->family = jn_search_fold (jn_ent_user_get_family_name (user));
  entry->given = jn_search_fold (jn_ent_user_get_given_name (user));
  entry->sort_key = g_strconcat (entry->family, "\t", entry->given, NULL);
  entry->ids = n_held > 0 ? g_new0 (HeldId, n_held) : NULL;
  entry->n_ids = 0;
  for (guint k = 0; k < n_held; k++)
    {
      JsonObject *object = json_array_get_object_element (held, k);
      const char *uai = object ? json_object_get_string_member_with_default (object, "uai", NULL) : NULL;
      const char *value = object ? json_object_get_string_member_with_default (object, "value", NULL) : NULL;

      if (uai == NULL || value == NULL)
        continue;
      entry->ids[entry->n_ids].uai = g_ascii_strup (uai, -1);
      /* as the push engine folds it: spaces around are not part of it */
      entry->ids[entry->n_ids].value = g_strstrip (g_ascii_strup (value, -1));
      entry->n_ids++;
    }
}

JnUserIndex *
jn_user_index_new (JnDirectory *directory)
{
  JnUserIndex *self;
  GListModel *users;
  guint n;

  g_return_val_if_fail (JN_IS_DIRECTORY (directory), NULL);

  self = g_new0 (JnUserIndex, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->directory = g_object_ref (directory);
  users = jn_directory_get_users (directory);
  n = g_list_model_get_n_items (users);
  self->entries = g_array_sized_new (FALSE, TRUE, sizeof (Entry), n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      Entry entry = { 0 };

      entry_init (&entry, user);
      g_array_append_val (self->entries, entry);
    }

  return self;
}

JnUserIndex *
jn_user_index_ref (JnUserIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
jn_user_index_unref (JnUserIndex *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < self->entries->len; i++)
    entry_clear (&g_array_index (self->entries, Entry, i));
  g_array_unref (self->entries);
  g_object_unref (self->directory);
  g_free (self);
}

gboolean
jn_user_index_update_user (JnUserIndex *self,
                           JnEntUser   *user)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (JN_IS_ENT_USER (user), FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);
      g_autoptr(JnEntUser) old = NULL;

      if (g_strcmp0 (jn_ent_user_get_id (entry->user), jn_ent_user_get_id (user)) != 0)
        continue;
      old = g_object_ref (entry->user);
      entry_clear (entry);
      entry_init (entry, user);
      return TRUE;
    }

  return FALSE;
}

JnEntUser *
jn_user_index_lookup (JnUserIndex *self,
                      const char  *id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; id != NULL && i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);

      if (g_strcmp0 (jn_ent_user_get_id (entry->user), id) == 0)
        return entry->user;
    }

  return NULL;
}

JnDirectory *
jn_user_index_get_directory (JnUserIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->directory;
}

typedef struct
{
  const Entry *entry;
  int          rank;
} Found;

static int
compare_found (gconstpointer a,
               gconstpointer b)
{
  const Found *fa = a;
  const Found *fb = b;
  int cmp;

  if (fa->rank != fb->rank)
    return fa->rank - fb->rank;
  cmp = strcmp (fa->entry->sort_key, fb->entry->sort_key);
  if (cmp != 0)
    return cmp;
  return strcmp (jn_ent_user_get_id (fa->entry->user), jn_ent_user_get_id (fb->entry->user));
}

/* One word of capital letters and digits with a digit among them: no name looks like that */
static gboolean
looks_like_identifier (const char *text)
{
  gboolean digit = FALSE;

  if (strlen (text) < 4)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if (!g_ascii_isalpha (*p))
        return FALSE;
    }
  return digit;
}

GPtrArray *
jn_user_index_find_holders (JnUserIndex *self,
                            const char  *pronote_id,
                            const char  *uai)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *value = NULL;
  g_autofree char *wanted_uai = NULL;

  g_return_val_if_fail (self != NULL, result);

  if (pronote_id == NULL || *pronote_id == '\0')
    return result;
  value = g_ascii_strup (pronote_id, -1);
  g_strstrip (value);
  wanted_uai = uai ? g_ascii_strup (uai, -1) : NULL;

  for (guint i = 0; i < self->entries->len; i++)
    {
      const Entry *entry = &g_array_index (self->entries, Entry, i);

      for (guint k = 0; k < entry->n_ids; k++)
        {
          const HeldId *id = &entry->ids[k];

          if (strcmp (id->value, value) == 0 &&
              (wanted_uai == NULL || strcmp (id->uai, wanted_uai) == 0))
            {
              g_ptr_array_add (result, g_object_ref (entry->user));
              break;
            }
        }
    }

  return result;
}

GPtrArray *
jn_user_index_search (JnUserIndex *self,
                      const char  *query,
                      guint        max_results,
                      guint       *n_found)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) found = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_auto(GStrv) words = NULL;
  g_autofree char *stripped = NULL;
  guint total = 0;

  if (n_found != NULL)
    *n_found = 0;
  g_return_val_if_fail (self != NULL, result);

  stripped = g_strstrip (g_strdup (query ? query : ""));
  if (*stripped == '\0')
    return result;

  seen = g_hash_table_new (NULL, NULL);
  if (looks_like_identifier (stripped))
    {
      g_autoptr(GPtrArray) holders = jn_user_index_find_holders (self, stripped, NULL);

      for (guint i = 0; i < holders->len; i++)
        {
          JnEntUser *user = g_ptr_array_index (holders, i);

          g_hash_table_add (seen, user);
          if (result->len < max_results)
            g_ptr_array_add (result, g_object_ref (user));
          total++;
        }
    }

  words = jn_search_split_words (stripped);

  if (words[0] != NULL)
    {
      found = g_array_new (FALSE, FALSE, sizeof (Found));
      for (guint i = 0; i < self->entries->len; i++)
        {
          const Entry *entry = &g_array_index (self->entries, Entry, i);
          Found f;

          f.rank = jn_search_rank (entry->family, entry->given, words);
          if (f.rank < 0 || g_hash_table_contains (seen, entry->user))
            continue;
          f.entry = entry;
          g_array_append_val (found, f);
        }

      total += found->len;
      g_array_sort (found, compare_found);
      for (guint i = 0; i < found->len && result->len < max_results; i++)
        g_ptr_array_add (result, g_object_ref (g_array_index (found, Found, i).entry->user));
    }

  if (n_found != NULL)
    *n_found = total;
  return result;
}

char **
jn_user_edit_list_uais (JnEntUser *user)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonArray) held = NULL;
  const char * const *structures;

  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);

  structures = jn_ent_user_get_structures (user);
  for (guint i = 0; structures != NULL && structures[i] != NULL; i++)
    {
      char *uai = g_ascii_strup (structures[i], -1);

      if (g_hash_table_add (seen, uai))
        g_strv_builder_add (builder, uai);
    }

  held = jn_ent_user_pronote_ids_to_json (user);
  for (guint i = 0; held != NULL && i < json_array_get_length (held); i++)
    {
      JsonObject *object = json_array_get_object_element (held, i);
      const char *value = object ? json_object_get_string_member_with_default (object, "uai", NULL) : NULL;
      char *uai;

      if (value == NULL)
        continue;
      uai = g_ascii_strup (value, -1);
      if (g_hash_table_add (seen, uai))
        g_strv_builder_add (builder, uai);
    }

  return g_strv_builder_end (builder);
}

char *
jn_user_edit_dup_name (JnEntUser *user)
{
  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);

  /* Controls written out, as everywhere a name from the ENT is shown */
  return g_strstrip (jn_ent_user_dup_display_name (user));
}

/* ---- the check ---- */

void
jn_user_edit_check_free (JnUserEditCheck *check)
{
  if (check == NULL)
    return;

  g_free (check->value);
  g_free (check->current);
  g_clear_object (&check->holder);
  g_free (check->message);
  g_free (check);
}

/* Another account of @directory holding @value for @uai */
static JnEntUser *
holder_in_directory (JnDirectory *directory,
                     JnEntUser   *user,
                     const char  *uai,
                     const char  *value)
{
  GListModel *users = jn_directory_get_users (directory);

  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(JnEntUser) other = g_list_model_get_item (users, i);
      g_autofree char *held = NULL;

      if (g_strcmp0 (jn_ent_user_get_id (other), jn_ent_user_get_id (user)) == 0)
        continue;
      /* as the push engine folds it: spaces around and case are not part of it */
      held = g_strdup (jn_ent_user_get_pronote_id (other, uai));
      if (held != NULL && g_ascii_strcasecmp (g_strstrip (held), value) == 0)
        return g_steal_pointer (&other);
    }

  return NULL;
}

static JnEntUser *
holder_in_index (JnUserIndex *index,
                 JnEntUser   *user,
                 const char  *uai,
                 const char  *value)
{
  g_autoptr(GPtrArray) holders = jn_user_index_find_holders (index, value, uai);

  for (guint i = 0; i < holders->len; i++)
    {
      JnEntUser *other = g_ptr_array_index (holders, i);

      if (g_strcmp0 (jn_ent_user_get_id (other), jn_ent_user_get_id (user)) != 0)
        return g_object_ref (other);
    }

  return NULL;
}

JnUserEditCheck *
jn_user_edit_check (JnEntUser   *user,
                    const char  *uai,
                    const char  *value,
                    JnDirectory *directory,
                    JnUserIndex *index)
{
  JnUserEditCheck *check;
  g_autofree char *trimmed = NULL;
  JnPronoteIdCheck format;

  g_return_val_if_fail (JN_IS_ENT_USER (user), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  check = g_new0 (JnUserEditCheck, 1);
  check->current = g_strdup (jn_ent_user_get_pronote_id (user, uai));
  trimmed = g_strstrip (g_strdup (value ? value : ""));

  /* Clearing */
  if (*trimmed == '\0')
    {
      if (check->current == NULL)
        {
          check->verdict = JN_USER_EDIT_UNCHANGED;
          check->message = g_strdup (_("This account holds no identifier for this establishment"));
        }
      else
        {
          check->verdict = JN_USER_EDIT_CONFIRM;
          check->replaces = TRUE;
          check->message = g_strdup_printf (_("The identifier %s will be removed from this account"),
                                            check->current);
        }
      return check;
    }

  format = jn_pronote_id_check (trimmed);
  if (format == JN_PRONOTE_ID_INVALID)
    {
      check->verdict = JN_USER_EDIT_REFUSED;
      check->message = g_strdup_printf (_("A PRONOTE identifier is made of capital letters A–Z "
                                          "and digits 0–9 only (at most %u)"),
                                        (guint)JN_PRONOTE_ID_MAX_LENGTH);
      return check;
    }
  check->value = g_steal_pointer (&trimmed);
  check->unusual = format == JN_PRONOTE_ID_UNUSUAL;

  if (check->current != NULL && strcmp (check->current, check->value) == 0)
    {
      check->verdict = JN_USER_EDIT_UNCHANGED;
      check->message = g_strdup (_("This account already holds this identifier"));
      return check;
    }

  if (index != NULL)
    check->holder = holder_in_index (index, user, uai, check->value);
  else if (directory != NULL)
    check->holder = holder_in_directory (directory, user, uai, check->value);
  if (check->holder != NULL)
    {
      g_autofree char *name = jn_user_edit_dup_name (check->holder);

      check->verdict = JN_USER_EDIT_REFUSED;
      check->message = g_strdup_printf (_("%s already holds this identifier for %s: remove it "
                                          "there first"), name, uai);
      return check;
    }

  check->replaces = check->current != NULL;
  if (check->unusual || check->replaces)
    {
      g_autoptr(GString) message = g_string_new (NULL);

      check->verdict = JN_USER_EDIT_CONFIRM;
      if (check->unusual)
        g_string_append_printf (message, _("“%s” does not look like a PRONOTE identifier (16 "
                                           "characters among %s)."),
                                check->value, JN_PRONOTE_ID_ALPHABET);
      if (check->replaces)
        {
          if (message->len > 0)
            g_string_append_c (message, ' ');
          g_string_append_printf (message, _("It replaces the identifier %s."), check->current);
        }
      check->message = g_string_free (g_steal_pointer (&message), FALSE);
      return check;
    }

  check->verdict = JN_USER_EDIT_OK;
  return check;
}

/* ---- loading ---- */

typedef struct
{
  JnStore   *store;
  JnEnt     *ent;
  char      *uai;
  GPtrArray *finished;  /* the interrupted edits finished first (JnOperation) */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->ent);
  g_free (data->uai);
  g_clear_pointer (&data->finished, g_ptr_array_unref);
  g_free (data);
}

/* The face's store is shared with its main loop (an open import saves its decisions there
 * as the admin makes them): the editor's worker threads write through their own
 * connection to the same files, so that SQLite keeps their transactions apart. The push
 * lock of the face's store is looked at first: held in this process, a step is being
 * pushed, and the editor waits for it. */
static JnStore *
open_own_store (JnStore  *shared,
                GError  **error)
{
  g_autofree char *dir = NULL;

  if (jn_store_is_locked (shared))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                   _("Another import is sending identifiers with this local store: wait for it "
                     "to end"));
      return NULL;
    }

  dir = g_path_get_dirname (jn_store_get_path (shared));
  return jn_store_open (dir, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnStore) own = data->store != NULL ? open_own_store (data->store, NULL) : NULL;
  GError *error = NULL;

  /* An edit a crash or a lost connection left unfinished is finished before the directory
   * is read, so the page shows its outcome. The lock held elsewhere (an import being
   * pushed): it waits for the next save, which finishes it first too. */
  if (own != NULL && jn_store_lock_target (own, jn_ent_describe (data->ent), data->uai, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      data->finished = jn_push_finish_edits (own, data->ent, data->uai, cancellable,
                                             &local_error);
      if (data->finished == NULL)
        g_debug ("Interrupted edits left for later: %s", local_error->message);
      jn_store_unlock (own);
    }

  directory = jn_ent_read_directory (data->ent, data->uai, NULL, NULL, cancellable, &error);
  if (directory == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, jn_user_index_new (directory), (GDestroyNotify)jn_user_index_unref);
}

void
jn_user_index_load_async (JnStore             *store,
                          JnEnt               *ent,
                          const char          *uai,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (store == NULL || JN_IS_STORE (store));
  g_return_if_fail (JN_IS_ENT (ent));
  g_return_if_fail (uai != NULL);

  data = g_new0 (LoadData, 1);
  data->store = store != NULL ? g_object_ref (store) : NULL;
  data->ent = g_object_ref (ent);
  /* as the ENT writes UAIs, and as the edits are journalled */
  data->uai = g_ascii_strup (uai, -1);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_user_index_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify)load_data_free);
  g_task_run_in_thread (task, load_thread);
}

JnUserIndex *
jn_user_index_load_finish (GAsyncResult  *result,
                           GPtrArray    **finished_out,
                           GError       **error)
{
  LoadData *data;
  JnUserIndex *index;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  index = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));
  if (finished_out != NULL)
    *finished_out = data->finished != NULL ? g_ptr_array_ref (data->finished) : NULL;

  return index;
}

/* ---- saving ---- */

typedef struct
{
  JnStore   *store;
  JnEnt     *ent;
  char      *user_id;
  char      *uai;
  char      *value;
  char      *seen_current;  /* the identifier the admin saw (and confirmed replacing) */
  gboolean   confirmed;
  JnEntUser *user_after;
  GPtrArray *finished;      /* the interrupted edits finished first (JnOperation) */
  GPtrArray *finished_users; /* their accounts afterwards (JnEntUser), for the page's index */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->ent);
  g_free (data->user_id);
  g_free (data->uai);
  g_free (data->value);
  g_free (data->seen_current);
  g_clear_object (&data->user_after);
  g_clear_pointer (&data->finished, g_ptr_array_unref);
  g_clear_pointer (&data->finished_users, g_ptr_array_unref);
  g_free (data);
}

static JnPushReport *
save_locked (SaveData      *data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(JnEntUser) user = NULL;
  g_autoptr(JnDirectory) directory = NULL;
  g_autoptr(JnUserEditCheck) check = NULL;
  JnPushReport *report;

  /* An edit a crash left unfinished is finished first (the page's load does it unless an
   * import held the lock): this one is checked against the ENT as it is afterwards */
  g_clear_pointer (&data->finished, g_ptr_array_unref);
  {
    g_autoptr(GError) local_error = NULL;

    data->finished = jn_push_finish_edits (data->store, data->ent, data->uai, cancellable,
                                           &local_error);
    /* Cancelled: nothing more. Otherwise (one account the ENT keeps failing on) it must not
     * block this edit: left unfinished for the next time, as History shows. An ENT that
     * cannot be reached at all fails this edit below the same way. */
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return NULL;
      }
    if (local_error != NULL)
      g_debug ("Interrupted edits left for later: %s", local_error->message);
    if (data->finished == NULL)
      data->finished = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
  }
  /* The page's index was read before: what those accounts hold now */
  g_clear_pointer (&data->finished_users, g_ptr_array_unref);
  data->finished_users = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < data->finished->len; i++)
    {
      JnOperation *op = g_ptr_array_index (data->finished, i);
      JnEntUser *after;

      if (op->state != JN_OP_DONE)
        continue;
      after = jn_ent_read_user (data->ent, op->ent_id, cancellable, NULL);
      if (after != NULL)
        g_ptr_array_add (data->finished_users, after);
    }

  /* The account and its establishment as the ENT holds them now */
  user = jn_ent_read_user (data->ent, data->user_id, cancellable, error);
  if (user == NULL)
    return NULL;
  if (data->value != NULL && *data->value != '\0')
    {
      directory = jn_ent_read_directory (data->ent, data->uai, NULL, NULL, cancellable, error);
      if (directory == NULL)
        return NULL;
    }

  check = jn_user_edit_check (user, data->uai, data->value, directory, NULL);
  if (check->verdict == JN_USER_EDIT_REFUSED)
    {
      g_set_error_literal (error, JN_ERROR,
                           check->holder != NULL ? JN_ERROR_ENT_CONFLICT : JN_ERROR_INVALID_ARGUMENT,
                           check->message);
      return NULL;
    }
  /* The admin decided (and confirmed) on what the page showed: the ENT holds another
   * identifier now, which nobody confirmed replacing */
  if (check->replaces &&
      (data->seen_current == NULL || g_ascii_strcasecmp (data->seen_current, check->current) != 0))
    {
      data->user_after = g_object_ref (user);
      g_set_error (error, JN_ERROR, JN_ERROR_ENT_STALE,
                   _("This account’s identifier changed meanwhile: it is %s now. Check it "
                     "before changing it again."), check->current);
      return NULL;
    }
  if (check->verdict == JN_USER_EDIT_CONFIRM && !data->confirmed)
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_ARGUMENT, check->message);
      return NULL;
    }
  if (check->verdict == JN_USER_EDIT_UNCHANGED)
    {
      report = g_new0 (JnPushReport, 1);
      report->n_unchanged = 1;
      report->failed = g_ptr_array_new_with_free_func ((GDestroyNotify)jn_operation_free);
      data->user_after = g_object_ref (user);
      return report;
    }

  report = jn_push_set_one (data->store, data->ent, user, data->uai, check->value, cancellable,
                            error);
  if (report == NULL)
    return NULL;

  /* What the ENT holds afterwards, for the page; the write itself is confirmed already */
  data->user_after = jn_ent_read_user (data->ent, data->user_id, cancellable, NULL);
  return report;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;
  JnPushReport *report;
  JnStore *own = open_own_store (data->store, &error);

  if (own == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* From here on, this task's store is its own connection */
  g_object_unref (data->store);
  data->store = own;

  if (!jn_store_lock_target (data->store, jn_ent_describe (data->ent), data->uai, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  report = save_locked (data, cancellable, &error);
  jn_store_unlock (data->store);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify)jn_push_report_free);
}

void
jn_user_edit_save_async (JnStore             *store,
                         JnEnt               *ent,
                         JnEntUser           *user,
                         const char          *uai,
                         const char          *value,
                         gboolean             confirmed,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (JN_IS_STORE (store));
  g_return_if_fail (JN_IS_ENT (ent));
  g_return_if_fail (JN_IS_ENT_USER (user));
  g_return_if_fail (uai != NULL);

  data = g_new0 (SaveData, 1);
  data->store = g_object_ref (store);
  data->ent = g_object_ref (ent);
  data->user_id = g_strdup (jn_ent_user_get_id (user));
  /* as the ENT writes UAIs: its directory filter compares them as written */
  data->uai = g_ascii_strup (uai, -1);
  data->value = g_strdup (value);
  data->seen_current = g_strdup (jn_ent_user_get_pronote_id (user, uai));
  data->confirmed = confirmed;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_user_edit_save_async);
  g_task_set_task_data (task, data, (GDestroyNotify)save_data_free);
  g_task_run_in_thread (task, save_thread);
}

JnPushReport *
jn_user_edit_save_finish (GAsyncResult  *result,
                          JnEntUser    **user_out,
                          GError       **error)
{
  SaveData *data;
  JnPushReport *report;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  report = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));
  if (user_out != NULL)
    *user_out = data->user_after != NULL ? g_object_ref (data->user_after) : NULL;

  return report;
}

GPtrArray *
jn_user_edit_save_get_finished (GAsyncResult  *result,
                                GPtrArray    **users_out)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (users_out != NULL)
    *users_out = data->finished_users != NULL ? g_ptr_array_ref (data->finished_users) : NULL;

  return data->finished != NULL && data->finished->len > 0 ? g_ptr_array_ref (data->finished)
                                                            : NULL;
}
