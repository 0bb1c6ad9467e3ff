/* jn-history-page.c
 *
 * The local store's imports, newest first: one row per import or single edit (its date in
 * local time, mode, UAI, counts and outcome). Expanding a row lists who was changed: the
 * journal keeps ENT ids and PRONOTE identifiers, not names, so the names come from the
 * directory the window has read, else from the window's ENT (or the ENT of the connection
 * settings, opened then), read then. They are shown, never logged. A purged import keeps only its summary line.
 *
 * The store is read in a worker thread: the list of a store with many imports, and the
 * journal of a large import, never hold the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-history-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-connection.h"
#include "jn-plan.h"
#include "jn-secret.h"
#include "jn-types.h"
#include "jn-ui-utils.h"
#include "jn-history-page.h"

/* An expanded import shows at most this many changes (failures first) */
#define MAX_DETAIL_ROWS 300
/* Above this many accounts to name, the ENT's directory is read rather than each account */
#define MAX_USER_READS 40

typedef struct
{
  JnHistoryPage  *page;        /* unowned: the page frees its rows */
  JnImportRecord *record;
  GtkWidget      *row;         /* AdwExpanderRow, or AdwActionRow when purged */
  GtkWidget      *loading_row;
  GPtrArray      *detail_rows; /* AdwActionRow, unowned (the expander row has them) */
  GCancellable   *cancellable;
  gboolean        requested;
  gboolean        ready;
} HistoryRow;

struct _JnHistoryPage
{
  AdwBin          parent_instance;

  /* template widgets */
  GtkStack       *stack;
  GtkSpinner     *spinner;
  AdwStatusPage  *error_page;
  GtkListBox     *list_box;
  GtkWidget      *more_button;

  /* owned */
  JnStore        *store;
  JnDirectory    *directory;
  JnEnt          *ent;
  GCancellable   *cancellable;   /* of the list's reading; NULL when idle */
  GPtrArray      *rows;          /* HistoryRow */
  GPtrArray      *pending;       /* JnImportRecord read (those shown are stolen) */
  guint           append_source;
  guint           n_wanted;      /* rows to show: more with the "older" button */
  guint           retention_days;
  /* The connection settings, to open the ENT for names when the window had none */
  char           *connection_kind;
  char           *connection_address;
  char           *extension_urn;
};

G_DEFINE_FINAL_TYPE (JnHistoryPage, jn_history_page, ADW_TYPE_BIN)

static void
history_row_free (HistoryRow *row)
{
  if (row->cancellable != NULL)
    g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  g_clear_pointer (&row->record, jn_import_record_free);
  g_clear_pointer (&row->detail_rows, g_ptr_array_unref);
  g_free (row);
}

/* ---- formatting ---- */

char *
jn_format_store_time (const char *iso8601)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) date_time = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL || *iso8601 == '\0')
    return NULL;

  /* The store writes UTC; the admin reads the time of the clock on the wall */
  utc = g_time_zone_new_utc ();
  date_time = g_date_time_new_from_iso8601 (iso8601, utc);
  if (date_time == NULL)
    return NULL;
  local = g_date_time_to_local (date_time);
  if (local == NULL)
    return NULL;

  /* Translators: the date and time of a PRONOTE export, see strftime(3); in French
   * "%d/%m/%Y à %H:%M" */
  return g_date_time_format (local, _("%d/%m/%Y at %H:%M"));
}

static const char *
mode_title (const JnImportRecord *record)
{
  if (g_strcmp0 (record->mode, "complete") == 0)
    return _("Complete Import");
  if (g_strcmp0 (record->mode, "partial") == 0)
    return _("Partial Import");
  if (g_strcmp0 (record->mode, "single") == 0)
    return _("Single Edit");

  return _("Import");
}

/* The outcome, and the style class of its label */
static const char *
state_text (const JnImportRecord *record,
            const char          **style)
{
  *style = "dim-label";
  if (g_strcmp0 (record->state, "done") == 0)
    {
      *style = "success";
      return _("Done");
    }
  if (g_strcmp0 (record->state, "partial") == 0)
    {
      *style = "warning";
      return _("Done with Failures");
    }
  if (g_strcmp0 (record->state, "interrupted") == 0)
    {
      *style = "warning";
      return _("Interrupted");
    }
  if (g_strcmp0 (record->state, "running") == 0)
    return _("In Progress");
  if (g_strcmp0 (record->state, "superseded") == 0)
    return _("Replaced by a Newer Import");
  if (g_strcmp0 (record->state, "failed") == 0)
    {
      *style = "error";
      return _("Failed");
    }

  return record->state != NULL ? record->state : "";
}

static char *
import_title (const JnImportRecord *record)
{
  g_autofree char *date = jn_format_store_time (record->finished_at != NULL
                                                ? record->finished_at : record->started_at);

  if (g_strcmp0 (record->kind, "cli") == 0 && g_strcmp0 (record->mode, "single") != 0)
    /* Translators: "27/06/2026 at 15:01 — Partial Import (command line)" */
    return g_strdup_printf (_("%s — %s (command line)"), date != NULL ? date : "?",
                            mode_title (record));

  /* Translators: "27/06/2026 at 15:01 — Partial Import" */
  return g_strdup_printf (_("%s — %s"), date != NULL ? date : "?", mode_title (record));
}

/* "0312609T · 1,575 identifiers imported (12 replaced) · 3 removed · 2 failures" */
static char *
import_subtitle (const JnImportRecord *record)
{
  g_autoptr(GString) text = g_string_new (record->uai != NULL ? record->uai : "");
  guint n_imported = record->n_set + record->n_replaced;
  g_autofree char *count = jn_format_count (n_imported);

  if (text->len > 0)
    g_string_append (text, " · ");
  g_string_append_printf (text,
                          ngettext ("%s identifier imported", "%s identifiers imported",
                                    n_imported),
                          count);
  if (record->n_replaced > 0)
    {
      g_autofree char *n = jn_format_count (record->n_replaced);

      g_string_append (text, " ");
      /* Translators: after "1,575 identifiers imported" */
      g_string_append_printf (text, ngettext ("(%s replaced)", "(%s replaced)",
                                              record->n_replaced), n);
    }
  if (record->n_cleared > 0)
    {
      g_autofree char *n = jn_format_count (record->n_cleared);

      g_string_append (text, " · ");
      g_string_append_printf (text, ngettext ("%s removed", "%s removed", record->n_cleared), n);
    }
  if (record->n_unchanged > 0)
    {
      g_autofree char *n = jn_format_count (record->n_unchanged);

      g_string_append (text, " · ");
      g_string_append_printf (text, ngettext ("%s unchanged", "%s unchanged",
                                              record->n_unchanged), n);
    }
  if (record->n_failed > 0)
    {
      g_autofree char *n = jn_format_count (record->n_failed);

      g_string_append (text, " · ");
      g_string_append_printf (text, ngettext ("%s failure", "%s failures", record->n_failed), n);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- one import's changes, read in a worker ---- */

typedef struct
{
  JnStore     *store;
  JnDirectory *directory;
  JnEnt       *ent;
  char        *import_id;
  char        *uai;
  /* without @ent: the ENT of the connection settings, opened in the worker */
  char        *connection_kind;
  char        *connection_address;
  char        *extension_urn;
  GPtrArray   *operations;   /* out */
  GHashTable  *names;        /* out: ENT id → "DUPONT Léa" */
  JnEnt       *opened_ent;   /* out: the ENT opened from the settings, for the next rows */
} DetailsData;

static void
details_data_free (DetailsData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->directory);
  g_clear_object (&data->ent);
  g_free (data->import_id);
  g_free (data->uai);
  g_free (data->connection_kind);
  g_free (data->connection_address);
  g_free (data->extension_urn);
  g_clear_object (&data->opened_ent);
  g_clear_pointer (&data->operations, g_ptr_array_unref);
  g_clear_pointer (&data->names, g_hash_table_unref);
  g_free (data);
}

static void
add_names_from (GHashTable  *names,
                JnDirectory *directory,
                GPtrArray   *operations)
{
  for (guint i = 0; i < operations->len; i++)
    {
      JnOperation *op = g_ptr_array_index (operations, i);
      JnEntUser *user;

      if (g_hash_table_contains (names, op->ent_id))
        continue;
      user = jn_directory_lookup (directory, op->ent_id);
      if (user != NULL)
        g_hash_table_insert (names, g_strdup (op->ent_id), jn_ent_user_dup_display_name (user));
    }
}

/* The ENT of the connection settings, as the window opens it: the token from the
 * environment or the keyring (blocking: in the worker) */
static JnEnt *
open_settings_ent (DetailsData   *data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *token = NULL;
  JnEnt *ent = NULL;

  if (data->connection_kind == NULL || data->connection_address == NULL ||
      *data->connection_address == '\0')
    return NULL;

  if (g_str_equal (data->connection_kind, "offline"))
    return jn_connection_new_ent (data->connection_address, NULL, data->extension_urn, error);
  if (!g_str_equal (data->connection_kind, "ent"))
    return NULL;

  token = jn_connection_dup_env_token (error);
  if (token == NULL && (error == NULL || *error == NULL))
    token = jn_secret_lookup_token_sync (data->connection_address, cancellable, error);
  if (token != NULL)
    {
      ent = jn_connection_open_ent (data->connection_address, token, data->extension_urn,
                                    cancellable, error);
      explicit_bzero (token, strlen (token));
    }

  return ent;
}

static void
read_details_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  DetailsData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();

  data->operations = jn_store_list_operations (data->store, data->import_id, &error);
  if (data->operations == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (data->directory != NULL)
    add_names_from (data->names, data->directory, data->operations);

  for (guint i = 0; i < data->operations->len; i++)
    {
      JnOperation *op = g_ptr_array_index (data->operations, i);

      if (op->state != JN_OP_SUPERSEDED && !g_hash_table_contains (data->names, op->ent_id) &&
          !g_ptr_array_find_with_equal_func (missing, op->ent_id, g_str_equal, NULL))
        g_ptr_array_add (missing, op->ent_id);
    }

  if (data->ent == NULL && missing->len > 0)
    {
      g_autoptr(GError) open_error = NULL;

      data->opened_ent = open_settings_ent (data, cancellable, &open_error);
      if (data->opened_ent != NULL)
        data->ent = g_object_ref (data->opened_ent);
      else if (open_error != NULL)
        g_debug ("Could not open the ENT for the history: %s", open_error->message);
    }

  /* The names the window's directory did not have: from the ENT, one account at a time
   * for a few, the establishment's directory for many. Failing leaves the ENT ids. */
  if (data->ent != NULL && missing->len > MAX_USER_READS && data->uai != NULL)
    {
      g_autoptr(JnDirectory) directory = jn_ent_read_directory (data->ent, data->uai, NULL, NULL,
                                                                cancellable, &error);

      if (directory != NULL)
        add_names_from (data->names, directory, data->operations);
      else
        g_debug ("Could not read the directory for the history: %s", error->message);
    }
  else if (data->ent != NULL)
    for (guint i = 0; i < missing->len && !g_cancellable_is_cancelled (cancellable); i++)
      {
        g_autoptr(GError) read_error = NULL;
        g_autoptr(JnEntUser) user = jn_ent_read_user (data->ent, g_ptr_array_index (missing, i),
                                                      cancellable, &read_error);

        if (user != NULL)
          g_hash_table_insert (data->names, g_strdup (g_ptr_array_index (missing, i)),
                               jn_ent_user_dup_display_name (user));
        else
          g_debug ("Could not read an ENT account for the history: %s", read_error->message);
      }

  g_task_return_boolean (task, TRUE);
}

static GtkWidget *
detail_row_new (const char *title,
                const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  /* Before the title: a name is never parsed as markup (nor its failure logged) */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

  return row;
}

static void
add_detail (HistoryRow *row,
            GtkWidget  *detail)
{
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row->row), detail);
  g_ptr_array_add (row->detail_rows, detail);
}

/* "Students · set Z9KXW4P7QRT2HMNE", "failed: the server's words"… */
static char *
operation_text (const JnOperation *op)
{
  const char *category = jn_category_get_label (op->category);
  g_autofree char *what = NULL;

  switch (op->kind)
    {
    case JN_OP_SET:
      /* Translators: a PRONOTE identifier written on an ENT account */
      what = g_strdup_printf (_("identifier %s set"), op->pronote_id);
      break;
    case JN_OP_REPLACE:
      what = g_strdup_printf (_("identifier %s replaced by %s"),
                              op->old_pronote_id != NULL ? op->old_pronote_id : "?",
                              op->pronote_id);
      break;
    case JN_OP_CLEAR:
    default:
      what = g_strdup_printf (_("identifier %s removed"),
                              op->old_pronote_id != NULL ? op->old_pronote_id : "?");
      break;
    }

  switch (op->state)
    {
    case JN_OP_FAILED:
      if (op->detail != NULL && *op->detail != '\0')
        /* Translators: "Students · identifier … set — failed: the server's answer" */
        return g_strdup_printf (_("%s · %s — failed: %s"), category, what, op->detail);
      return g_strdup_printf (_("%s · %s — failed"), category, what);
    case JN_OP_PLANNED:
    case JN_OP_SENT:
      return g_strdup_printf (_("%s · %s — not written"), category, what);
    case JN_OP_DONE:
    case JN_OP_SUPERSEDED:
    default:
      return g_strdup_printf ("%s · %s", category, what);
    }
}

static void
show_details (HistoryRow *row,
              DetailsData *data)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  guint n_unnamed = 0;
  guint n_more = 0;

  /* Failures first, then the journal's order */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < data->operations->len; i++)
      {
        JnOperation *op = g_ptr_array_index (data->operations, i);

        if (op->state == JN_OP_SUPERSEDED || (op->state == JN_OP_FAILED) != (pass == 0))
          continue;
        if (shown->len >= MAX_DETAIL_ROWS)
          n_more++;
        else
          g_ptr_array_add (shown, op);
      }

  for (guint i = 0; i < shown->len; i++)
    if (!g_hash_table_contains (data->names, ((JnOperation *)g_ptr_array_index (shown, i))->ent_id))
      n_unnamed++;

  if (shown->len == 0)
    add_detail (row, detail_row_new (_("Nobody was changed"), NULL));
  if (n_unnamed > 0)
    {
      GtkWidget *note = detail_row_new (_("Some names are not available"),
                                        _("Names are not kept on this computer and the ENT did "
                                          "not give them (no connection set up, or accounts "
                                          "since removed): the ENT account identifier is "
                                          "shown instead."));

      gtk_widget_add_css_class (note, "dim-label");
      add_detail (row, note);
    }

  for (guint i = 0; i < shown->len; i++)
    {
      JnOperation *op = g_ptr_array_index (shown, i);
      const char *name = g_hash_table_lookup (data->names, op->ent_id);
      g_autofree char *title = name != NULL ? g_strdup (name)
                                            /* Translators: an ENT account whose name is unknown */
                                            : g_strdup_printf (_("ENT account %s"), op->ent_id);
      g_autofree char *subtitle = operation_text (op);
      GtkWidget *detail = detail_row_new (title, subtitle);

      if (op->state == JN_OP_FAILED)
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Failed"), -1);
          gtk_widget_add_css_class (icon, "warning");
          adw_action_row_add_prefix (ADW_ACTION_ROW (detail), icon);
        }
      add_detail (row, detail);
    }

  if (n_more > 0)
    {
      g_autofree char *count = jn_format_count (n_more);
      g_autofree char *text = g_strdup_printf (ngettext ("And %s more change",
                                                         "And %s more changes", n_more),
                                               count);

      add_detail (row, detail_row_new (text, NULL));
    }
}

static void
read_details_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HistoryRow *row = user_data;
  GTask *task = G_TASK (result);
  DetailsData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (task, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* the row is gone */

  /* Hidden rather than removed: libadwaita 1.2's expander row unparents its removed rows
   * a second time when it is disposed */
  if (row->loading_row != NULL)
    {
      gtk_widget_set_visible (row->loading_row, FALSE);
      row->loading_row = NULL;
    }
  g_clear_object (&row->cancellable);
  /* Opened once, for the rows expanded next */
  if (data->opened_ent != NULL && row->page->ent == NULL)
    row->page->ent = g_object_ref (data->opened_ent);

  if (error != NULL)
    add_detail (row, detail_row_new (_("Could not read the changes of this import"),
                                     error->message));
  else
    show_details (row, data);
  row->ready = TRUE;
}

static void
request_details (HistoryRow *row)
{
  JnHistoryPage *self = row->page;
  g_autoptr(GTask) task = NULL;
  DetailsData *data;
  GtkWidget *spinner;

  if (row->requested || row->record->purged)
    return;
  row->requested = TRUE;

  row->loading_row = detail_row_new (_("Reading the changes…"), NULL);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row->loading_row), spinner);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row->row), row->loading_row);

  data = g_new0 (DetailsData, 1);
  data->store = g_object_ref (self->store);
  data->directory = self->directory != NULL ? g_object_ref (self->directory) : NULL;
  data->ent = self->ent != NULL ? g_object_ref (self->ent) : NULL;
  data->import_id = g_strdup (row->record->id);
  data->uai = g_strdup (row->record->uai);
  if (self->ent == NULL)
    {
      data->connection_kind = g_strdup (self->connection_kind);
      data->connection_address = g_strdup (self->connection_address);
      data->extension_urn = g_strdup (self->extension_urn);
    }

  row->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, row->cancellable, read_details_cb, row);
  g_task_set_source_tag (task, request_details);
  g_task_set_task_data (task, data, (GDestroyNotify)details_data_free);
  g_task_run_in_thread (task, read_details_thread);
}

static void
expanded_cb (GtkWidget  *widget,
             GParamSpec *pspec,
             HistoryRow *row)
{
  if (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget)))
    request_details (row);
}

/* ---- the list ---- */

static GtkWidget *
state_label_new (const JnImportRecord *record)
{
  const char *style;
  const char *text = state_text (record, &style);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, style);
  gtk_widget_add_css_class (label, "caption-heading");

  return label;
}

static HistoryRow *
history_row_new (JnHistoryPage  *self,
                 JnImportRecord *record)
{
  HistoryRow *row = g_new0 (HistoryRow, 1);
  g_autofree char *title = import_title (record);
  g_autofree char *subtitle = import_subtitle (record);

  row->page = self;
  row->record = record;
  row->detail_rows = g_ptr_array_new ();

  if (record->purged)
    {
      g_autofree char *forgotten = g_strdup_printf (ngettext ("Details forgotten after %u day",
                                                              "Details forgotten after %u days",
                                                              self->retention_days),
                                                    self->retention_days);
      g_autofree char *with_note = g_strdup_printf ("%s\n%s", subtitle, forgotten);

      row->row = adw_action_row_new ();
      /* Before any text: the store's text is never parsed as markup */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), with_note);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row->row), 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), state_label_new (record));
      row->ready = FALSE;
    }
  else
    {
      row->row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row->row), subtitle);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row->row), state_label_new (record));
      g_signal_connect (row->row, "notify::expanded", G_CALLBACK (expanded_cb), row);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);

  return row;
}

static void
clear_rows (JnHistoryPage *self)
{
  GtkWidget *child;

  g_clear_handle_id (&self->append_source, g_source_remove);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  /* After the widgets: a row's cancelled reading finds nothing to update */
  g_ptr_array_set_size (self->rows, 0);
}

static void
list_imports_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *imports = jn_store_list_imports (task_data, 0, &error);

  if (imports == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, imports, (GDestroyNotify)g_ptr_array_unref);
}

/* Rows are made a few at a time: a store with thousands of imports never holds the main
 * loop for long; the newest are shown first, the older ones on demand */
#define ROWS_PER_IDLE 25
#define ROWS_PER_PAGE 100

static void update_more (JnHistoryPage *self);

static gboolean
append_rows_cb (gpointer user_data)
{
  JnHistoryPage *self = user_data;
  guint end = MIN (MIN (self->rows->len + ROWS_PER_IDLE, self->n_wanted), self->pending->len);

  for (guint i = self->rows->len; i < end; i++)
    {
      HistoryRow *row = history_row_new (self, g_steal_pointer (&self->pending->pdata[i]));

      g_ptr_array_add (self->rows, row);
      gtk_list_box_append (self->list_box, row->row);
    }

  if (self->rows->len > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  if (end < MIN (self->n_wanted, self->pending->len))
    return G_SOURCE_CONTINUE;

  self->append_source = 0;
  if (self->rows->len == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_spinner_stop (self->spinner);
  update_more (self);
  return G_SOURCE_REMOVE;
}

static void
append_rows (JnHistoryPage *self)
{
  if (self->append_source == 0 && append_rows_cb (self) == G_SOURCE_CONTINUE)
    self->append_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, append_rows_cb, self, NULL);
  update_more (self);
}

static void
update_more (JnHistoryPage *self)
{
  guint n_older = self->pending != NULL ? self->pending->len - self->rows->len : 0;

  gtk_widget_set_visible (self->more_button, self->append_source == 0 && n_older > 0);
  if (n_older > 0)
    {
      g_autofree char *count = jn_format_count (n_older);
      g_autofree char *label = g_strdup_printf (ngettext ("Show %s Older Import",
                                                          "Show %s Older Imports", n_older),
                                                count);

      gtk_button_set_label (GTK_BUTTON (self->more_button), label);
    }
}

static void
more_clicked_cb (JnHistoryPage *self)
{
  self->n_wanted += ROWS_PER_PAGE;
  append_rows (self);
}

static void
list_imports_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  JnHistoryPage *self = JN_HISTORY_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) imports = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* a newer reading, or the page is gone */

  g_clear_object (&self->cancellable);
  if (imports == NULL)
    {
      gtk_spinner_stop (self->spinner);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  clear_rows (self);
  self->pending = g_steal_pointer (&imports);
  self->n_wanted = ROWS_PER_PAGE;
  append_rows (self);
}

void
jn_history_page_reload (JnHistoryPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (JN_IS_HISTORY_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->cancellable, list_imports_cb, NULL);
  g_task_set_source_tag (task, jn_history_page_reload);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, list_imports_thread);
}

gboolean
jn_history_page_get_loading (JnHistoryPage *self)
{
  g_return_val_if_fail (JN_IS_HISTORY_PAGE (self), FALSE);

  return self->cancellable != NULL || self->append_source != 0;
}

const char *
jn_history_page_get_state (JnHistoryPage *self)
{
  g_return_val_if_fail (JN_IS_HISTORY_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* ---- for tests ---- */

static HistoryRow *
get_row (JnHistoryPage *self,
         guint          index)
{
  g_return_val_if_fail (JN_IS_HISTORY_PAGE (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, index);
}

guint
jn_history_page_get_n_imports (JnHistoryPage *self)
{
  g_return_val_if_fail (JN_IS_HISTORY_PAGE (self), 0);

  return self->rows->len;
}

static char *
row_text (GtkWidget *row)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  const char *subtitle = ADW_IS_EXPANDER_ROW (row)
                         ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row))
                         : adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  return g_strdup_printf ("%s\n%s", title, subtitle != NULL ? subtitle : "");
}

char *
jn_history_page_dup_import_text (JnHistoryPage *self,
                                 guint          index)
{
  HistoryRow *row = get_row (self, index);

  return row != NULL ? row_text (row->row) : NULL;
}

void
jn_history_page_expand (JnHistoryPage *self,
                        guint          index)
{
  HistoryRow *row = get_row (self, index);

  if (row != NULL && ADW_IS_EXPANDER_ROW (row->row))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row->row), TRUE);
}

gboolean
jn_history_page_get_details_ready (JnHistoryPage *self,
                                   guint          index)
{
  HistoryRow *row = get_row (self, index);

  return row != NULL && row->ready;
}

char **
jn_history_page_dup_details (JnHistoryPage *self,
                             guint          index)
{
  HistoryRow *row = get_row (self, index);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; row != NULL && i < row->detail_rows->len; i++)
    {
      g_autofree char *text = row_text (g_ptr_array_index (row->detail_rows, i));

      g_strv_builder_add (builder, text);
    }

  return g_strv_builder_end (builder);
}

/* ---- the object ---- */

static void
jn_history_page_dispose (GObject *object)
{
  JnHistoryPage *self = JN_HISTORY_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->rows != NULL)
    clear_rows (self);

  /* The bin's child is a template child: unparented once, by the bin */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), JN_TYPE_HISTORY_PAGE);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->directory);
  g_clear_object (&self->ent);

  G_OBJECT_CLASS (jn_history_page_parent_class)->dispose (object);
}

static void
jn_history_page_finalize (GObject *object)
{
  JnHistoryPage *self = JN_HISTORY_PAGE (object);

  g_free (self->connection_kind);
  g_free (self->connection_address);
  g_free (self->extension_urn);

  G_OBJECT_CLASS (jn_history_page_parent_class)->finalize (object);
}

static void
jn_history_page_class_init (JnHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_history_page_dispose;
  object_class->finalize = jn_history_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, JnHistoryPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, JnHistoryPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, JnHistoryPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, JnHistoryPage, more_button);
  gtk_widget_class_bind_template_callback (widget_class, more_clicked_cb);
}

static void
jn_history_page_init (JnHistoryPage *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)history_row_free);
  self->retention_days = g_settings_get_uint (settings, "retention-days");
  self->connection_kind = g_settings_get_string (settings, "connection-kind");
  self->connection_address = g_settings_get_string (settings,
                                                    g_str_equal (self->connection_kind, "offline")
                                                    ? "offline-snapshot" : "ent-url");
  self->extension_urn = g_settings_get_string (settings, "extension-urn");
  if (*self->extension_urn == '\0')
    g_clear_pointer (&self->extension_urn, g_free);
}

GtkWidget *
jn_history_page_new (JnStore     *store,
                     JnDirectory *directory,
                     JnEnt       *ent)
{
  JnHistoryPage *self;

  g_return_val_if_fail (JN_IS_STORE (store), NULL);
  g_return_val_if_fail (directory == NULL || JN_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (ent == NULL || JN_IS_ENT (ent), NULL);

  self = g_object_new (JN_TYPE_HISTORY_PAGE, NULL);
  self->store = g_object_ref (store);
  self->directory = directory != NULL ? g_object_ref (directory) : NULL;
  self->ent = ent != NULL ? g_object_ref (ent) : NULL;
  jn_history_page_reload (self);

  return GTK_WIDGET (self);
}

/* ---- its window ---- */

GtkWindow *
jn_history_window_new (GtkWindow   *parent,
                       JnStore     *store,
                       JnDirectory *directory,
                       JnEnt       *ent)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = jn_history_page_new (store, directory, ent);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  gtk_window_set_title (GTK_WINDOW (window), _("History"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 560);

  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);
  g_object_set_data (G_OBJECT (window), "jn-history-page", page);

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);

  return GTK_WINDOW (window);
}

JnHistoryPage *
jn_history_window_get_page (GtkWindow *window)
{
  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  return g_object_get_data (G_OBJECT (window), "jn-history-page");
}
